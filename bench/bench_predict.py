"""Predict latency (P): `model.predict` on 1, 32 and 10000 rows and `model(x)` on one row.

For the W1 and W2 models, after the first call (which is reported apart, as it compiles).
Keras and layerwise run `predict(x, verbose=0)` (batch_size 32 by default); PyTorch runs
batches of 32 under `no_grad`; the JAX reference runs one jitted forward over all rows.

    python bench/bench_predict.py [--quick] [--repeats N]
"""
from __future__ import annotations

import argparse
from typing import Any

import harness
import workloads

CASES = [f"predict_{rows}" for rows in workloads.PREDICT_ROWS] + ["call_1"]
CASE_TITLES = {"predict_1": "predict 1 row", "predict_32": "predict 32 rows",
               "predict_10000": "predict 10000 rows", "call_1": "model(x) 1 row"}


def run(engines: list[str], repeats: int, quick: bool) -> dict[str, Any]:
    folders = harness.CacheFolders()
    runs: dict[str, list] = {engine: [] for engine in engines}
    try:
        for repeat, engine in harness.rotations(engines, repeats):
            folder = folders.fresh()
            runs[engine].append(harness.run_worker(engine, "predict", {"quick": int(quick)},
                                                   folder))
            folders.discard(folder)
            harness.log(f"predict #{repeat} {engine}: done")
    finally:
        folders.close()
    keys = [f"{model}_{case}{suffix}" for model in ("w1", "w2") for case in CASES
            for suffix in ("_s", "_first_s")]
    return {"summary": {engine: harness.summarise(engine_runs, keys)
                        for engine, engine_runs in runs.items()}, "runs": runs}


def report(result: dict[str, Any]) -> str:
    summary = result["summary"]
    ours = summary.get("layerwise")
    blocks = []
    for model in ("w1", "w2"):
        header = ["engine"] + [f"{CASE_TITLES[case]} ms" for case in CASES]
        rows = [[harness.ENGINE_TITLES[engine]] + [
            stats[f"{model}_{case}_s"] * 1e3 for case in CASES]
            for engine, stats in summary.items()]
        if ours:
            for engine, stats in summary.items():
                if engine != "layerwise":
                    rows.append([f"layerwise / {harness.ENGINE_TITLES[engine]}"] + [
                        harness.ratio(ours[f"{model}_{case}_s"], stats[f"{model}_{case}_s"])
                        for case in CASES])
        first_rows = [[harness.ENGINE_TITLES[engine]] + [
            stats[f"{model}_{case}_first_s"] * 1e3 for case in CASES]
            for engine, stats in summary.items()]
        blocks.append(f"**{model.upper()} model, latency after the first call (median, ms)**"
                      f"\n\n" + harness.markdown_table(header, rows))
        blocks.append(f"{model.upper()} model, the first call of each (compile included, ms)"
                      f"\n\n" + harness.markdown_table(header, first_rows))
    return "\n\n".join(blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    info = harness.machine_info()
    harness.print_machine(info)
    result = run(harness.engine_list(args.engines), args.repeats or (1 if args.quick else 3),
                 args.quick)
    print(report(result))
    harness.save_json(args.json, {"machine": info, **result})


if __name__ == "__main__":
    main()
