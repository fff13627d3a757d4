"""Why the hand-fused reference compiles W2 slowly: its partial last batch.

Lowers and compiles the reference's W2 epoch (engine_jax.make_epoch) for a row count with
a partial last batch and for one without, with JAX's persistent cache off:

    JAX_ENABLE_COMPILATION_CACHE=false python bench/reference_compile.py
"""
from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import optax

import engine_jax
import workloads


def compile_seconds(rows: int) -> tuple[float, float]:
    """(lower, compile) seconds of the reference's W2 sgd epoch over `rows` rows."""
    params = engine_jax.init_mlp([(workloads.W2_FEATURES, workloads.W2_HIDDEN),
                                  (workloads.W2_HIDDEN, workloads.W2_CLASSES)])
    optimizer = optax.sgd(workloads.W2_LEARNING_RATES["sgd"])
    epoch = engine_jax.make_epoch(engine_jax.w2_apply, engine_jax.categorical_crossentropy,
                                  engine_jax.categorical_correct, optimizer, rows,
                                  workloads.W2_BATCH, True)
    x = jax.ShapeDtypeStruct((rows, workloads.W2_FEATURES), jnp.float32)
    y = jax.ShapeDtypeStruct((rows, workloads.W2_CLASSES), jnp.float32)
    order = jax.ShapeDtypeStruct((rows,), jnp.int32)
    start = time.perf_counter()
    lowered = epoch.lower(params, optimizer.init(params), jax.random.PRNGKey(0), x, y, order)
    lowered_at = time.perf_counter()
    lowered.compile()
    return lowered_at - start, time.perf_counter() - lowered_at


def main() -> None:
    batch = workloads.W2_BATCH
    train_rows = int(workloads.W2_ROWS * (1 - workloads.W2_VALIDATION_SPLIT))
    for rows in (train_rows, train_rows - train_rows % batch):
        lower, compile_ = compile_seconds(rows)
        print(f"{rows} rows (partial last batch of {rows % batch}): "
              f"lower {lower:.3f} s, compile {compile_:.3f} s")


if __name__ == "__main__":
    main()
