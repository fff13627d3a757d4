"""Whole process of examples/seed_moons.py against the same script on Keras-JAX.

Both scripts run in a scratch working directory (they write loss_accuracy.png there).
"warm": each engine's compile cache was filled by one unrecorded run of its script;
"empty": a fresh cache folder per run. layerwise's cache folder is set with
LAYERWISE_CACHE_DIR; the Keras script turns on JAX's persistent cache itself, with the
same settings, in $KERAS_JAX_CACHE_DIR (see bench/seed_moons_keras.py).

    python bench/bench_seed_script.py [--quick] [--repeats N] [--modes warm,empty]
"""
from __future__ import annotations

import argparse
import tempfile
from typing import Any

import harness

SCRIPTS = {"layerwise": harness.REPO_DIR / "examples" / "seed_moons.py",
           "keras": harness.BENCH_DIR / "seed_moons_keras.py",
           # The same script with no training at all: what neither engine can speed up.
           "floor": harness.BENCH_DIR / "seed_moons_floor.py"}


TITLES = {**harness.ENGINE_TITLES, "floor": "floor: no training (sklearn, matplotlib)"}


def _environment(engine: str, cache_dir: str) -> dict[str, str]:
    env = harness.engine_env(engine, None)
    if engine == "layerwise":
        env["LAYERWISE_CACHE_DIR"] = cache_dir
    else:
        env["KERAS_JAX_CACHE_DIR"] = cache_dir
    return env


def _run_script(engine: str, cache_dir: str, workdir: str) -> tuple[float, str]:
    wall, stdout = harness.run_process([harness.PYTHON, str(SCRIPTS[engine])],
                                       env=_environment(engine, cache_dir), cwd=workdir)
    accuracy = next((line.split(":")[1].strip() for line in stdout.splitlines()
                     if line.startswith("final training accuracy")), "?")
    return wall, accuracy


def run(modes: list[str], repeats: int) -> dict[str, Any]:
    folders = harness.CacheFolders()
    workdir = tempfile.mkdtemp(dir=folders.root)
    results: dict[str, Any] = {}
    try:
        for mode in modes:
            times: dict[str, list[float]] = {engine: [] for engine in SCRIPTS}
            accuracies: dict[str, list[str]] = {engine: [] for engine in SCRIPTS}
            if mode == "warm":
                for engine in SCRIPTS:
                    _run_script(engine, folders.warm(engine, "seed"), workdir)
            # Empty-cache runs are informative only (no target): fewer of them.
            count = repeats if mode == "warm" else max(1, repeats // 2)
            for repeat, engine in harness.rotations(SCRIPTS, count):
                folder = folders.fresh() if mode == "empty" else folders.warm(engine, "seed")
                wall, accuracy = _run_script(engine, folder, workdir)
                if mode == "empty":
                    folders.discard(folder)
                times[engine].append(wall)
                accuracies[engine].append(accuracy)
                harness.log(f"seed script {mode} #{repeat} {engine}: {wall:.2f} s")
            medians = {engine: harness.median(values) for engine, values in times.items()}
            results[mode] = {"medians": medians, "times": times, "accuracies": accuracies,
                             "ratio": harness.ratio(medians["layerwise"], medians["keras"])}
    finally:
        folders.close()
    return {"modes": results}


def report(result: dict[str, Any]) -> str:
    rows = []
    modes = result["modes"]
    for mode, data in modes.items():
        for engine, median in data["medians"].items():
            rows.append([mode, TITLES[engine], len(data["times"][engine]),
                         median, " ".join(data["accuracies"][engine])])
        rows.append([mode, "layerwise / Keras-JAX", "", data["ratio"], ""])
    text = ("**examples/seed_moons.py, whole process (median s)**\n\n"
            + harness.markdown_table(["cache", "engine", "runs", "seconds",
                                      "final accuracy per run"], rows))
    if "warm" in modes:
        text += (f"\n\nwarm ratio {modes['warm']['ratio']:.3f} (target <= 0.5: "
                 f"{harness.verdict(modes['warm']['ratio'], 0.5)})")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="warm,empty")
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    info = harness.machine_info()
    harness.print_machine(info)
    result = run(args.modes.split(","), args.repeats or (1 if args.quick else 5))
    print(report(result))
    harness.save_json(args.json, {"machine": info, **result})


if __name__ == "__main__":
    main()
