"""Keras's built-in metrics that are means: accuracies, regression errors, hinges,
divergences and cross-entropies (each a fixed per-sample function), and
`RootMeanSquaredError`."""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from layerwise.losses.reduction import squeeze_or_expand_to_same_rank
from layerwise.metrics.base import Metric, State
from layerwise.metrics.functions import (
    _cosine_similarity,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from layerwise.metrics.reduction import Mean, MeanMetricWrapper

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "RootMeanSquaredError",
    "CosineSimilarity",
    "LogCoshError",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "KLDivergence",
    "Poisson",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
]


class _BuiltinMeanMetric(MeanMetricWrapper):
    """A Keras metric class around a fixed per-sample function.

    Its config is `name`, `dtype` and the options listed in `config_options`.
    """

    config_options: tuple[str, ...] = ()

    def __init__(self, fn: Callable, name: str, dtype: Any, direction: str | None, **options):
        super().__init__(fn, name=name, dtype=dtype, **options)
        self._direction = direction
        for option, value in options.items():
            setattr(self, option, value)

    def get_config(self) -> dict:
        config = Metric.get_config(self)
        config.update({option: getattr(self, option) for option in self.config_options})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Metric":
        return cls(**config)


class Accuracy(_BuiltinMeanMetric):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype, "up")


class BinaryAccuracy(_BuiltinMeanMetric):
    """How often `y_pred > threshold` matches the binary label."""

    config_options = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, "up", threshold=threshold)


class CategoricalAccuracy(_BuiltinMeanMetric):
    """How often argmax(y_pred) matches argmax of the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype, "up")


class SparseCategoricalAccuracy(_BuiltinMeanMetric):
    """How often argmax(y_pred) matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype, "up")


class TopKCategoricalAccuracy(_BuiltinMeanMetric):
    """How often the one-hot label's class is among the top `k` predictions."""

    config_options = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name, dtype, "up", k=k)


class SparseTopKCategoricalAccuracy(_BuiltinMeanMetric):
    """How often the integer label is among the top `k` predictions."""

    config_options = ("k",)

    def __init__(
        self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False
    ):
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name,
            dtype,
            "up",
            k=k,
            from_sorted_ids=from_sorted_ids,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        if self.from_sorted_ids:  # Keras only writes it when set
            config["from_sorted_ids"] = True
        return config


class MeanSquaredError(_BuiltinMeanMetric):
    """Mean of squared errors."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype, "down")


class MeanAbsoluteError(_BuiltinMeanMetric):
    """Mean of absolute errors."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype, "down")


class MeanAbsolutePercentageError(_BuiltinMeanMetric):
    """Mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype, "down")


class MeanSquaredLogarithmicError(_BuiltinMeanMetric):
    """Mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name, dtype, "down")


class CosineSimilarity(_BuiltinMeanMetric):
    """Mean cosine similarity along `axis` (Keras 3.15 omits `axis` from the config; we keep it)."""

    config_options = ("axis",)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine_similarity, name, dtype, "up", axis=axis)


class LogCoshError(_BuiltinMeanMetric):
    """Mean of log(cosh(error))."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name, dtype, "down")


class Hinge(_BuiltinMeanMetric):
    """Mean hinge loss."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name, dtype, "down")


class SquaredHinge(_BuiltinMeanMetric):
    """Mean squared hinge loss."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name, dtype, "down")


class CategoricalHinge(_BuiltinMeanMetric):
    """Mean categorical hinge loss."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name, dtype, "down")


class KLDivergence(_BuiltinMeanMetric):
    """Mean Kullback-Leibler divergence."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name, dtype, "down")


class Poisson(_BuiltinMeanMetric):
    """Mean Poisson loss."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name, dtype, "down")


class BinaryCrossentropy(_BuiltinMeanMetric):
    """Mean binary cross-entropy. Unlike the loss, y_true and y_pred must have equal shapes."""

    config_options = ("from_logits", "label_smoothing")

    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0
    ):
        super().__init__(
            binary_crossentropy,
            name,
            dtype,
            "down",
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(_BuiltinMeanMetric):
    """Mean categorical cross-entropy."""

    config_options = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ):
        super().__init__(
            categorical_crossentropy, name, dtype, "down",
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip


class SparseCategoricalCrossentropy(_BuiltinMeanMetric):
    """Mean sparse categorical cross-entropy (`ignore_class` entries count only when weighted)."""

    config_options = ("from_logits", "ignore_class", "axis")

    def __init__(
        self,
        name="sparse_categorical_crossentropy",
        dtype=None,
        from_logits=False,
        ignore_class=None,
        axis=-1,
    ):
        super().__init__(
            sparse_categorical_crossentropy, name, dtype, "down",
            from_logits=from_logits, ignore_class=ignore_class, axis=axis,
        )  # fmt: skip


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of squared errors over everything seen."""

    _direction = "down"

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        y_true = jnp.asarray(y_true, self.dtype)
        y_pred = jnp.asarray(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self._accumulate(state, jnp.square(y_pred - y_true), sample_weight)

    def compute(self, state: State) -> jax.Array:
        return jnp.sqrt(super().compute(state))
