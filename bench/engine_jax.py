"""The limit: a hand-written JAX + optax loop, one jitted `lax.scan` per epoch.

Data goes to the device once; each epoch's order is drawn on the host (as layerwise and
Keras draw it) and the gather, forward, backward, optax update and the loss/accuracy sums
run inside one compiled program, the partial last batch included. The host reads the
epoch's two numbers once. Validation is one jitted full-array forward pass.

W3's convolutions are im2col (the kernel-offset windows concatenated along channels, one
matmul) and its max pooling a reshape, the formulations layerwise uses on CPU because
XLA's CPU convolution is many times slower inside a scan; written here in plain JAX.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

import workloads

__all__ = [
    "conv_valid", "init_mlp", "init_w3", "make_epoch", "max_pool", "predictors",
    "train_w1", "train_w2", "train_w3", "w1_apply", "w2_apply", "w3_apply",
]

_EPSILON = 1e-7
_ACTIVATIONS = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
                "softmax": lambda z: jax.nn.softmax(z, axis=-1)}


def init_mlp(sizes: list[tuple[int, int]], seed: int = 0) -> list[dict]:
    """Glorot-uniform kernels and zero biases, as Keras's Dense.

    Drawn with numpy: eager `jax.random` calls would each compile a small program.
    """
    generator = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in sizes:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        kernel = generator.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
        params.append({"kernel": jnp.asarray(kernel),
                       "bias": jnp.asarray(np.zeros((fan_out,), np.float32))})
    return params


def w1_apply(params, x, key=None, training=False):
    for layer, (_, _, activation) in zip(params, workloads.W1_LAYERS):
        x = _ACTIVATIONS[activation](x @ layer["kernel"] + layer["bias"])
    return x


def w2_apply(params, x, key=None, training=False):
    hidden = jax.nn.sigmoid(x @ params[0]["kernel"] + params[0]["bias"])
    if training:
        keep = 1.0 - workloads.W2_DROPOUT
        mask = jax.random.bernoulli(key, keep, hidden.shape)
        hidden = jnp.where(mask, hidden / keep, 0.0)
    return jax.nn.softmax(hidden @ params[1]["kernel"] + params[1]["bias"], axis=-1)


def _glorot_uniform(generator: np.random.Generator, shape: tuple[int, ...]) -> jax.Array:
    """Keras's glorot_uniform: fans are the last two axes times the receptive field."""
    receptive_field = int(np.prod(shape[:-2]))
    fan_in, fan_out = shape[-2] * receptive_field, shape[-1] * receptive_field
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jnp.asarray(generator.uniform(-limit, limit, shape).astype(np.float32))


def init_w3(seed: int = 0) -> list[dict]:
    """Two (k, k, in, out) conv kernels and a dense kernel, Glorot-uniform; zero biases."""
    generator = np.random.default_rng(seed)
    size, channels = workloads.W3_KERNEL, workloads.W3_IMAGE_SHAPE[-1]
    side = workloads.W3_IMAGE_SHAPE[0]
    shapes = []
    for filters in workloads.W3_FILTERS:
        shapes.append((size, size, channels, filters))
        channels = filters
        side = (side - size + 1) // workloads.W3_POOL
    shapes.append((side * side * channels, workloads.W3_CLASSES))
    return [{"kernel": _glorot_uniform(generator, shape),
             "bias": jnp.asarray(np.zeros((shape[-1],), np.float32))} for shape in shapes]


def conv_valid(x, kernel):
    """Stride-1 "valid" convolution of NHWC `x` with a (k, k, in, out) kernel, as im2col."""
    size = kernel.shape[0]
    height, width = x.shape[1] - size + 1, x.shape[2] - size + 1
    windows = [x[:, i:i + height, j:j + width, :] for i in range(size) for j in range(size)]
    # Channel index (offset, channel) of the patches matches kernel.reshape(-1, filters).
    patches = jnp.concatenate(windows, axis=-1).reshape(-1, size * size * x.shape[-1])
    outputs = patches @ kernel.reshape(-1, kernel.shape[-1])
    return outputs.reshape(x.shape[0], height, width, kernel.shape[-1])


def max_pool(x, pool):
    """Non-overlapping max pooling of NHWC `x` ("valid": odd edges dropped) by a reshape."""
    rows, height, width, channels = x.shape
    height, width = height // pool, width // pool
    x = x[:, :height * pool, :width * pool, :]
    return x.reshape(rows, height, pool, width, pool, channels).max(axis=(2, 4))


def w3_apply(params, x, key=None, training=False):
    for layer in params[:-1]:
        x = max_pool(jax.nn.relu(conv_valid(x, layer["kernel"]) + layer["bias"]),
                     workloads.W3_POOL)
    x = x.reshape(x.shape[0], -1)
    if training:
        keep = 1.0 - workloads.W3_DROPOUT
        mask = jax.random.bernoulli(key, keep, x.shape)
        x = jnp.where(mask, x / keep, 0.0)
    return jax.nn.softmax(x @ params[-1]["kernel"] + params[-1]["bias"], axis=-1)


def binary_crossentropy(y_pred, y_true):
    p = jnp.clip(y_pred, _EPSILON, 1 - _EPSILON)
    return -jnp.mean(y_true * jnp.log(p) + (1 - y_true) * jnp.log(1 - p))


def categorical_crossentropy(y_pred, y_true):
    p = jnp.clip(y_pred, _EPSILON, 1 - _EPSILON)
    return -jnp.mean(jnp.sum(y_true * jnp.log(p), axis=-1))


def binary_correct(y_pred, y_true):
    return jnp.sum((y_pred > 0.5).astype(jnp.float32) == y_true)


def categorical_correct(y_pred, y_true):
    return jnp.sum(jnp.argmax(y_pred, -1) == jnp.argmax(y_true, -1)).astype(jnp.float32)


def make_epoch(apply: Callable, loss_fn: Callable, correct_fn: Callable,
               optimizer: optax.GradientTransformation, rows: int, batch_size: int,
               uses_rng: bool) -> Callable:
    """A jitted `epoch(params, opt_state, key, x, y, order) -> (params, opt_state, key, sums)`."""
    num_full, tail = divmod(rows, batch_size)

    def step(carry, indices, x, y):
        params, opt_state, key, loss_sum, correct = carry
        dropout_key = None
        if uses_rng:
            key, dropout_key = jax.random.split(key)
        x_batch, y_batch = x[indices], y[indices]

        def loss_of(p):
            y_pred = apply(p, x_batch, dropout_key, training=True)
            return loss_fn(y_pred, y_batch), y_pred

        (loss, y_pred), grads = jax.value_and_grad(loss_of, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        count = indices.shape[0]
        return (params, opt_state, key, loss_sum + loss * count,
                correct + correct_fn(y_pred, y_batch))

    def epoch(params, opt_state, key, x, y, order):
        zero = jnp.zeros((), jnp.float32)
        carry = (params, opt_state, key, zero, zero)
        full = order[:num_full * batch_size].reshape(num_full, batch_size)
        carry, _ = lax.scan(lambda c, indices: (step(c, indices, x, y), None), carry, full)
        if tail:
            carry = step(carry, order[num_full * batch_size:], x, y)
        params, opt_state, key, loss_sum, correct = carry
        return params, opt_state, key, jnp.stack([loss_sum / rows, correct / rows])

    return jax.jit(epoch, donate_argnums=(0, 1))


def _fit(params, optimizer, epoch_fn, x, y, epochs, evaluate=None) -> tuple[list, dict]:
    opt_state = jax.jit(optimizer.init)(params)  # one program, not one per zeros_like
    # A raw uint32[2] key, as PRNGKey(1) would give, without compiling a seeding program.
    key = jnp.asarray(np.array([0, 1], np.uint32))
    rows = x.shape[0]
    stamps = [time.perf_counter()]
    logs: dict[str, float] = {}
    for _ in range(epochs):
        order = jnp.asarray(np.random.permutation(rows).astype(np.int32))
        params, opt_state, key, sums = epoch_fn(params, opt_state, key, x, y, order)
        loss, accuracy = np.asarray(sums).tolist()
        logs = {"loss": loss, "accuracy": accuracy}
        if evaluate is not None:
            val_loss, val_accuracy = np.asarray(evaluate(params)).tolist()
            logs.update(val_loss=val_loss, val_accuracy=val_accuracy)
        stamps.append(time.perf_counter())
    return stamps, logs


def train_w1(epochs: int) -> dict[str, Any]:
    x, y = workloads.w1_data()
    np.random.seed(0)
    start = time.perf_counter()
    # Converted on the host: an eager jnp conversion would compile a program each.
    x = jnp.asarray(x.astype(np.float32))
    y = jnp.asarray(y.astype(np.float32).reshape(-1, 1))
    params = init_mlp([(i, o) for i, o, _ in workloads.W1_LAYERS])
    optimizer = optax.adam(workloads.W1_LEARNING_RATE, eps=_EPSILON)
    epoch_fn = make_epoch(w1_apply, binary_crossentropy, binary_correct, optimizer,
                          x.shape[0], workloads.W1_BATCH, uses_rng=False)
    stamps, logs = _fit(params, optimizer, epoch_fn, x, y, epochs)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def train_w2(optimizer_name: str, epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w2_data(rows)
    np.random.seed(0)
    start = time.perf_counter()
    (x, y), (x_val, y_val) = workloads.split_for_validation(
        x, y, workloads.W2_VALIDATION_SPLIT)
    x, y, x_val, y_val = (jnp.asarray(a) for a in (x, y, x_val, y_val))
    params = init_mlp([(workloads.W2_FEATURES, workloads.W2_HIDDEN),
                       (workloads.W2_HIDDEN, workloads.W2_CLASSES)])
    rate = workloads.W2_LEARNING_RATES[optimizer_name]
    optimizer = optax.sgd(rate) if optimizer_name == "sgd" else optax.adam(rate, eps=_EPSILON)
    epoch_fn = make_epoch(w2_apply, categorical_crossentropy, categorical_correct, optimizer,
                          x.shape[0], workloads.W2_BATCH, uses_rng=True)

    @jax.jit
    def evaluate(params):
        y_pred = w2_apply(params, x_val)
        return jnp.stack([categorical_crossentropy(y_pred, y_val),
                          categorical_correct(y_pred, y_val) / y_val.shape[0]])

    stamps, logs = _fit(params, optimizer, epoch_fn, x, y, epochs, evaluate)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def train_w3(epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w3_data(rows)
    np.random.seed(0)
    start = time.perf_counter()
    x, y = jnp.asarray(x), jnp.asarray(y)
    params = init_w3()
    optimizer = optax.adam(workloads.W3_LEARNING_RATE, eps=_EPSILON)
    epoch_fn = make_epoch(w3_apply, categorical_crossentropy, categorical_correct, optimizer,
                          x.shape[0], workloads.W3_BATCH, uses_rng=True)
    stamps, logs = _fit(params, optimizer, epoch_fn, x, y, epochs)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def predictors(which: str) -> tuple[Any, Any, np.ndarray]:
    """(predict(x), call(x), inputs): one jitted forward over all rows, results as numpy."""
    if which == "w1":
        params = init_mlp([(i, o) for i, o, _ in workloads.W1_LAYERS])
        apply = w1_apply
        inputs = np.tile(workloads.w1_data()[0].astype(np.float32), (10, 1))
    else:
        params = init_mlp([(workloads.W2_FEATURES, workloads.W2_HIDDEN),
                           (workloads.W2_HIDDEN, workloads.W2_CLASSES)])
        apply = w2_apply
        inputs = workloads.w2_data(10000)[0]
    forward = jax.jit(apply)

    def predict(x):
        return np.asarray(forward(params, x))

    return predict, predict, inputs
