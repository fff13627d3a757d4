"""Where a compiled training epoch's time goes, XLA op by op, for one engine and workload.

    python bench/profile_ops.py --workload w4                   # layerwise
    python bench/profile_ops.py --workload w4 --engine keras    # Keras 3 on JAX
    python bench/profile_ops.py --workload w5 --engine jax      # the hand-written reference

Runs a few steps under `jax.profiler`, reads the trace back, and sums the time XLA's CPU
runtime spent in each op, grouped into kinds: matrix products (including convolutions
and the products XLA fuses with elementwise work), elementwise fusions, and the loop's
bookkeeping (copies of loop-carried buffers, slices of the scanned sequence, writes of
the saved per-step values, the loop counter). Figures are per training step. Engines on
JAX only: PyTorch has its own profiler.
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import re
import tempfile
from typing import Any

import workloads

# Loop and buffer bookkeeping: no arithmetic of the model's own.
_BOOKKEEPING = re.compile(r"^(copy|.*dynamic[-_]update[-_]slice|.*dynamic[-_]slice|"
                          r"wrapped_(add|compare|broadcast|copy)|tuple|bitcast$)")
_MATMUL = re.compile(r"^(ynn_fusion|dot|convolution|.*gemm|.*matmul|custom-call)")
# Containers whose spans hold their body's ops, host-side annotations, and the compiler's
# own spans (C++ names, passes), which a traced first call of a fresh jit contains.
_SKIPPED = re.compile(r"^(\$|while|conditional|call|Thunk|Pjit|np\.|end: |Slinky|"
                      r"CommonPjRt|shard_args|PjRt|Execute|backend_compile|lower_|Codegen|trace_)"
                      r"|::| |Pass$|[Cc]ompile")

_LOSSES = {"w3": "categorical_crossentropy", "w4": "binary_crossentropy",
           "w5": "sparse_categorical_crossentropy"}
_BATCHES = {"w3": workloads.W3_BATCH, "w4": workloads.W4_BATCH, "w5": workloads.W5_BATCH}


def op_kind(name: str) -> str | None:
    """The kind of an XLA op from its name, or None for spans that are not one op."""
    if _SKIPPED.search(name):
        return None
    if _MATMUL.match(name):
        return "matrix products"
    if _BOOKKEEPING.match(name):
        return "loop bookkeeping"
    return "elementwise and reductions"


def read_trace(folder: str) -> dict[str, tuple[float, int]]:
    """Total microseconds and count per op name in the newest trace under `folder`."""
    path = sorted(glob.glob(os.path.join(folder, "**", "*.trace.json.gz"), recursive=True))[-1]
    with gzip.open(path) as file:
        trace = json.load(file)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    totals: dict[str, list] = collections.defaultdict(lambda: [0.0, 0])
    for event in events:
        if event.get("ph") == "X":
            name = re.sub(r"\.\d+$", "", event["name"])
            totals[name][0] += event.get("dur", 0)
            totals[name][1] += 1
    return {name: (total, count) for name, (total, count) in totals.items()}


def _profile_keras_api(engine: str, workload: str, rows: int, folder: str) -> int:
    import jax

    import engine_keras_api

    keras = engine_keras_api.load(engine)
    x, y = getattr(workloads, f"{workload}_data")(rows)
    keras.utils.set_random_seed(0)
    model = getattr(engine_keras_api, f"build_{workload}")(keras)
    model.compile(optimizer="adam", loss=_LOSSES[workload], metrics=["accuracy"])
    fit = dict(batch_size=_BATCHES[workload], epochs=1, verbose=0, shuffle=False)
    model.fit(x, y, **fit)  # compiles
    jax.profiler.start_trace(folder)
    model.fit(x, y, **fit)
    jax.profiler.stop_trace()
    return rows // _BATCHES[workload]


def _profile_reference(workload: str, rows: int, folder: str) -> int:
    import jax

    import engine_jax
    import engine_jax_sequence

    module = engine_jax if workload == "w3" else engine_jax_sequence
    train = getattr(module, f"train_{workload}")
    # Each call jits a new epoch function: the persistent cache makes the traced call's
    # compile a load, so that the trace holds (almost) only the program's own ops.
    jax.config.update("jax_compilation_cache_dir", os.path.join(folder, "cache"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    train(1, rows)
    jax.profiler.start_trace(os.path.join(folder, "trace"))
    train(1, rows)
    jax.profiler.stop_trace()
    return rows // _BATCHES[workload]


def report(totals: dict[str, tuple[float, int]], steps: int, top: int) -> str:
    kinds: dict[str, float] = collections.defaultdict(float)
    ops = []
    for name, (microseconds, count) in totals.items():
        kind = op_kind(name)
        if kind is None:
            continue
        kinds[kind] += microseconds
        ops.append((microseconds, count, name, kind))
    total = sum(kinds.values())
    lines = [f"XLA op time per training step: {total / steps / 1e3:.2f} ms over {steps} steps",
             "", "| kind | ms per step | share |", "|---|---|---|"]
    for kind, microseconds in sorted(kinds.items(), key=lambda item: -item[1]):
        lines.append(f"| {kind} | {microseconds / steps / 1e3:.2f} | "
                     f"{100 * microseconds / total:.0f}% |")
    lines += ["", "| op | kind | ms per step | calls per step | µs per call |",
              "|---|---|---|---|---|"]
    for microseconds, count, name, kind in sorted(ops, reverse=True)[:top]:
        lines.append(f"| {name} | {kind} | {microseconds / steps / 1e3:.2f} | "
                     f"{count / steps:.0f} | {microseconds / count:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=sorted(_LOSSES), required=True)
    parser.add_argument("--engine", choices=["layerwise", "keras", "jax"], default="layerwise")
    parser.add_argument("--rows", type=int, default=640, help="rows of the profiled epoch")
    parser.add_argument("--top", type=int, default=15, help="ops listed one by one")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    with tempfile.TemporaryDirectory() as folder:
        if args.engine == "jax":
            steps = _profile_reference(args.workload, args.rows, folder)
        else:
            steps = _profile_keras_api(args.engine, args.workload, args.rows, folder)
        totals: Any = read_trace(folder)
    print(f"{args.engine}, {args.workload}, {args.rows} rows\n")
    print(report(totals, steps, args.top))


if __name__ == "__main__":
    main()
