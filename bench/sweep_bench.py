"""Sweeps: layerwise.sweep.fit against the same variants trained one after another.

Two sweeps (issue #17):
    moons20: the seed's moons model, 16 seeds + 4 learning rates, 30 epochs, batch 32.
    digits20: the seed's dropout model on scikit-learn's digits, 20 learning rates,
        batch 128, validation_split 0.1.
Four ways to run each, every run in a fresh process with an empty compile cache:
    sweep: layerwise.sweep.fit, all variants at once;
    one: layerwise's Model.fit of the first variant alone (the claim: sweep <= 2x one);
    loop: layerwise's Model.fit of every variant, one after another;
    keras: Keras-JAX's Model.fit of every variant, one after another.
"train" is the time from the first model built to the last fit returned, inside the
process; "process" is the whole process (interpreter start and imports included).
Modes alternate between repeats; tables quote medians.

    python bench/sweep_bench.py [--quick] [--repeats N] [--workloads moons20,digits20]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import harness

MODES = ("sweep", "one", "loop", "keras")
WORKLOADS = {
    "moons20": {"epochs": 30, "batch_size": 32},
    "digits20": {"epochs": 30, "batch_size": 128, "validation_split": 0.1},
}


# -- the worker: one mode of one workload, in this process -------------------------------
def _data(workload: str):
    import numpy as np
    if workload == "moons20":
        from sklearn.datasets import make_moons
        x, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
        return x.astype(np.float32), y.astype(np.float32)
    from sklearn.datasets import load_digits
    digits = load_digits()
    targets = np.eye(10, dtype=np.float32)[digits.target]
    return (digits.data / 16.0).astype(np.float32), targets


def _variants(workload: str) -> list[dict]:
    import numpy as np
    if workload == "moons20":
        return [{"seed": seed, "learning_rate": 0.01} for seed in range(16)] + [
            {"seed": 0, "learning_rate": rate} for rate in (0.001, 0.003, 0.03, 0.1)]
    return [{"seed": 0, "learning_rate": float(rate)} for rate in np.logspace(-4, 0, 20)]


def _builder(keras, workload: str):
    def moons(variant):
        model = keras.Sequential()
        model.add(keras.layers.Dense(4, input_shape=(2,), activation="tanh"))
        model.add(keras.layers.Dense(2, activation="tanh"))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(keras.optimizers.Adam(learning_rate=variant["learning_rate"]),
                      "binary_crossentropy", metrics=["accuracy"])
        return model

    def digits(variant):
        model = keras.Sequential()
        model.add(keras.layers.Dense(32, activation="sigmoid", input_shape=(64,)))
        model.add(keras.layers.Dropout(0.2))
        model.add(keras.layers.Dense(10, activation="softmax"))
        model.compile(keras.optimizers.Adam(learning_rate=variant["learning_rate"]),
                      "categorical_crossentropy", metrics=["accuracy"])
        return model

    return moons if workload == "moons20" else digits


def worker(mode: str, workload: str, epochs: int) -> None:
    if mode == "keras":
        import keras
    else:
        import layerwise as keras
    x, y = _data(workload)
    variants = _variants(workload)
    options = {**WORKLOADS[workload], "epochs": epochs}
    build = _builder(keras, workload)
    start = time.perf_counter()
    if mode == "sweep":
        from layerwise import sweep
        histories = sweep.fit(build, variants, x, y, verbose=0, **options).histories
    else:
        histories = []
        for variant in variants[:1] if mode == "one" else variants:
            keras.utils.set_random_seed(variant["seed"])
            histories.append(build(variant).fit(x, y, verbose=0, **options))
    train = time.perf_counter() - start
    print(harness.RESULT_PREFIX + json.dumps({
        "train": train, "models": len(histories),
        "first_final_loss": histories[0].history["loss"][-1]}))


# -- the parent ---------------------------------------------------------------------------
def _run(mode: str, workload: str, epochs: int, folders: harness.CacheFolders) -> dict:
    cache = folders.fresh()
    env = harness.engine_env("keras" if mode == "keras" else "layerwise", cache)
    env["PYTHONPATH"] = str(harness.REPO_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("JAX_PLATFORMS", "cpu")
    command = [harness.PYTHON, __file__, "--worker", mode, workload, str(epochs)]
    wall, stdout = harness.run_process(command, env=env, cwd=harness.BENCH_DIR, timeout=1800)
    folders.discard(cache)
    line = next(line for line in stdout.splitlines() if line.startswith(harness.RESULT_PREFIX))
    return {**json.loads(line[len(harness.RESULT_PREFIX):]), "process": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each, 5 epochs")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", default=None)
    arguments = parser.parse_args()
    repeats = arguments.repeats or (1 if arguments.quick else 3)
    modes = arguments.modes.split(",")
    folders = harness.CacheFolders()
    report: dict = {"machine": harness.machine_info(), "workloads": {}}
    harness.print_machine(report["machine"])
    try:
        for workload in arguments.workloads.split(","):
            epochs = 5 if arguments.quick else WORKLOADS[workload]["epochs"]
            runs: dict[str, list] = {mode: [] for mode in modes}
            for repeat, mode in harness.rotations(modes, repeats):
                harness.log(f"{workload} {mode} (repeat {repeat + 1}/{repeats})")
                runs[mode].append(_run(mode, workload, epochs, folders))
            summary = {mode: harness.summarise(runs[mode], ["train", "process"])
                       for mode in modes}
            report["workloads"][workload] = {"epochs": epochs, "runs": runs,
                                             "summary": summary}
            _print(workload, epochs, summary)
    finally:
        folders.close()
    harness.save_json(arguments.json, report)


def _print(workload: str, epochs: int, summary: dict) -> None:
    sweep = summary.get("sweep", {})
    rows = []
    for mode, values in summary.items():
        rows.append([mode, values["runs"], values["train"], values["process"],
                     harness.ratio(values["train"], sweep.get("train")),
                     harness.ratio(values["process"], sweep.get("process"))])
    print(f"\n{workload}, {epochs} epochs, 20 variants (medians, fresh process, empty cache)")
    print(harness.markdown_table(["mode", "runs", "train s", "process s", "train / sweep",
                                  "process / sweep"], rows))
    one = summary.get("one")
    if one and sweep:
        for key in ("train", "process"):
            value = harness.ratio(sweep[key], one[key])
            print(f"sweep / one model ({key}): {harness.fmt(value)} "
                  f"(target <= 2: {harness.verdict(value, 2.0)})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
