"""The built-in loss classes: each is one of Keras's per-sample functions plus its options,
which its config lists."""

from __future__ import annotations

from typing import Any, Callable

from layerwise.losses.base import Loss, LossFunctionWrapper
from layerwise.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)
from layerwise.losses.circle import circle
from layerwise.losses.ctc import ctc
from layerwise.losses.overlap import dice, tversky
from layerwise.losses.functions import (
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)

__all__ = [
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
    "CategoricalGeneralizedCrossEntropy",
    "Dice",
    "Tversky",
    "Circle",
    "CTC",
]


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


class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized cross-entropy `(1 - p ** q) / q` on integer labels, robust to label noise.

    Args:
        q: in (0, 1); near 0 it behaves like cross-entropy, near 1 like mean absolute error.
    """

    def __init__(
        self, q=0.5, reduction=_SUM_OVER_BATCH, name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
            raise ValueError(
                "CategoricalGeneralizedCrossEntropy: invalid value for argument `q`. "
                f"Expected a float in the open interval (0, 1). Received: q={q!r}"
            )
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)


class Dice(_BuiltinLoss):
    """Dice loss `1 - 2|A.B| / (|A| + |B|)`, summed over `axis` (all axes by default)."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(_BuiltinLoss):
    """Tversky loss: Dice with weights `alpha` and `beta` on the two kinds of error."""

    def __init__(
        self, alpha=0.5, beta=0.5, reduction=_SUM_OVER_BATCH, name="tversky", axis=None,
        dtype=None,
    ):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)


class Circle(_BuiltinLoss):
    """Circle loss on L2-normalized embeddings (y_pred) and integer labels (y_true).

    Only samples with a positive loss count in the average, as in Keras.
    """

    def __init__(
        self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction=_SUM_OVER_BATCH,
        name="circle", dtype=None,
    ):
        super().__init__(
            circle, reduction, name, dtype,
            gamma=gamma, margin=margin, remove_diagonal=remove_diagonal,
        )  # fmt: skip


class CTC(_BuiltinLoss):
    """CTC loss: labels (batch, max_length) padded with 0, logits (batch, time, classes)."""

    def __init__(self, reduction=_SUM_OVER_BATCH, name="ctc", dtype=None):
        super().__init__(ctc, reduction, name, dtype)


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
    CategoricalGeneralizedCrossEntropy,
    Dice,
    Tversky,
    Circle,
    CTC,
)
