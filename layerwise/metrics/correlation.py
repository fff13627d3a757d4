"""Correlation metrics: `pearson_correlation` and `concordance_correlation` (per sample,
along `axis`), and the `PearsonCorrelation` and `ConcordanceCorrelation` means of them."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.losses.reduction import EPSILON, _tensor, squeeze_or_expand_to_same_rank
from layerwise.metrics.mean_metrics import _BuiltinMeanMetric

__all__ = [
    "pearson_correlation",
    "concordance_correlation",
    "PearsonCorrelation",
    "ConcordanceCorrelation",
]


def _prepare(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Pearson's correlation coefficient of y_true and y_pred along `axis`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    true_centred = y_true - jnp.mean(y_true, axis=axis, keepdims=True)
    pred_centred = y_pred - jnp.mean(y_pred, axis=axis, keepdims=True)
    true_centred = true_centred / jnp.std(true_centred, axis=axis, keepdims=True)
    pred_centred = pred_centred / jnp.std(pred_centred, axis=axis, keepdims=True)
    return jnp.mean(true_centred * pred_centred, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Lin's concordance correlation coefficient along `axis`.

    As in Keras 3.15, the covariance term centres y_true on y_pred's mean.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_mean = jnp.mean(y_true, axis=axis, keepdims=True)
    pred_mean = jnp.mean(y_pred, axis=axis, keepdims=True)
    true_variance = jnp.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_variance = jnp.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_variance + pred_variance + jnp.square(true_mean - pred_mean)
    return jnp.mean(2 * covariance / (norm + EPSILON), axis=axis)


class PearsonCorrelation(_BuiltinMeanMetric):
    """Mean over samples of Pearson's correlation along `axis`."""

    config_options = ("axis",)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name, dtype, "up", axis=axis)


class ConcordanceCorrelation(_BuiltinMeanMetric):
    """Mean over samples of the concordance correlation along `axis`."""

    config_options = ("axis",)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name, dtype, "up", axis=axis)
