"""The JAX reference for the sequence workloads: W4 (an LSTM) and W5 (a Transformer encoder).

The same "limit" as `engine_jax` (one jitted `lax.scan` per epoch, data on the device
once, the partial last batch included), written the plain way a JAX user would, with
Keras's initialisation so that the final metrics are comparable with the other engines.

W4's LSTM projects the inputs of every step with one 2-D matmul, then scans over time
with only the recurrent matmul inside the loop. W5's attention reshapes to heads and uses
einsums; its four projections are (64, 64) matmuls with biases.
"""
from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

import workloads
from engine_jax import (_EPSILON, _fit, _glorot_uniform, binary_correct, binary_crossentropy,
                        make_epoch)

__all__ = [
    "init_w4", "init_w5", "layer_norm", "lstm_last_state", "multi_head_attention",
    "sparse_categorical_correct", "sparse_categorical_crossentropy", "train_w4", "train_w5",
    "w4_apply", "w5_apply",
]

_EMBEDDING_LIMIT = 0.05  # Keras's Embedding draws uniform in [-0.05, 0.05]


def _uniform(generator: np.random.Generator, shape: tuple[int, ...]) -> jax.Array:
    return jnp.asarray(generator.uniform(-_EMBEDDING_LIMIT, _EMBEDDING_LIMIT, shape)
                       .astype(np.float32))


def _orthogonal(generator: np.random.Generator, shape: tuple[int, int]) -> jax.Array:
    """Keras's orthogonal initializer (gain 1): orthonormal rows or columns, whichever fit."""
    rows, columns = shape
    normal = generator.standard_normal((max(rows, columns), min(rows, columns)))
    q, r = np.linalg.qr(normal)
    q *= np.sign(np.diag(r))  # makes the result uniformly distributed over orthogonal sets
    matrix = q.T if rows < columns else q
    return jnp.asarray(matrix.astype(np.float32))


def _zeros(size: int) -> jax.Array:
    return jnp.asarray(np.zeros((size,), np.float32))


def _dense(generator: np.random.Generator, fan_in: int, fan_out: int) -> dict:
    return {"kernel": _glorot_uniform(generator, (fan_in, fan_out)), "bias": _zeros(fan_out)}


def init_w4(seed: int = 0) -> dict:
    """Embedding table, LSTM kernels and bias (forget gate at 1), output unit."""
    generator = np.random.default_rng(seed)
    width, units = workloads.W4_WIDTH, workloads.W4_UNITS
    bias = np.zeros((4 * units,), np.float32)
    bias[units:2 * units] = 1.0  # Keras's unit_forget_bias; gates ordered i, f, c, o
    return {
        "embeddings": _uniform(generator, (workloads.W4_VOCABULARY, width)),
        "lstm": {"kernel": _glorot_uniform(generator, (width, 4 * units)),
                 "recurrent_kernel": _orthogonal(generator, (units, 4 * units)),
                 "bias": jnp.asarray(bias)},
        "output": _dense(generator, units, 1),
    }


def lstm_last_state(lstm: dict, inputs: jax.Array) -> jax.Array:
    """The last hidden state of an LSTM over time-major `inputs` (time, batch, features)."""
    steps, batch, features = inputs.shape
    units = lstm["recurrent_kernel"].shape[0]
    # Every step's input projection at once: one (time*batch, features) matmul.
    projected = inputs.reshape(steps * batch, features) @ lstm["kernel"] + lstm["bias"]
    projected = projected.reshape(steps, batch, 4 * units)

    def step(carry, projected_t):
        hidden, cell = carry
        z = projected_t + hidden @ lstm["recurrent_kernel"]
        input_gate, forget_gate, candidate, output_gate = jnp.split(z, 4, axis=-1)
        cell = (jax.nn.sigmoid(forget_gate) * cell
                + jax.nn.sigmoid(input_gate) * jnp.tanh(candidate))
        hidden = jax.nn.sigmoid(output_gate) * jnp.tanh(cell)
        return (hidden, cell), None

    zeros = jnp.zeros((batch, units), inputs.dtype)
    (hidden, _), _ = lax.scan(step, (zeros, zeros), projected)
    return hidden


def w4_apply(params, x, key=None, training=False):
    # Looking the tokens up transposed gives the time-major sequence the scan walks.
    embedded = params["embeddings"][x.T]
    hidden = lstm_last_state(params["lstm"], embedded)
    output = params["output"]
    return jax.nn.sigmoid(hidden @ output["kernel"] + output["bias"])


def init_w5(seed: int = 0) -> dict:
    """Token and position tables, two encoder blocks, the softmax classifier."""
    generator = np.random.default_rng(seed)
    width, hidden = workloads.W5_WIDTH, workloads.W5_FEED_FORWARD

    def norm() -> dict:
        return {"gamma": jnp.asarray(np.ones((width,), np.float32)), "beta": _zeros(width)}

    # Keras's MultiHeadAttention draws its (64, 4, 16) and (4, 16, 64) kernels with the
    # fans of a (64, 64) matrix, so a plain 2-D Glorot draw has the same distribution.
    blocks = [{"query": _dense(generator, width, width), "key": _dense(generator, width, width),
               "value": _dense(generator, width, width),
               "attention_output": _dense(generator, width, width), "norm_1": norm(),
               "feed_forward_1": _dense(generator, width, hidden),
               "feed_forward_2": _dense(generator, hidden, width), "norm_2": norm()}
              for _ in range(workloads.W5_BLOCKS)]
    return {"tokens": _uniform(generator, (workloads.W5_VOCABULARY, width)),
            "positions": _uniform(generator, (workloads.W5_LENGTH, width)),
            "blocks": blocks, "output": _dense(generator, width, workloads.W5_CLASSES)}


def _affine(layer: dict, x: jax.Array) -> jax.Array:
    return x @ layer["kernel"] + layer["bias"]


def layer_norm(norm: dict, x: jax.Array) -> jax.Array:
    mean = jnp.mean(x, axis=-1, keepdims=True)
    variance = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    normalized = (x - mean) * lax.rsqrt(variance + workloads.W5_NORM_EPSILON)
    return normalized * norm["gamma"] + norm["beta"]


def multi_head_attention(block: dict, x: jax.Array) -> jax.Array:
    """Self-attention of `x` (batch, time, width) with W5's heads, no mask."""
    batch, steps, width = x.shape
    heads, key_dim = workloads.W5_HEADS, workloads.W5_KEY_DIM

    def split_heads(name: str) -> jax.Array:
        return _affine(block[name], x).reshape(batch, steps, heads, key_dim)

    query, key, value = split_heads("query"), split_heads("key"), split_heads("value")
    scores = jnp.einsum("bqhd,bkhd->bhqk", query, key) / np.sqrt(key_dim)
    weights = jax.nn.softmax(scores, axis=-1)
    attended = jnp.einsum("bhqk,bkhd->bqhd", weights, value).reshape(batch, steps, width)
    return _affine(block["attention_output"], attended)


def w5_apply(params, x, key=None, training=False):
    x = params["tokens"][x] + params["positions"]
    for block in params["blocks"]:
        x = layer_norm(block["norm_1"], x + multi_head_attention(block, x))
        feed_forward = jax.nn.relu(_affine(block["feed_forward_1"], x))
        x = layer_norm(block["norm_2"], x + _affine(block["feed_forward_2"], feed_forward))
    return jax.nn.softmax(_affine(params["output"], jnp.mean(x, axis=1)), axis=-1)


def sparse_categorical_crossentropy(y_pred, y_true):
    p = jnp.take_along_axis(y_pred, y_true[:, None], axis=-1)
    return -jnp.mean(jnp.log(jnp.clip(p, _EPSILON, 1 - _EPSILON)))


def sparse_categorical_correct(y_pred, y_true):
    return jnp.sum(jnp.argmax(y_pred, -1) == y_true).astype(jnp.float32)


def _train(apply, params, loss_fn, correct_fn, x, y, epochs, batch_size,
           start: float) -> dict[str, Any]:
    """Keras's Adam defaults (learning rate 0.001, epsilon 1e-7), no dropout, timed from `start`."""
    optimizer = optax.adam(0.001, eps=_EPSILON)
    epoch_fn = make_epoch(apply, loss_fn, correct_fn, optimizer, x.shape[0], batch_size,
                          uses_rng=False)
    stamps, logs = _fit(params, optimizer, epoch_fn, x, y, epochs)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def train_w4(epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w4_data(rows)
    np.random.seed(0)
    start = time.perf_counter()
    x, y = jnp.asarray(x), jnp.asarray(y.reshape(-1, 1))
    return _train(w4_apply, init_w4(), binary_crossentropy, binary_correct, x, y, epochs,
                  workloads.W4_BATCH, start)


def train_w5(epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w5_data(rows)
    np.random.seed(0)
    start = time.perf_counter()
    x, y = jnp.asarray(x), jnp.asarray(y)
    return _train(w5_apply, init_w5(), sparse_categorical_crossentropy,
                  sparse_categorical_correct, x, y, epochs, workloads.W5_BATCH, start)
