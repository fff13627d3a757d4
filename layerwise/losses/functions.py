"""Per-sample regression, hinge and probabilistic loss functions: each reduces the last
axis and returns one loss per sample."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.losses.reduction import EPSILON, _tensor, squeeze_or_expand_to_same_rank

__all__ = [
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "cosine_similarity",
    "huber",
    "log_cosh",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "poisson",
]


def _prepare(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    """y_pred as an array, y_true in y_pred's dtype, ranks matched."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> jax.Array:
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = jnp.asarray(EPSILON, y_pred.dtype)
    ratio = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), epsilon))
    return 100.0 * jnp.mean(ratio, axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = jnp.asarray(EPSILON, jnp.float32)
    first_log = jnp.log(jnp.maximum(y_pred, epsilon) + 1.0)
    second_log = jnp.log(jnp.maximum(y_true, epsilon) + 1.0)
    return jnp.mean(jnp.square(first_log - second_log), axis=-1)


def _l2_normalize(x: jax.Array, axis: int) -> jax.Array:
    # Keras multiplies by a clipped rsqrt rather than dividing by the norm; the two
    # differ in the last bit, so do the same.
    square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    inverse_norm = jnp.minimum(jax.lax.rsqrt(square_sum), 1.0 / EPSILON)
    return x * inverse_norm


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Negative cosine similarity: `-sum(l2_normalize(y_true) * l2_normalize(y_pred))`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return -jnp.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> jax.Array:
    """Quadratic for |error| <= delta, linear beyond: mean over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    half = jnp.asarray(0.5, abs_error.dtype)
    per_entry = jnp.where(
        abs_error <= delta, half * jnp.square(error), delta * abs_error - half * jnp.square(delta)
    )
    return jnp.mean(per_entry, axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _prepare(y_true, y_pred)
    log2 = jnp.asarray(jnp.log(2.0), y_pred.dtype)
    error = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2) stays finite for large |x|.
    return jnp.mean(error + jax.nn.softplus(error * -2.0) - log2, axis=-1)


def _labels_to_plus_minus_one(y_true: jax.Array) -> jax.Array:
    """Hinge losses want labels in {-1, 1}; labels in {0, 1} are converted."""
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)` with {0,1} labels mapped to {-1,1}."""
    y_pred = _tensor(y_pred)
    y_true = _labels_to_plus_minus_one(_tensor(y_true, y_pred.dtype))
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`."""
    y_pred = _tensor(y_pred)
    y_true = _labels_to_plus_minus_one(_tensor(y_true, y_pred.dtype))
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    positive = jnp.sum(y_true * y_pred, axis=-1)
    negative = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(negative - positive + 1.0, jnp.asarray(0.0, y_pred.dtype))


def kl_divergence(y_true: Any, y_pred: Any) -> jax.Array:
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to [epsilon, 1]."""
    y_pred = _tensor(y_pred)
    y_true = jnp.clip(_tensor(y_true, y_pred.dtype), EPSILON, 1)
    y_pred = jnp.clip(y_pred, EPSILON, 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> jax.Array:
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    epsilon = jnp.asarray(EPSILON, y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + epsilon), axis=-1)
