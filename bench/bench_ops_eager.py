"""Eager cost of common numpy-style ops on small arrays: layerwise.ops against keras.ops (JAX).

Each op is warmed up, then timed in 5 rounds of 200 calls per library, libraries alternating;
the best round counts (the machine is shared, so the minimum is the least noisy figure).

    PYTHONPATH=$PWD /work/main/.venv/bin/python bench/bench_ops_eager.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import timeit  # noqa: E402

import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402

from layerwise import ops  # noqa: E402

x = jnp.ones((8, 8))
indices = jnp.ones((8, 8), "int32")
CASES = {
    "add float32 + int32": lambda o: o.add(x, indices),
    "add float32 + 2.0": lambda o: o.add(x, 2.0),
    "multiply": lambda o: o.multiply(x, x),
    "maximum(x, 0.0)": lambda o: o.maximum(x, 0.0),
    "sqrt(int32)": lambda o: o.sqrt(indices),
    "where": lambda o: o.where(x > 0, x, 0.0),
    "clip": lambda o: o.clip(x, 0.0, 1.0),
    "matmul": lambda o: o.matmul(x, x),
    "einsum": lambda o: o.einsum("ij,jk->ik", x, x),
    "sum(axis=0)": lambda o: o.sum(x, axis=0),
    "mean(axis=1)": lambda o: o.mean(x, axis=1),
    "argmax": lambda o: o.argmax(x, axis=-1),
    "cumsum": lambda o: o.cumsum(x, axis=0),
    "reshape": lambda o: o.reshape(x, (4, 16)),
    "transpose": lambda o: o.transpose(x),
    "expand_dims": lambda o: o.expand_dims(x, 0),
    "concatenate": lambda o: o.concatenate([x, x]),
    "stack": lambda o: o.stack([x, x]),
    "take": lambda o: o.take(x, indices[0], axis=0),
    "zeros": lambda o: o.zeros((8, 8)),
    "arange": lambda o: o.arange(10),
}


def best_microseconds(call) -> float:
    return min(timeit.repeat(lambda: call().block_until_ready(), number=200, repeat=5)) / 200 * 1e6


def main() -> None:
    print(f"{'op':22s} {'layerwise':>10s} {'keras':>10s} {'ratio':>6s}")
    ratios = []
    for name, case in CASES.items():
        for library in (ops, keras.ops):
            case(library).block_until_ready()
        ours = best_microseconds(lambda: case(ops))
        theirs = best_microseconds(lambda: case(keras.ops))
        ratios.append(ours / theirs)
        print(f"{name:22s} {ours:8.1f}us {theirs:8.1f}us {ours / theirs:6.2f}")
    ratios.sort()
    print(f"median ratio layerwise/keras: {ratios[len(ratios) // 2]:.2f}")


if __name__ == "__main__":
    main()
