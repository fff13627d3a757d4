"""Shared constants, rank matching, masking and the reductions `Loss.__call__` applies."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

__all__ = [
    "EPSILON",
    "REDUCTIONS",
    "squeeze_or_expand_to_same_rank",
    "standardize_reduction",
    "apply_mask",
    "reduce_weighted_values",
]


# Keras's `backend.epsilon()`: the fuzz factor used for clipping and safe division.
EPSILON = 1e-7

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def _tensor(x: Any, dtype: Any = None) -> jax.Array:
    return jnp.asarray(x, dtype=dtype)


def squeeze_or_expand_to_same_rank(
    x1: jax.Array, x2: jax.Array, expand_rank_1: bool = True
) -> tuple[jax.Array, jax.Array]:
    """Make ranks equal when they differ by one and the longer one ends in a 1.

    This is why labels of shape (n,) work against predictions of shape (n, 1): the
    rank-1 side is expanded (or, when `expand_rank_1=False` or ranks are higher, the
    trailing 1 is squeezed).
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2:
        return x1, x2
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def standardize_reduction(reduction: str | None) -> str | None:
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


def _divide_no_nan(x: jax.Array, y: jax.Array) -> jax.Array:
    safe_y = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x * y), x / safe_y)


def apply_mask(
    sample_weight: jax.Array | None, mask: jax.Array | None, dtype: Any, reduction: str | None
) -> jax.Array | None:
    """Fold a boolean mask into the sample weights, as Keras does before reducing.

    For the averaging reductions the valid entries are scaled by `total / valid`, so
    the average runs over the valid entries only, not over the whole batch.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = jnp.asarray(mask.size, dtype)
        valid = jnp.sum(mask.astype(dtype))
        float_mask = jnp.where(mask.astype(bool), _divide_no_nan(total, valid), 0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = sample_weight.astype(dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def _reduce_values(
    values: jax.Array, sample_weight: jax.Array | None, reduction: str | None
) -> jax.Array:
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = jnp.sum(sample_weight).astype(loss.dtype)
    else:
        divisor = jnp.asarray(values.size, loss.dtype)
    return _divide_no_nan(loss, divisor)


def reduce_weighted_values(
    values: Any,
    sample_weight: Any = None,
    mask: Any = None,
    reduction: str | None = "sum_over_batch_size",
    dtype: Any = "float32",
) -> jax.Array:
    """Weight per-sample `values` by `sample_weight` and `mask`, then reduce.

    Reductions: "sum" adds everything; "sum_over_batch_size" and "mean" divide the sum
    by the number of values; "mean_with_sample_weight" divides by the sum of the
    weights (by the number of values when there are none); "none"/None keeps the
    weighted values.
    """
    reduction = standardize_reduction(reduction)
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, dtype)
    if mask is not None:
        mask = _tensor(mask)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return _reduce_values(values, sample_weight, reduction)
