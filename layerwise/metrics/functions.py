"""Per-sample metric functions, and the table that finds them by name.

Each function maps a batch to one value per sample; `MeanMetricWrapper` averages them.
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise import losses
from layerwise.losses.reduction import squeeze_or_expand_to_same_rank
from layerwise.losses.serialization import LOSS_FUNCTIONS

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
]


def _divide_no_nan(x: jax.Array, y: jax.Array) -> jax.Array:
    safe_y = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x * y), x / safe_y)


def _argmax(x: Any, axis: int = -1) -> jax.Array:
    """argmax as Keras's JAX backend computes it.

    On CPU Keras replaces -0.0 by -tiny first (XLA's CPU argmax otherwise treats a
    flushed -0.0 as equal to 0.0), which changes which index wins such ties.
    """
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.floating) and x.ndim > 0 and jax.default_backend() == "cpu":
        x = x.astype(jnp.promote_types(x.dtype, jnp.float32))
        x = jnp.where((x == 0.0) & jnp.signbit(x), -jnp.finfo(x.dtype).tiny, x)
    return jnp.argmax(x, axis=axis)


def _in_top_k(targets: jax.Array, predictions: jax.Array, k: int) -> jax.Array:
    """Whether the target's score is among the k largest; ties count in the target's favour."""
    at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, -1), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(predictions > at_label, axis=-1)
    return rank <= k


def accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where y_true == y_pred exactly, else 0.0."""
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(jnp.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> jax.Array:
    """1.0 where `(y_pred > threshold)` equals y_true (strictly greater, as Keras)."""
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = (y_pred > jnp.asarray(threshold)).astype(y_true.dtype)
    return (y_true == predicted).astype(jnp.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where argmax(y_true) == argmax(y_pred); ties go to the first index."""
    y_pred = jnp.asarray(y_pred)
    y_true = _argmax(y_true, axis=-1).astype(y_pred.dtype)
    original_shape = y_true.shape
    reshape_matches = False
    if y_true.ndim == y_pred.ndim:
        y_true = jnp.squeeze(y_true, -1)
        reshape_matches = True
    predicted = _argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = (y_true == predicted).astype(jnp.float32)
    return jnp.reshape(matches, original_shape) if reshape_matches else matches


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where the integer label equals argmax(y_pred)."""
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    original_shape = y_true.shape
    reshape_matches = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
        reshape_matches = True
    predicted = _argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = (y_true == predicted).astype(jnp.float32)
    if reshape_matches:
        matches = jnp.reshape(matches, original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> jax.Array:
    """1.0 where the one-hot label's class is among the k highest predictions."""
    y_pred = jnp.asarray(y_pred)
    y_true = _argmax(jnp.asarray(y_true, y_pred.dtype), axis=-1)
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    reshape_matches = y_true.ndim > 1
    if reshape_matches:
        y_true = jnp.reshape(y_true, (-1,))
    matches = _in_top_k(y_true.astype(jnp.int32), y_pred, k).astype(jnp.float32)
    return jnp.reshape(matches, original_shape) if reshape_matches else matches


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> jax.Array:
    """1.0 where the integer label is among the k highest predictions.

    With `from_sorted_ids=True`, y_pred holds class ids sorted by score instead.
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype if from_sorted_ids else jnp.int32)
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    reshape_matches = y_true.ndim > 1
    if reshape_matches:
        y_true = jnp.reshape(y_true, (-1,))
    if from_sorted_ids:
        matches = jnp.any(jnp.expand_dims(y_true, 1) == y_pred[:, :k], axis=1)
    else:
        matches = _in_top_k(y_true, y_pred, k)
    matches = matches.astype(jnp.float32)
    return jnp.reshape(matches, original_shape) if reshape_matches else matches


def _cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Cosine similarity (positive, unlike the loss of the same name)."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


# Loss functions, used as per-sample metric functions (their metrics log as "down").
_LOSS_FUNCTIONS = frozenset(LOSS_FUNCTIONS)


# Per-sample functions a MeanMetricWrapper config may name (Keras searches losses first).
_FUNCTIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        accuracy,
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy,
    )
}
_FUNCTIONS.update({fn.__name__: fn for fn in _LOSS_FUNCTIONS})
