"""One measurement in its own process: `worker.py --engine E --workload W [options]`.

Prints one line `BENCH_RESULT {json}` with what it measured; the parent adds the whole
process time. Engines: layerwise, keras (Keras 3, JAX backend), torch (one intra-op
thread unless BENCH_TORCH_THREADS says otherwise), torch-default (torch's own thread
count), jax (the hand-written reference loop: engine_jax, and engine_jax_sequence for w4,
w5). Workloads: w1, w2, w3, w4, w5, predict (both models), matmul.
"""
from __future__ import annotations

import time

PROCESS_START = time.perf_counter()  # before any heavy import

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import workloads  # noqa: E402
from harness import RESULT_PREFIX, timed_repeats  # noqa: E402


SEQUENCE_SIZES = {
    "w4": {"epochs": workloads.W4_EPOCHS, "rows": workloads.W4_ROWS,
           "batch": workloads.W4_BATCH},
    "w5": {"epochs": workloads.W5_EPOCHS, "rows": workloads.W5_ROWS,
           "batch": workloads.W5_BATCH},
}


def load_engine(engine: str, workload: str) -> Any:
    """Import the engine's module; the import is timed by the caller."""
    if engine in ("layerwise", "keras"):
        import engine_keras_api

        return engine_keras_api, engine_keras_api.load(engine)
    if engine in ("torch", "torch-default"):  # the thread count comes from the environment
        import engine_torch

        return engine_torch, None
    if engine == "jax" and workload in SEQUENCE_SIZES:
        import engine_jax_sequence

        return engine_jax_sequence, None
    if engine == "jax":
        import engine_jax

        return engine_jax, None
    raise ValueError(f"unknown engine {engine!r}")


def epoch_summary(stamps: list[float]) -> dict[str, Any]:
    """First epoch (compile included) and the median of the later ones."""
    durations = np.diff(stamps).tolist()
    steady = statistics.median(durations[1:]) if len(durations) > 1 else None
    return {"first_epoch_s": durations[0] if durations else None, "steady_epoch_s": steady,
            "epoch_s": durations}


def run_training(module, keras, args) -> dict[str, Any]:
    if args.workload == "w1":
        epochs = args.epochs or workloads.W1_EPOCHS
        result = (module.train_w1(keras, epochs) if keras is not None
                  else module.train_w1(epochs))
        steps = -(-1000 // workloads.W1_BATCH)
    elif args.workload == "w2":
        epochs = args.epochs or workloads.W2_EPOCHS
        rows = args.rows or workloads.W2_ROWS
        result = (module.train_w2(keras, args.optimizer, epochs, rows) if keras is not None
                  else module.train_w2(args.optimizer, epochs, rows))
        train_rows = int(rows * (1 - workloads.W2_VALIDATION_SPLIT))
        steps = -(-train_rows // workloads.W2_BATCH)
        result["flops_per_epoch"] = workloads.w2_flops_per_epoch(train_rows, rows - train_rows)
    elif args.workload == "w3":
        epochs = args.epochs or workloads.W3_EPOCHS
        rows = args.rows or workloads.W3_ROWS
        result = (module.train_w3(keras, epochs, rows) if keras is not None
                  else module.train_w3(epochs, rows))
        steps = -(-rows // workloads.W3_BATCH)
        result["flops_per_epoch"] = workloads.w3_flops_per_epoch(rows)
    else:  # the sequence workloads w4 and w5: same sizes, different constants
        sizes = SEQUENCE_SIZES[args.workload]
        epochs = args.epochs or sizes["epochs"]
        rows = args.rows or sizes["rows"]
        train = getattr(module, f"train_{args.workload}")
        result = train(keras, epochs, rows) if keras is not None else train(epochs, rows)
        steps = -(-rows // sizes["batch"])
    if hasattr(module, "threads"):
        result["torch_threads"] = module.threads()
    result.update(epoch_summary(result.pop("epoch_stamps")))
    result["steps_per_epoch"] = steps
    if result["steady_epoch_s"]:
        result["steps_per_s"] = steps / result["steady_epoch_s"]
    return result


def run_predict(module, keras, args) -> dict[str, Any]:
    """Latency of predict on 1, 32 and 10000 rows and of model(x) on one row, both models.

    Each case is called once first (compiling where the engine compiles); the median of
    the later calls is the latency.
    """
    result: dict[str, Any] = {}
    for which in ("w1", "w2"):
        predict, call, inputs = (module.predictors(keras, which) if keras is not None
                                 else module.predictors(which))
        cases = [(f"predict_{rows}", predict, inputs[:rows])
                 for rows in workloads.PREDICT_ROWS]
        cases.append(("call_1", call, inputs[:1]))
        for name, function, x in cases:
            start = time.perf_counter()
            output = function(x)
            result[f"{which}_{name}_first_s"] = time.perf_counter() - start
            assert np.asarray(output).shape[0] == x.shape[0], (name, np.asarray(output).shape)
            times = timed_repeats(lambda: function(x), min_repeats=5,
                                  budget_s=0.3 if args.quick else 1.0)
            result[f"{which}_{name}_s"] = statistics.median(times)
    return result


def run_matmul(engine: str, size: int) -> dict[str, Any]:
    """Best float32 GFLOP/s of an n x n matmul, in XLA (engine jax) or torch."""
    flops = 2.0 * size ** 3
    if engine in ("torch", "torch-default"):
        import torch

        a = torch.rand(size, size)
        b = torch.rand(size, size)

        def multiply():
            torch.mm(a, b)
    else:
        import jax
        import jax.numpy as jnp

        a = jnp.ones((size, size), jnp.float32)
        b = jnp.ones((size, size), jnp.float32)
        dot = jax.jit(jnp.dot)
        dot(a, b).block_until_ready()

        def multiply():
            dot(a, b).block_until_ready()
    times = timed_repeats(multiply, min_repeats=5, budget_s=2.0)
    return {"gflops": flops / min(times) / 1e9, "size": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--workload", required=True,
                        choices=["w1", "w2", "w3", "w4", "w5", "predict", "matmul"])
    parser.add_argument("--optimizer", default="adam", choices=["sgd", "adam"])
    parser.add_argument("--epochs", type=int, default=0, help="0: the workload's default")
    parser.add_argument("--rows", type=int, default=0,
                        help="w2 to w5: 0 is the workload's default")
    parser.add_argument("--size", type=int, default=2048, help="matmul size")
    parser.add_argument("--quick", type=int, default=0)
    args = parser.parse_args()

    if args.workload == "matmul":
        result = run_matmul(args.engine, args.size)
    else:
        start = time.perf_counter()
        module, keras = load_engine(args.engine, args.workload)
        result = {"import_s": time.perf_counter() - start}
        if args.workload == "predict":
            result.update(run_predict(module, keras, args))
        else:
            result.update(run_training(module, keras, args))
    result["in_process_s"] = time.perf_counter() - PROCESS_START
    # ru_maxrss is in KiB on Linux.
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.flush()
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
