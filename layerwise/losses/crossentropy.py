"""Per-sample cross-entropy functions (binary, categorical, sparse, focal), and
`call_with_mask` for the ones whose result carries a mask in Keras."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.losses.circle import circle, circle_and_mask
from layerwise.losses.reduction import EPSILON, _tensor

__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
    "categorical_generalized_cross_entropy",
    "call_with_mask",
]


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}"
        )


def _log_probabilities(output: jax.Array, from_logits: bool, axis: int) -> jax.Array:
    """Log-probabilities as Keras's JAX backend computes them for (sparse) categorical CE."""
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    # Probabilities are renormalised to sum to one, then clipped away from 0 and 1.
    output = output / jnp.sum(output, axis, keepdims=True)
    output = jnp.clip(output, EPSILON, 1.0 - EPSILON)
    return jnp.log(output)


def _binary_crossentropy_elementwise(
    target: jax.Array, output: jax.Array, from_logits: bool
) -> jax.Array:
    if target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )
    if from_logits:
        return -1.0 * target * jax.nn.log_sigmoid(output) - (1.0 - target) * jax.nn.log_sigmoid(
            -output
        )
    output = jnp.clip(output, EPSILON, 1.0 - EPSILON)
    bce = target * jnp.log(output)
    bce += (1.0 - target) * jnp.log(1.0 - output)
    return -bce


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary cross-entropy, mean over `axis`.

    Probabilities are clipped to [1e-7, 1 - 1e-7] (Keras's JAX backend; the TF backend
    differs). Label smoothing moves labels towards 0.5: `y * (1 - s) + 0.5 * s`.
    """
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return jnp.mean(_binary_crossentropy_elementwise(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary cross-entropy scaled by `(1 - p_t) ** gamma` (and by alpha when balancing)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = _binary_crossentropy_elementwise(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        weight = y_true * alpha + (1 - y_true) * (1 - alpha)
        focal_bce = weight * focal_bce
    return jnp.mean(focal_bce, axis=axis)


def _warn_if_single_class(loss_name: str, y_pred: jax.Array) -> None:
    if y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {loss_name}, expected y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def _smooth_one_hot(y_true: jax.Array, label_smoothing: float, dtype: Any) -> jax.Array:
    num_classes = jnp.asarray(y_true.shape[-1], dtype)
    return y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """`-sum(y_true * log(p))` over `axis`, p normalised to sum 1 and clipped (or log_softmax)."""
    _check_axis(axis)
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true).astype(y_pred.dtype)
    _warn_if_single_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        y_true = _smooth_one_hot(y_true, label_smoothing, y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={y_true.shape}, output.shape={y_pred.shape}"
        )
    if y_true.ndim < 1:
        raise ValueError(
            "Arguments `target` and `output` must be at least rank 1. "
            f"Received: target.shape={y_true.shape}, output.shape={y_pred.shape}"
        )
    return -jnp.sum(y_true * _log_probabilities(y_pred, from_logits, axis), axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Categorical cross-entropy per class, scaled by `alpha * (1 - p) ** gamma`."""
    _check_axis(axis)
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true).astype(y_pred.dtype)
    _warn_if_single_class("categorical_focal_crossentropy", y_pred)
    if label_smoothing:
        y_true = _smooth_one_hot(y_true, label_smoothing, y_pred.dtype)
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    output = jnp.clip(output, EPSILON, 1.0 - EPSILON)
    cross_entropy = -y_true * jnp.log(output)
    weighting = jnp.power(1.0 - output, gamma) * alpha
    return jnp.sum(weighting * cross_entropy, axis=axis)


def _sparse_categorical_crossentropy_and_mask(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> tuple[jax.Array, jax.Array | None]:
    """Per-sample sparse CE and, with `ignore_class`, the mask of entries that count."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = jnp.squeeze(y_true, axis=axis)
    valid_mask = None
    if ignore_class is not None:
        class_axis = axis % y_pred.ndim
        loss_shape = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
        valid_mask = y_true != jnp.asarray(ignore_class, y_pred.dtype)
        y_true = jnp.where(valid_mask, y_true, 0)
        y_pred = jnp.where(jnp.expand_dims(valid_mask, axis), y_pred, 0)

    # Keras truncates the labels to int32, then builds one-hot targets.
    target = y_true.astype(jnp.int32)
    if target.ndim == y_pred.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    if y_pred.ndim < 1:
        raise ValueError(
            f"Argument `output` must be at least rank 1. Received: output.shape={y_pred.shape}"
        )
    if target.shape != y_pred.shape[:-1]:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last "
            f"dimension: target.shape={target.shape}, output.shape={y_pred.shape}"
        )
    log_prob = _log_probabilities(y_pred, from_logits, axis)
    one_hot = jax.nn.one_hot(target, y_pred.shape[axis], axis=axis)
    result = -jnp.sum(one_hot * log_prob, axis=axis)

    if valid_mask is not None:
        valid_mask = jnp.reshape(valid_mask, loss_shape)
        result = jnp.where(valid_mask, result, 0.0)
    return result, valid_mask


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> jax.Array:
    """Categorical CE with integer labels; entries labelled `ignore_class` give 0.

    (As a `Loss` object, ignored entries are also left out of the average.)
    """
    return _sparse_categorical_crossentropy_and_mask(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class, axis=axis
    )[0]


# Functions whose result carries a mask in Keras (a tensor attribute there). JAX arrays
# cannot carry attributes, so the wrappers call these variants to get the mask as well.
_FUNCTIONS_WITH_MASK: dict[Callable, Callable] = {
    sparse_categorical_crossentropy: _sparse_categorical_crossentropy_and_mask,
    circle: circle_and_mask,
}


def call_with_mask(fn: Callable, y_true: Any, y_pred: Any, **kwargs) -> tuple[Any, Any]:
    """`fn(y_true, y_pred, **kwargs)` plus the mask Keras would attach to its result."""
    masked_variant = _FUNCTIONS_WITH_MASK.get(fn)
    if masked_variant is not None:
        return masked_variant(y_true, y_pred, **kwargs)
    return fn(y_true, y_pred, **kwargs), None


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> jax.Array:
    """Generalized cross-entropy (Zhang & Sabuncu, 2018): `(1 - p ** q) / q`, where `p` is
    the predicted probability of the true (integer) class; q near 0 behaves like
    cross-entropy, q near 1 like mean absolute error."""
    y_pred = _tensor(y_pred)
    labels = jnp.asarray(y_true).astype("int32")
    one_hot = jax.nn.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype)
    probability = jnp.sum(y_pred * one_hot, axis=-1)
    return (1 - jnp.power(probability, q)) / q
