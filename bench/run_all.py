"""Every benchmark in one invocation, then the targets with pass/fail.

    python bench/run_all.py                      # the full set, about 11 minutes on 2 cores
    python bench/run_all.py --quick              # one run of each, about 4.5 minutes
    python bench/run_all.py --json bench/results/latest.json
    python bench/run_all.py --only w4,w5         # the sequence workloads and their targets
    python bench/run_all.py --only w4,w5 --smoke # toy size: checks that everything runs
    python bench/run_all.py --only distribution  # W2 data-parallel on 1, 2, 4 CPU devices

The engines alternate inside each benchmark (see harness.rotations); every figure is a
median over that benchmark's repeats, and every ratio compares runs made in this
invocation.
"""
from __future__ import annotations

import argparse
import time
from typing import Any

import bench_distribution
import bench_import
import bench_predict
import bench_seed_script
import bench_train
import harness
import workloads

# (name, description, limit): the targets; each value is a layerwise/peer ratio,
# except the import one, which is a difference in seconds.
TARGETS = [
    ("w1_first_fit_empty", "W1 first fit, empty caches, layerwise/Keras", 0.4),
    ("w1_first_fit_warm", "W1 first fit, warm caches, layerwise/Keras", 1 / 8),
    ("w1_steady_vs_keras", "W1 steady epoch, layerwise/Keras", 1 / 10),
    ("w1_steady_vs_reference", "W1 steady epoch, layerwise/JAX reference", 1.5),
    ("w2_steady_vs_keras", "W2 steady epoch, layerwise/Keras (sgd, adam)", 0.8),
    ("w2_steady_vs_reference", "W2 steady epoch, layerwise/JAX reference (sgd, adam)", 1.2),
    ("w2_first_fit", "W2 first fit, empty caches, layerwise/Keras (sgd, adam)", 0.6),
    ("w3_steady_vs_keras", "W3 steady epoch, layerwise/Keras", 1 / 2),
    ("w3_steady_vs_torch", "W3 steady epoch, layerwise/PyTorch (the faster thread count)",
     0.8),
    ("w4_steady_vs_keras", "W4 steady epoch, layerwise/Keras", 1 / 2),
    ("w4_steady_vs_torch", "W4 steady epoch, layerwise/PyTorch (the faster thread count)",
     1.0),
    ("w4_first_fit", "W4 first fit, empty caches, layerwise/Keras", 0.6),
    ("w4_steady_vs_reference", "W4 steady epoch, layerwise/JAX reference (context)", None),
    ("w5_steady_vs_keras", "W5 steady epoch, layerwise/Keras", 1 / 2),
    ("w5_steady_vs_torch", "W5 steady epoch, layerwise/PyTorch (the faster thread count)",
     1.0),
    ("w5_first_fit", "W5 first fit, empty caches, layerwise/Keras", 0.6),
    ("w5_steady_vs_reference", "W5 steady epoch, layerwise/JAX reference (context)", None),
    ("p_predict_32", "predict 32 rows, layerwise/Keras (W1, W2)", 1 / 5),
    ("import_delta_s", "import layerwise - import jax, optax (seconds)", 0.3),
    ("seed_script_warm", "seed_moons.py whole process, warm, layerwise/Keras", 0.5),
]

SECTIONS = ("w1", "w2", "w3", "w4", "w5", "predict", "import", "seed_script",
            "distribution")


def _ratio(summary: dict, key: str, peer: str) -> float | None:
    if "layerwise" not in summary or peer not in summary:
        return None
    return harness.ratio(summary["layerwise"][key], summary[peer][key])


def _fastest_torch(summary: dict) -> str | None:
    """Of the PyTorch engines measured (1 thread, torch's default), the faster steady epoch."""
    measured = [engine for engine in ("torch", "torch-default")
                if summary.get(engine, {}).get("steady_epoch_s")]
    return min(measured, key=lambda engine: summary[engine]["steady_epoch_s"], default=None)


def torch_note(results: dict[str, Any], workload: str) -> str | None:
    """Both PyTorch figures behind a workload's PyTorch target, and which one it used."""
    summary = (results.get(workload, {}).get("cases", {}).get(f"{workload}-empty", {})
               .get("summary"))
    if not summary or not _fastest_torch(summary):
        return None
    parts = []
    for engine in ("torch", "torch-default"):
        stats = summary.get(engine)
        if not stats or not stats.get("steady_epoch_s"):
            continue
        parts.append(f"{bench_train.engine_title(engine, stats)} "
                     f"{harness.fmt(stats['steady_epoch_s'] * 1e3)} ms "
                     f"(layerwise/it {harness.fmt(_ratio(summary, 'steady_epoch_s', engine))})")
    chosen = bench_train.engine_title(_fastest_torch(summary), summary[_fastest_torch(summary)])
    return (f"{workload.upper()} PyTorch steady epochs: {'; '.join(parts)}. "
            f"The target uses {chosen}.")


def evaluate_targets(results: dict[str, Any]) -> dict[str, list[float | None]]:
    """Each target's measured value(s), from the collected results."""
    values: dict[str, list[float | None]] = {}
    w1 = results.get("w1", {}).get("cases", {})
    if "w1-empty" in w1:
        summary = w1["w1-empty"]["summary"]
        values["w1_first_fit_empty"] = [_ratio(summary, "first_fit_s", "keras")]
    if "w1-warm" in w1:
        summary = w1["w1-warm"]["summary"]
        values["w1_first_fit_warm"] = [_ratio(summary, "first_fit_s", "keras")]
    steady_cases = [w1[name]["summary"] for name in ("w1-empty", "w1-warm") if name in w1]
    if steady_cases:
        # Steady epochs do not depend on the cache: the median over both modes' runs.
        values["w1_steady_vs_keras"] = [_ratio(s, "steady_epoch_s", "keras")
                                        for s in steady_cases]
        values["w1_steady_vs_reference"] = [_ratio(s, "steady_epoch_s", "jax")
                                            for s in steady_cases]
    w2 = results.get("w2", {}).get("cases", {})
    if w2:
        summaries = [case["summary"] for case in w2.values()]
        values["w2_steady_vs_keras"] = [_ratio(s, "steady_epoch_s", "keras") for s in summaries]
        values["w2_steady_vs_reference"] = [_ratio(s, "steady_epoch_s", "jax")
                                            for s in summaries]
        values["w2_first_fit"] = [_ratio(s, "first_fit_s", "keras") for s in summaries]
    w3 = results.get("w3", {}).get("cases", {})
    if "w3-empty" in w3:
        summary = w3["w3-empty"]["summary"]
        values["w3_steady_vs_keras"] = [_ratio(summary, "steady_epoch_s", "keras")]
        fastest = _fastest_torch(summary)
        if fastest:
            values["w3_steady_vs_torch"] = [_ratio(summary, "steady_epoch_s", fastest)]
    for workload in ("w4", "w5"):
        cases = results.get(workload, {}).get("cases", {})
        if f"{workload}-empty" not in cases:
            continue
        summary = cases[f"{workload}-empty"]["summary"]
        values[f"{workload}_steady_vs_keras"] = [_ratio(summary, "steady_epoch_s", "keras")]
        values[f"{workload}_first_fit"] = [_ratio(summary, "first_fit_s", "keras")]
        values[f"{workload}_steady_vs_reference"] = [_ratio(summary, "steady_epoch_s", "jax")]
        fastest = _fastest_torch(summary)
        if fastest:
            values[f"{workload}_steady_vs_torch"] = [_ratio(summary, "steady_epoch_s",
                                                            fastest)]
    if "predict" in results:
        summary = results["predict"]["summary"]
        values["p_predict_32"] = [_ratio(summary, f"{model}_predict_32_s", "keras")
                                  for model in ("w1", "w2")]
    if "import" in results:
        values["import_delta_s"] = [results["import"]["layerwise_minus_jax_optax_s"]]
    if "warm" in results.get("seed_script", {}).get("modes", {}):
        values["seed_script_warm"] = [results["seed_script"]["modes"]["warm"]["ratio"]]
    return values


def targets_report(values: dict[str, list[float | None]], smoke: bool = False) -> str:
    """The targets table; under --smoke the ratios are shown without a verdict."""
    rows = []
    for name, description, limit in TARGETS:
        measured = values.get(name)
        if limit is None:  # a figure that explains the others; no target of its own
            shown = ", ".join(harness.fmt(v) for v in measured) if measured else "not run"
            rows.append([description, "-", shown, "-"])
            continue
        if not measured:
            rows.append([description, f"<= {limit:.3g}", "not run", "n/a"])
            continue
        shown = ", ".join(harness.fmt(v) for v in measured)
        verdicts = {harness.verdict(v, limit) for v in measured}
        verdict = "FAIL" if "FAIL" in verdicts else ("PASS" if verdicts == {"PASS"} else "n/a")
        if smoke:  # toy sizes on a toy run: the ratio proves the plumbing, not the target
            verdict = "n/a (smoke)"
        rows.append([description, f"<= {limit:.3g}", shown, verdict])
    return harness.markdown_table(["target", "limit", "measured", "verdict"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    # Not in the default set: forced CPU devices share the cores (bench_distribution.py).
    parser.add_argument("--only", default=",".join(s for s in SECTIONS if s != "distribution"),
                        help=f"comma-separated subset of {','.join(SECTIONS)}")
    bench_train.add_smoke_argument(parser)
    harness.add_common_arguments(parser)
    args = parser.parse_args()
    only = args.only.split(",")
    unknown = [name for name in only if name not in SECTIONS]
    if unknown:
        parser.error(f"Invalid value for argument `--only`. Expected names from "
                     f"{','.join(SECTIONS)}. Received: {','.join(unknown)}")
    if args.smoke and not set(only) <= {*bench_train.WORKLOADS, "distribution"}:
        parser.error(f"--smoke covers the training workloads only: pass --only with names "
                     f"from {','.join(bench_train.WORKLOADS)}. Received: --only {args.only}")
    engines = harness.engine_list(args.engines)
    # W3, W4 and W5 hold layerwise to PyTorch at its faster thread count: both unless told
    # otherwise.
    w3_engines = harness.engine_list(args.engines, harness.W3_ENGINES)
    sequence_engines = harness.engine_list(args.engines, harness.SEQUENCE_ENGINES)
    info = harness.machine_info()
    harness.print_machine(info)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    reports: list[str] = []
    quick = args.quick
    smoke = args.smoke
    training_repeats = args.repeats or (1 if quick or smoke else 3)

    def section(name: str, runner, reporter) -> None:
        if name not in only:
            return
        begin = time.perf_counter()
        harness.log(f"== {name}")
        results[name] = runner()
        results[name]["seconds"] = time.perf_counter() - begin
        reports.append(f"### {name} ({results[name]['seconds']:.0f} s)\n\n"
                       + reporter(results[name]))
        print(reports[-1] + "\n", flush=True)

    section("w1", lambda: bench_train.run(
        "w1", engines, ["empty", "warm"], ["adam"], training_repeats, quick, smoke),
        bench_train.report)
    section("w2", lambda: bench_train.run(
        "w2", engines, ["empty"], ["sgd", "adam"], training_repeats, quick, smoke),
        bench_train.report)
    section("w3", lambda: bench_train.run(
        "w3", w3_engines, ["empty"], ["adam"], training_repeats, quick, smoke),
        bench_train.report)
    for workload in ("w4", "w5"):
        section(workload, lambda workload=workload: bench_train.run(
            workload, sequence_engines, ["empty"], ["adam"], training_repeats, quick, smoke),
            bench_train.report)
    section("predict", lambda: bench_predict.run(
        engines, args.repeats or (1 if quick else 2), quick), bench_predict.report)
    section("import", lambda: bench_import.run(args.repeats or (2 if quick else 7)),
            bench_import.report)
    section("seed_script", lambda: bench_seed_script.run(
        ["warm", "empty"], args.repeats or (1 if quick else 5)), bench_seed_script.report)

    section("distribution", lambda: bench_distribution.run(
        [1, 2, 4], *((1280, 2) if smoke else (workloads.W2_ROWS, 3))),
        bench_distribution.report)

    values = evaluate_targets(results)
    total = time.perf_counter() - started
    print(f"### Targets (whole invocation {total:.0f} s)\n")
    print(targets_report(values, smoke))
    for workload in ("w3", "w4", "w5"):
        note = torch_note(results, workload)
        if note:
            print("\n" + note)
    harness.save_json(args.json, {"machine": info, "results": results, "targets": values,
                                  "seconds": total})


if __name__ == "__main__":
    main()
