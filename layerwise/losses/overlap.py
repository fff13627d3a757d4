"""Overlap losses for segmentation, Dice and Tversky: one minus a soft overlap ratio of
the predicted and the true masks, summed over `axis` (everything when it is None)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.losses.reduction import EPSILON, _tensor

__all__ = ["dice", "tversky"]


def _prepare(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_pred = _tensor(y_pred)
    return _tensor(y_true, y_pred.dtype), y_pred


def dice(y_true: Any, y_pred: Any, axis: Any = None) -> jax.Array:
    """`1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over `axis`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    axis = _axis(axis)
    overlap = jnp.sum(y_true * y_pred, axis=axis)
    total = jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis) + EPSILON
    return 1 - (2.0 * overlap) / total


def tversky(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Any = None
) -> jax.Array:
    """`1 - TP / (TP + alpha * FP + beta * FN + epsilon)` with soft counts over `axis`.

    Keras 3.15 pairs `alpha` with `sum(y_true * (1 - y_pred))` (missed positives) and
    `beta` with `sum(y_pred * (1 - y_true))`; we keep its pairing so numbers agree.
    alpha = beta = 0.5 gives the Dice loss.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    axis = _axis(axis)
    true_positive = jnp.sum(y_true * y_pred, axis=axis)
    missed = jnp.sum((1 - y_pred) * y_true, axis=axis)
    spurious = jnp.sum(y_pred * (1 - y_true), axis=axis)
    ratio = true_positive / (true_positive + missed * alpha + spurious * beta + EPSILON)
    return 1 - ratio


def _axis(axis: Any) -> Any:
    # Configs come back from JSON with lists where the user passed tuples.
    return tuple(axis) if isinstance(axis, list) else axis
