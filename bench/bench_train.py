"""Training benchmarks W1 (the seed's moons), W2 (the dropout model at MNIST size), W3
(keras.io's simple MNIST convnet), W4 (an LSTM text classifier) and W5 (a 2-block
Transformer encoder).

Each engine trains in its own process, engines alternating, repeated; medians are quoted.

    python bench/bench_train.py --workload w1                 # empty and warm caches
    python bench/bench_train.py --workload w2                 # sgd and adam, empty caches
    python bench/bench_train.py --workload w3                 # adam, empty caches; PyTorch
                                                              # at 1 and default threads
    python bench/bench_train.py --workload w4                 # LSTM; Keras, PyTorch at 1
    python bench/bench_train.py --workload w5                 # and default threads, JAX
    python bench/bench_train.py --workload w1 --quick         # one run each
    python bench/bench_train.py --workload w4 --smoke         # toy size: proves it runs
"""
from __future__ import annotations

import argparse
from typing import Any

import harness
import workloads

# W3 with --quick: half the rows (40 steps an epoch), still 3 epochs for a steady figure.
QUICK_W3_ROWS = 5000
# W4, W5 with --quick: about half the rows, still 3 epochs.
QUICK_ROWS = {"w4": 2560, "w5": 2048}
# --smoke: each workload at toy size, one run, 2 epochs (the second gives a "steady"
# figure). It shows that every engine runs and every number is computed; its timings
# mean nothing.
SMOKE_OPTIONS = {"w1": {"epochs": 2}, "w2": {"rows": 1280, "epochs": 2},
                 "w3": {"rows": 512, "epochs": 2}, "w4": {"rows": 256, "epochs": 2},
                 "w5": {"rows": 256, "epochs": 2}}
WORKLOADS = ("w1", "w2", "w3", "w4", "w5")
# The workloads whose GFLOP/s are reported against the machine's measured matmul peak.
FLOP_WORKLOADS = ("w2", "w3")

MEASURES = ("first_fit_s", "first_epoch_s", "steady_epoch_s", "steps_per_s", "process_s",
            "peak_rss_mib", "import_s")


def measure_peak_gflops(quick: bool, previous: dict[str, float] | None = None
                        ) -> dict[str, float]:
    """This machine's float32 matmul peak, in XLA and in torch: the best rate seen so far.

    Measured before and after the training runs: on a shared machine one measurement can
    land on a busy moment.
    """
    size = 1024 if quick else 2048
    measured = {engine: harness.run_worker(engine, "matmul", {"size": size})["gflops"]
                for engine in ("jax", "torch")}
    return {engine: max(value, (previous or {}).get(engine, 0.0))
            for engine, value in measured.items()}


def default_engines(workload: str) -> tuple[str, ...]:
    """The engines a workload runs without `--engines`."""
    if workload == "w3":
        return harness.W3_ENGINES
    if workload in ("w4", "w5"):
        return harness.SEQUENCE_ENGINES
    return harness.ENGINES


def run(workload: str, engines: list[str], modes: list[str], optimizers: list[str],
        repeats: int, quick: bool, smoke: bool = False) -> dict[str, Any]:
    """All runs of one workload; returns raw runs and medians per (optimizer, mode, engine)."""
    options: dict[str, Any] = {}
    if quick and workload == "w2":
        options.update(rows=12000, epochs=3)
    if quick and workload == "w3":
        options.update(rows=QUICK_W3_ROWS)
    if quick and workload in QUICK_ROWS:
        options.update(rows=QUICK_ROWS[workload])
    if smoke:
        options.update(SMOKE_OPTIONS[workload])
        quick = True  # the matmul peak at its small size too
    folders = harness.CacheFolders()
    cases: dict[str, Any] = {}
    peak = measure_peak_gflops(quick) if workload in FLOP_WORKLOADS else None
    try:
        for optimizer in optimizers:
            if workload == "w2":
                options["optimizer"] = optimizer
            for mode in modes:
                name = f"{workload}-{optimizer}-{mode}" if workload == "w2" else f"{workload}-{mode}"
                runs: dict[str, list] = {engine: [] for engine in engines}
                if mode == "warm":
                    for engine in engines:  # one unrecorded run fills each engine's cache
                        harness.log(f"{name}: priming {engine}")
                        harness.run_worker(engine, workload, options,
                                           folders.warm(engine, name))
                for repeat, engine in harness.rotations(engines, repeats):
                    folder = (folders.fresh() if mode == "empty"
                              else folders.warm(engine, name))
                    result = harness.run_worker(engine, workload, options, folder)
                    if mode == "empty":
                        folders.discard(folder)
                    harness.log(f"{name} #{repeat} {engine}: first fit "
                                f"{result['first_fit_s']:.2f} s, steady epoch "
                                f"{result['steady_epoch_s'] * 1e3:.2f} ms, process "
                                f"{result['process_s']:.2f} s")
                    runs[engine].append(result)
                summary = {}
                for engine, engine_runs in runs.items():
                    summary[engine] = harness.summarise(engine_runs, MEASURES)
                    summary[engine]["final"] = engine_runs[-1]["final"]
                    summary[engine]["steps_per_epoch"] = engine_runs[-1]["steps_per_epoch"]
                    for key in ("flops_per_epoch", "torch_threads"):
                        if key in engine_runs[-1]:
                            summary[engine][key] = engine_runs[-1][key]
                cases[name] = {"workload": workload, "optimizer": optimizer, "mode": mode,
                               "options": dict(options), "summary": summary, "runs": runs}
    finally:
        folders.close()
    result: dict[str, Any] = {"cases": cases}
    if workload in FLOP_WORKLOADS:
        result["peak_gflops"] = measure_peak_gflops(quick, peak)
    return result


def engine_title(engine: str, stats: dict[str, Any]) -> str:
    """The engine's table title; PyTorch's with the thread count it trained with."""
    title = harness.ENGINE_TITLES[engine]
    if stats.get("torch_threads"):
        threads = stats["torch_threads"]
        title = f"PyTorch, {threads} thread{'s' if threads > 1 else ''}"
        if engine == "torch-default":
            title += " (torch's default)"
    return title


def report(result: dict[str, Any]) -> str:
    """Markdown tables: one per case, engines as rows, with layerwise/peer ratios."""
    blocks = []
    peak = max(result.get("peak_gflops", {}).values(), default=None)
    if peak:
        rates = ", ".join(f"{engine} {value:.1f} GFLOP/s"
                          for engine, value in result["peak_gflops"].items())
        blocks.append("float32 matmul peak measured in this run (best of one measurement "
                      f"before and one after the training runs): {rates}")
    for name, case in result["cases"].items():
        summary = case["summary"]
        ours = summary.get("layerwise")
        header = ["engine", "runs", "first fit s", "first epoch s", "steady epoch ms",
                  "steps/s", "process s", "peak RSS MiB", "final metrics"]
        if peak:
            header.insert(6, "GFLOP/s (% peak)")
        rows = []
        for engine, stats in summary.items():
            final = ", ".join(f"{k} {v:.4f}" for k, v in sorted(stats["final"].items()))
            steady = stats["steady_epoch_s"]
            row = [engine_title(engine, stats), stats["runs"], stats["first_fit_s"],
                   stats["first_epoch_s"], steady * 1e3 if steady else None,
                   stats["steps_per_s"], stats["process_s"], stats["peak_rss_mib"], final]
            if peak:
                achieved = stats["flops_per_epoch"] / steady / 1e9 if steady else None
                row.insert(6, f"{achieved:.2f} ({100 * achieved / peak:.1f}%)"
                           if achieved else None)
            rows.append(row)
        blocks.append(f"**{name}** (medians)\n\n" + harness.markdown_table(header, rows))
        if ours:
            ratio_rows = []
            for engine, stats in summary.items():
                if engine == "layerwise":
                    continue
                ratio_rows.append([f"layerwise / {engine_title(engine, stats)}"] + [
                    harness.ratio(ours[key], stats[key]) for key in
                    ("first_fit_s", "steady_epoch_s", "process_s", "peak_rss_mib")])
            blocks.append(harness.markdown_table(
                ["ratio", "first fit", "steady epoch", "process", "peak RSS"], ratio_rows))
    return "\n\n".join(blocks)


def add_smoke_argument(parser) -> None:
    parser.add_argument("--smoke", action="store_true",
                        help="training workloads at toy size, one run, 2 epochs: checks "
                             "that every engine runs; the timings mean nothing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=WORKLOADS, required=True)
    parser.add_argument("--modes", default=None,
                        help="comma-separated cache modes: empty,warm (w1 default: both; "
                             "w2, w3: empty)")
    parser.add_argument("--optimizers", default="sgd,adam", help="w2 only")
    add_smoke_argument(parser)
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    modes = (args.modes or ("empty,warm" if args.workload == "w1" else "empty")).split(",")
    optimizers = args.optimizers.split(",") if args.workload == "w2" else ["adam"]
    repeats = args.repeats or (1 if args.quick or args.smoke else 3)
    info = harness.machine_info()
    harness.print_machine(info)
    engines = harness.engine_list(args.engines, default_engines(args.workload))
    result = run(args.workload, engines, modes, optimizers, repeats, args.quick, args.smoke)
    print(report(result))
    harness.save_json(args.json, {"machine": info, **result})


if __name__ == "__main__":
    main()
