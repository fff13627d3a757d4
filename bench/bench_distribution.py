"""W2 throughput under DataParallel on 1, 2 and 4 forced CPU devices.

    python bench/bench_distribution.py                 # full W2 (60000 rows), 3 epochs
    python bench/bench_distribution.py --smoke         # 1280 rows, 2 epochs: plumbing only
    python bench/bench_distribution.py --devices 1,4 --json out.json

Each device count runs in its own process (XLA_FLAGS=--xla_force_host_platform_device_count);
with more than one device the script sets `DataParallel()` before building W2, exactly as
a user would. The figure is training rows per second over the steady epochs (all but the
first, which compiles). Forced CPU devices share the machine's cores: on a 2-core machine
they cannot scale, so these figures show the cost of the sharded program, not a speed-up.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import harness
import workloads

CHILD_FLAG = "--child"


def child(devices: int, rows: int, epochs: int) -> None:
    """In a process with `devices` forced CPU devices: train W2 and print the result."""
    import layerwise as keras
    import engine_keras_api

    if devices > 1:
        keras.distribution.set_distribution(keras.distribution.DataParallel())
    result = engine_keras_api.train_w2(keras, "adam", epochs, rows)
    train_rows = int(rows * (1 - workloads.W2_VALIDATION_SPLIT))
    stamps = result["epoch_stamps"]
    steady = [later - earlier for earlier, later in zip(stamps[1:], stamps[2:])]
    result.update(devices=devices, train_rows=train_rows,
                  steady_epoch_s=harness.median(steady),
                  rows_per_s=train_rows / harness.median(steady) if steady else None)
    print(harness.RESULT_PREFIX + json.dumps(result))


def run(device_counts: list[int], rows: int, epochs: int) -> dict[str, Any]:
    """One child process per device count; results keyed by the count."""
    results = {}
    for devices in device_counts:
        harness.log(f"W2 data-parallel on {devices} forced CPU device(s)")
        env = harness.engine_env("layerwise", None)
        env.update(XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
                   JAX_PLATFORMS="cpu")
        command = [harness.PYTHON, os.path.abspath(__file__), CHILD_FLAG, str(devices),
                   str(rows), str(epochs)]
        _, stdout = harness.run_process(command, env=env, cwd=harness.BENCH_DIR)
        line = [line for line in stdout.splitlines() if line.startswith(harness.RESULT_PREFIX)]
        results[str(devices)] = json.loads(line[-1][len(harness.RESULT_PREFIX):])
    return results


def report(results: dict[str, Any]) -> str:
    rows = [[devices, harness.fmt(result["first_fit_s"], " s"),
             harness.fmt(result["steady_epoch_s"], " s"),
             harness.fmt(result["rows_per_s"]), f"{result['final'].get('accuracy', 0):.3f}"]
            for devices, result in results.items() if devices.isdigit()]
    return harness.markdown_table(
        ["devices", "first fit", "steady epoch", "train rows/s", "final accuracy"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", default="1,2,4")
    parser.add_argument("--rows", type=int, default=workloads.W2_ROWS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="1280 rows, 2 epochs")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rows, epochs = (1280, 2) if args.smoke else (args.rows, args.epochs)
    results = run([int(count) for count in args.devices.split(",")], rows, epochs)
    print(report(results))
    harness.save_json(args.json, {"machine": harness.machine_info(), "results": results})


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG:
        child(*(int(value) for value in sys.argv[2:5]))
    else:
        main()
