"""Import time: `python -c "import layerwise"` against `python -c "import jax, optax"`.

Whole-process wall time of each command, alternating, median of several runs; Keras
(JAX backend), torch and a bare interpreter are shown for scale.

    python bench/bench_import.py [--quick] [--repeats N]
"""
from __future__ import annotations

import argparse
from typing import Any

import harness

COMMANDS = {
    "python (nothing)": "pass",
    "import jax, optax": "import jax, optax",
    "import layerwise": "import layerwise",
    "import keras (jax)": "import keras",
    "import torch": "import torch",
}


def run(repeats: int) -> dict[str, Any]:
    env = harness.engine_env("keras", None)  # KERAS_BACKEND=jax; no cache variables
    folders = harness.CacheFolders()
    env["LAYERWISE_CACHE_DIR"] = folders.warm("layerwise", "import")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    try:
        for name in COMMANDS:  # one unrecorded run each: bytecode caches and page cache
            harness.run_process([harness.PYTHON, "-c", COMMANDS[name]], env=env)
        for _, name in harness.rotations(COMMANDS, repeats):
            wall, _ = harness.run_process([harness.PYTHON, "-c", COMMANDS[name]], env=env)
            times[name].append(wall)
    finally:
        folders.close()
    medians = {name: harness.median(values) for name, values in times.items()}
    return {"medians": medians, "times": times,
            "layerwise_minus_jax_optax_s": medians["import layerwise"]
            - medians["import jax, optax"]}


def report(result: dict[str, Any]) -> str:
    rows = [[name, len(result["times"][name]), median]
            for name, median in result["medians"].items()]
    return ("**Import, whole process (median s)**\n\n"
            + harness.markdown_table(["command", "runs", "seconds"], rows)
            + f"\n\nlayerwise - (jax, optax) = {result['layerwise_minus_jax_optax_s']:+.3f} s "
              f"(target <= +0.3 s: {harness.verdict(result['layerwise_minus_jax_optax_s'], 0.3)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    info = harness.machine_info()
    harness.print_machine(info)
    result = run(args.repeats or (2 if args.quick else 7))
    print(report(result))
    harness.save_json(args.json, {"machine": info, **result})


if __name__ == "__main__":
    main()
