"""Losses with Keras 3's names, formulas (JAX backend), reductions and configs.

Two layers, as in Keras:

* pure per-sample functions (`mean_squared_error(y_true, y_pred)` ...) that reduce the
  last axis and return one loss per sample;
* `Loss` objects whose `__call__(y_true, y_pred, sample_weight=None)` applies the
  function, weights it and reduces it to a scalar. `__call__` is pure jnp code, so the
  trainer calls it inside its compiled step.

The formulas follow Keras's JAX backend exactly, including where it clips
probabilities to `[1e-7, 1 - 1e-7]`, so the numbers agree to float32 rounding.
"""

from __future__ import annotations

import difflib
import inspect
import warnings
from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.engine import naming

__all__ = [
    "EPSILON",
    "REDUCTIONS",
    "Loss",
    "LossFunctionWrapper",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "CosineSimilarity",
    "Huber",
    "LogCosh",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "KLDivergence",
    "Poisson",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "SparseCategoricalCrossentropy",
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
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
    "mse",
    "MSE",
    "mae",
    "MAE",
    "mape",
    "MAPE",
    "msle",
    "MSLE",
    "kld",
    "KLD",
    "bce",
    "BCE",
    "logcosh",
    "huber_loss",
    "kullback_leibler_divergence",
    "squeeze_or_expand_to_same_rank",
    "reduce_weighted_values",
    "get",
    "serialize",
    "deserialize",
    "resolve_compile_loss",
]

# Keras's `backend.epsilon()`: the fuzz factor used for clipping and safe division.
EPSILON = 1e-7

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def _tensor(x: Any, dtype: Any = None) -> jax.Array:
    return jnp.asarray(x, dtype=dtype)


# --------------------------------------------------------------------------------------
# Rank matching and reduction
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Per-sample loss functions
# --------------------------------------------------------------------------------------


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
}


def call_with_mask(fn: Callable, y_true: Any, y_pred: Any, **kwargs) -> tuple[Any, Any]:
    """`fn(y_true, y_pred, **kwargs)` plus the mask Keras would attach to its result."""
    masked_variant = _FUNCTIONS_WITH_MASK.get(fn)
    if masked_variant is not None:
        return masked_variant(y_true, y_pred, **kwargs)
    return fn(y_true, y_pred, **kwargs), None


# Short names Keras accepts as loss identifiers (and the Keras 2 names old code uses).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh
huber_loss = huber


# --------------------------------------------------------------------------------------
# Loss objects
# --------------------------------------------------------------------------------------


class Loss:
    """Base class: `__call__` computes per-sample losses with `call`, weights and reduces them.

    Args:
        name: the loss's name (snake_case of the class, made unique, by default).
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None.
        dtype: dtype the inputs are cast to (float32 by default).
    """

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
    ):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = jnp.dtype(dtype or "float32").name

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None, *, mask: Any = None
    ) -> jax.Array:
        """The reduced loss (a scalar unless reduction is "none").

        `mask` (keyword only; Keras reads it off `y_pred`) marks the entries that count.
        """
        y_pred = jax.tree_util.tree_map(lambda x: _tensor(x, self.dtype), y_pred)
        y_true = jax.tree_util.tree_map(lambda x: _tensor(x, self.dtype), y_true)
        losses, loss_mask = self._losses_and_mask(y_true, y_pred)
        if mask is not None and loss_mask is not None:
            mask = jnp.logical_and(_tensor(mask, bool), loss_mask)
        elif loss_mask is not None:
            mask = loss_mask
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def call(self, y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def _losses_and_mask(self, y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array | None]:
        return self.call(y_true, y_pred), None

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Ranks of y_true and y_pred are matched first (so (n,) labels work with (n, 1)
    predictions), as in Keras.
    """

    def __init__(
        self,
        fn: Callable,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs,
    ):
        if not callable(fn):
            raise TypeError(
                f"Invalid value for argument `fn`. Expected a callable. Received: fn={fn!r}"
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def _losses_and_mask(self, y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array | None]:
        if isinstance(y_true, jax.Array) and isinstance(y_pred, jax.Array):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return call_with_mask(self.fn, y_true, y_pred, **self._fn_kwargs)

    def call(self, y_true: Any, y_pred: Any) -> jax.Array:
        return self._losses_and_mask(_tensor(y_true), _tensor(y_pred))[0]

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize_function(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "LossFunctionWrapper":
        config = dict(config)
        if "fn" in config:
            config["fn"] = _deserialize_function(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        fn_name = getattr(self.fn, "__name__", self.fn)
        return f"<LossFunctionWrapper({fn_name}, kwargs={self._fn_kwargs})>"


class _BuiltinLoss(LossFunctionWrapper):
    """A Keras loss class: a fixed function plus its options, which its config lists."""

    def __init__(self, fn: Callable, reduction: str | None, name: str, dtype: Any, **options):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **options)
        for option, value in options.items():
            setattr(self, option, value)

    def get_config(self) -> dict:
        return {**Loss.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)


_SUM_OVER_BATCH = "sum_over_batch_size"


class MeanSquaredError(_BuiltinLoss):
    """Mean of squared errors over the last axis."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute errors over the last axis."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7)) over the last axis."""

    def __init__(
        self, reduction=_SUM_OVER_BATCH, name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared difference of log(1 + x) over the last axis."""

    def __init__(
        self, reduction=_SUM_OVER_BATCH, name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class CosineSimilarity(_BuiltinLoss):
    """Negative cosine similarity along `axis`.

    Keras 3.15 leaves `axis` out of the config (a reloaded loss gets the default);
    we keep it.
    """

    def __init__(self, axis=-1, reduction=_SUM_OVER_BATCH, name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class Huber(_BuiltinLoss):
    """Huber loss: quadratic below `delta`, linear above.

    Keras 3.15 leaves `delta` out of the config (a reloaded loss gets delta=1.0);
    we keep it.
    """

    def __init__(self, delta=1.0, reduction=_SUM_OVER_BATCH, name="huber_loss", dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    """Mean of log(cosh(error)) over the last axis."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class Hinge(_BuiltinLoss):
    """Hinge loss; labels in {0, 1} are mapped to {-1, 1}."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss; labels in {0, 1} are mapped to {-1, 1}."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss on one-hot labels."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence of y_pred from y_true."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(_BuiltinLoss):
    """Poisson loss: mean(y_pred - y_true * log(y_pred + 1e-7))."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class BinaryCrossentropy(_BuiltinLoss):
    """Binary cross-entropy on probabilities (or logits with `from_logits=True`)."""

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=_SUM_OVER_BATCH,
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy, reduction, name, dtype,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary cross-entropy down-weighting easy examples by `(1 - p_t) ** gamma`."""

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=_SUM_OVER_BATCH,
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy, reduction, name, dtype,
            apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip


class CategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy between one-hot labels and predicted class probabilities (or logits)."""

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=_SUM_OVER_BATCH,
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy, reduction, name, dtype,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical cross-entropy scaled by `alpha * (1 - p) ** gamma` per class."""

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=_SUM_OVER_BATCH,
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy, reduction, name, dtype,
            alpha=alpha, gamma=gamma, from_logits=from_logits,
            label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy with integer labels; `ignore_class` entries are left out of the mean.

    Keras 3.15 leaves `axis` out of the config; we keep it.
    """

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction=_SUM_OVER_BATCH,
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy, reduction, name, dtype,
            from_logits=from_logits, ignore_class=ignore_class, axis=axis,
        )  # fmt: skip


_LOSS_CLASSES = (
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    Huber,
    LogCosh,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
)

_LOSS_FUNCTIONS = (
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    huber,
    log_cosh,
    hinge,
    squared_hinge,
    categorical_hinge,
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)

# Every string identifier: class names, function names, Keras 3's short aliases, and the
# Keras 2 names (logcosh, huber_loss, kullback_leibler_divergence) old tutorials use.
_IDENTIFIERS: dict[str, Any] = {
    cls.__name__: cls for cls in (Loss, LossFunctionWrapper) + _LOSS_CLASSES
}
_IDENTIFIERS.update({fn.__name__: fn for fn in _LOSS_FUNCTIONS})
_IDENTIFIERS.update(
    {
        "bce": bce, "BCE": bce, "kld": kld, "KLD": kld, "mae": mae, "MAE": mae,
        "mse": mse, "MSE": mse, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
        "logcosh": logcosh, "huber_loss": huber_loss,
        "kullback_leibler_divergence": kullback_leibler_divergence,
    }
)  # fmt: skip


# --------------------------------------------------------------------------------------
# Identifiers and serialization
# --------------------------------------------------------------------------------------


def _unknown_identifier_error(kind: str, identifier: str, known: list[str]) -> ValueError:
    suggestions = difflib.get_close_matches(identifier, known, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return ValueError(f"Could not interpret {kind} identifier: {identifier!r}.{hint}")


def function_name(fn: Callable) -> str:
    """The snake_case name Keras gives a function-based loss or metric."""
    return naming.to_snake_case(getattr(fn, "__name__", type(fn).__name__))


def serialize_function(fn: Callable) -> dict:
    """Keras 3's config for a plain function: looked up by name when loading."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": getattr(fn, "__name__", repr(fn)),
        "registered_name": "function",
    }


def _deserialize_function(config: Any, custom_objects: dict | None = None) -> Callable:
    if callable(config):
        return config
    name = config["config"] if isinstance(config, dict) else config
    custom_objects = custom_objects or {}
    found = custom_objects.get(name) or _IDENTIFIERS.get(name)
    if found is None or inspect.isclass(found):
        known = sorted(n for n, v in _IDENTIFIERS.items() if not inspect.isclass(v))
        raise _unknown_identifier_error("function", str(name), known + sorted(custom_objects))
    return found


def serialize(loss: Any) -> Any:
    """Keras 3's dict form: {"module", "class_name", "config", "registered_name"}."""
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, Loss):
        if type(loss) is LossFunctionWrapper:
            # Keras does not export LossFunctionWrapper publicly; this is its exact form.
            return {
                "module": "keras.src.losses.losses",
                "class_name": "LossFunctionWrapper",
                "config": loss.get_config(),
                "registered_name": "LossFunctionWrapper",
            }
        builtin = type(loss).__name__ in _IDENTIFIERS and _IDENTIFIERS[type(loss).__name__] is type(
            loss
        )
        return {
            "module": "keras.losses" if builtin else type(loss).__module__,
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None if builtin else type(loss).__name__,
        }
    if callable(loss):
        return serialize_function(loss)
    raise TypeError(f"Cannot serialize {loss!r}: expected a Loss or a function.")


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Inverse of `serialize`; a string gives the function or a fresh class instance."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        found = custom_objects.get(config) or _IDENTIFIERS.get(config)
        if found is None:
            raise _unknown_identifier_error(
                "loss", config, sorted(_IDENTIFIERS) + sorted(custom_objects)
            )
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            "Invalid value for argument `config`. Expected a string or a dict with a "
            f"'class_name'. Received: config={config!r}"
        )
    class_name = config["class_name"]
    if class_name == "function":
        return _deserialize_function(config, custom_objects)
    registered = config.get("registered_name")
    cls = (
        custom_objects.get(registered)
        or custom_objects.get(class_name)
        or _IDENTIFIERS.get(class_name)
    )
    if cls is None or not inspect.isclass(cls):
        known = sorted(n for n, v in _IDENTIFIERS.items() if inspect.isclass(v))
        raise _unknown_identifier_error("loss class", class_name, known + sorted(custom_objects))
    inner = dict(config.get("config") or {})
    if "fn" in inner:
        inner["fn"] = _deserialize_function(inner["fn"], custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Loss | None:
    """A `Loss` object for a name, config dict, function, class or Loss.

    Strings naming functions ("mse", "binary_crossentropy") give a LossFunctionWrapper
    named by the string, as `compile(loss="mse")` does; class names give an instance.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        found = _IDENTIFIERS.get(identifier)
        if found is None:
            raise _unknown_identifier_error("loss", identifier, sorted(_IDENTIFIERS))
        if found in (Loss, LossFunctionWrapper):
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r} names a base class that "
                "needs arguments; pass an instance instead."
            )
        if inspect.isclass(found):
            return found()
        return LossFunctionWrapper(found, name=identifier)
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier, name=function_name(identifier))
    raise ValueError(
        "Could not interpret loss identifier: expected a string, a dict config, a Loss or a "
        f"function. Received: identifier={identifier!r}"
    )


def _is_binary_or_sparse(y_true_shape: tuple, y_pred_shape: tuple) -> tuple[bool, bool]:
    """Keras 3's shape-only rule used by compile for "accuracy" and "crossentropy"."""
    is_binary = y_pred_shape[-1] == 1
    is_sparse = len(y_true_shape) < len(y_pred_shape) or (
        y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
    )
    return is_binary, is_sparse


def resolve_compile_loss(identifier: Any, y_true_shape: tuple, y_pred_shape: tuple) -> Loss | None:
    """What `compile(loss=...)` does: "crossentropy"/"ce" pick binary, sparse or categorical
    cross-entropy from the shapes alone; the loss keeps the user's string as its name."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = _is_binary_or_sparse(tuple(y_true_shape), tuple(y_pred_shape))
        if is_binary:
            fn = binary_crossentropy
        elif is_sparse:
            fn = sparse_categorical_crossentropy
        else:
            fn = categorical_crossentropy
        return LossFunctionWrapper(fn, name=identifier)
    return get(identifier)
