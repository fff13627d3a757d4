"""Pure helpers of the confusion-matrix metrics: threshold parsing and the
true/false positive/negative counts of one batch at each threshold."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.losses.reduction import EPSILON, squeeze_or_expand_to_same_rank

# Only helpers for `confusion` and `auc` live here; nothing is part of the public API.
__all__: list[str] = []


# Keras's threshold for "any score counts" when `top_k` is set.
NEG_INF = -1e10

_COUNT_NAMES = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def _parse_thresholds(thresholds: Any, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        values = [float(t) for t in np.asarray(thresholds, dtype=np.float64).reshape(-1)]
    else:
        values = [float(thresholds)]
    invalid = [t for t in values if t < 0 or t > 1]
    if invalid:
        raise ValueError(
            "Invalid value for argument `thresholds`. Expected values in [0, 1]. "
            f"Received: thresholds={thresholds!r}"
        )
    return values


def _evenly_spaced(thresholds: list[float]) -> bool:
    """Whether thresholds are i / (n - 1) for i = 0..n-1 (then a bucketed count is used)."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def _keep_top_k(x: jax.Array, k: int) -> jax.Array:
    """Scores outside the top k of the last axis become NEG_INF."""
    _, top_indices = jax.lax.top_k(x, k)
    in_top_k = jnp.sum(jax.nn.one_hot(top_indices, x.shape[-1], axis=-1), axis=-2)
    return x * in_top_k + NEG_INF * (1 - in_top_k)


def _bucketed_counts(
    y_true: jax.Array,
    y_pred: jax.Array,
    num_thresholds: int,
    sample_weight: jax.Array | None,
    label_weights: jax.Array | None,
    multi_label: bool,
    thresholds_with_epsilon: bool,
) -> dict[str, jax.Array]:
    """Confusion counts for evenly spaced thresholds in O(n + T) rather than O(n * T).

    Each prediction falls into the bucket of the thresholds it exceeds; a reversed
    cumulative sum over buckets gives the counts at every threshold.
    """
    dtype = y_pred.dtype
    weights = jnp.asarray(1.0, dtype)
    if sample_weight is not None:
        sample_weight = jnp.broadcast_to(sample_weight.astype(dtype), y_pred.shape)
        weights = sample_weight if multi_label else jnp.reshape(sample_weight, (-1,))
    if label_weights is not None:
        label_weights = jnp.broadcast_to(jnp.expand_dims(label_weights, 0), y_pred.shape)
        weights = weights * (label_weights if multi_label else jnp.reshape(label_weights, (-1,)))
    weights = weights.astype(y_true.dtype)

    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = y_true.astype(bool).astype(y_true.dtype)
    if not multi_label:
        y_true = jnp.reshape(y_true, (-1,))
        y_pred = jnp.reshape(y_pred, (-1,))
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights

    # A prediction p is above thresholds 0..ceil(p * (T - 1)) - 1. With the epsilon end
    # thresholds (-eps and 1 + eps) every p in [0, 1] is above the first one.
    bucket = jnp.ceil(y_pred * (jnp.asarray(num_thresholds, dtype) - 1)) - 1
    if thresholds_with_epsilon:
        bucket = jax.nn.relu(bucket)
    bucket = bucket.astype(jnp.int32)

    def per_bucket(labels: jax.Array, buckets: jax.Array) -> jax.Array:
        return jax.ops.segment_sum(labels, buckets, num_thresholds)

    if multi_label:
        true_labels, false_labels, bucket = true_labels.T, false_labels.T, bucket.T
        tp_buckets = jax.vmap(per_bucket)(true_labels, bucket)
        fp_buckets = jax.vmap(per_bucket)(false_labels, bucket)
        tp = jnp.flip(jnp.cumsum(jnp.flip(tp_buckets), axis=1)).T
        fp = jnp.flip(jnp.cumsum(jnp.flip(fp_buckets), axis=1)).T
        total_true, total_false = jnp.sum(true_labels, axis=1), jnp.sum(false_labels, axis=1)
    else:
        tp = jnp.flip(jnp.cumsum(jnp.flip(per_bucket(true_labels, bucket))))
        fp = jnp.flip(jnp.cumsum(jnp.flip(per_bucket(false_labels, bucket))))
        total_true, total_false = jnp.sum(true_labels), jnp.sum(false_labels)
    return {
        "true_positives": tp,
        "false_positives": fp,
        "true_negatives": total_false - fp,
        "false_negatives": total_true - tp,
    }


def _thresholded_counts(
    y_true: jax.Array,
    y_pred: jax.Array,
    thresholds: jax.Array,
    sample_weight: jax.Array | None,
    label_weights: jax.Array | None,
    multi_label: bool,
) -> dict[str, jax.Array]:
    """Confusion counts by comparing every prediction with every threshold."""
    if multi_label:
        predictions = y_pred[None]  # (1, n, labels)
        labels = y_true.astype(bool)[None]
        threshold_grid = thresholds[:, None, None]
    else:
        predictions = jnp.reshape(y_pred, (1, -1))
        labels = jnp.reshape(y_true.astype(bool), (1, -1))
        threshold_grid = thresholds[:, None]
    predicted_positive = predictions > threshold_grid
    label_positive = jnp.broadcast_to(labels, predicted_positive.shape)

    weights = None
    if sample_weight is not None:
        weights = jnp.broadcast_to(sample_weight.astype(y_pred.dtype), y_pred.shape)
        weights = jnp.reshape(weights, predictions.shape)
    if label_weights is not None and not multi_label:
        label_weights = jnp.broadcast_to(jnp.expand_dims(label_weights, 0), y_pred.shape)
        label_weights = jnp.reshape(label_weights, predictions.shape)
        weights = label_weights if weights is None else weights * label_weights

    def count(label: jax.Array, predicted: jax.Array) -> jax.Array:
        both = jnp.logical_and(label, predicted)
        if weights is None:
            return jnp.sum(both.astype(y_pred.dtype), axis=1)
        return jnp.sum(jnp.where(both, jnp.broadcast_to(weights, both.shape), 0.0), axis=1)

    return {
        "true_positives": count(label_positive, predicted_positive),
        "false_positives": count(~label_positive, predicted_positive),
        "true_negatives": count(~label_positive, ~predicted_positive),
        "false_negatives": count(label_positive, ~predicted_positive),
    }


def _confusion_counts(
    y_true: Any,
    y_pred: Any,
    thresholds: list[float],
    *,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
    thresholds_evenly_spaced: bool = False,
    dtype: str = "float32",
) -> dict[str, jax.Array]:
    """True/false positive/negative counts of one batch at each threshold (pure).

    A prediction is positive at threshold t when `y_pred > t`; any nonzero label is
    positive. Shapes: (len(thresholds),), or (len(thresholds), labels) if multi_label.
    """
    y_true = jnp.asarray(y_true).astype(dtype)
    y_pred = jnp.asarray(y_pred).astype(dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = jnp.expand_dims(jnp.asarray(sample_weight).astype(dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if label_weights is not None:
        label_weights = jnp.asarray(label_weights, dtype)
    if top_k is not None:
        y_pred = _keep_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if thresholds_evenly_spaced:
        with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        return _bucketed_counts(
            y_true, y_pred, len(thresholds), sample_weight, label_weights, multi_label, with_epsilon
        )
    threshold_array = jnp.asarray(thresholds, dtype)
    return _thresholded_counts(
        y_true, y_pred, threshold_array, sample_weight, label_weights, multi_label
    )
