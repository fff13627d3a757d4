"""Metrics with Keras 3's names and update rules, built on a pure core.

Every metric is three pure functions over a small dict of arrays:

    state = metric.initial_state()                       # fresh zeros
    state = metric.update(state, y_true, y_pred, sample_weight)   # jittable
    value = metric.compute(state)

The compiled training step carries `state` through `jax.lax.scan`; nothing is mutated.
Keras's stateful API (`update_state`, `result`, `reset_state`, `variables`) is a thin
layer on top that keeps the state in `Variable`s, so user code written for Keras works,
and works inside a `StatelessScope` too.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import losses
from layerwise.engine import naming
from layerwise.engine.variables import StatelessScope, Variable
from layerwise.losses import (
    EPSILON,
    apply_mask,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
    squeeze_or_expand_to_same_rank,
)

__all__ = [
    "Metric",
    "Mean",
    "Sum",
    "MeanMetricWrapper",
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
    "Precision",
    "Recall",
    "AUC",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "get",
    "serialize",
    "deserialize",
    "resolve_compile_metric",
]

State = dict[str, jax.Array]


def _divide_no_nan(x: jax.Array, y: jax.Array) -> jax.Array:
    safe_y = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x * y), x / safe_y)


# --------------------------------------------------------------------------------------
# Per-sample functions
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# The Metric base class
# --------------------------------------------------------------------------------------


class Metric:
    """Base class: a pure core (`initial_state`, `update`, `compute`) plus Keras's API.

    Subclasses implement the three pure methods; `update_state`, `result`,
    `reset_state` and `variables` come from this class.

    Args:
        name: the metric's name (its log key); snake_case of the class by default.
        dtype: dtype of the state and the result (float32 by default).
    """

    # "up" when larger is better, "down" when smaller is; read by callbacks' mode="auto".
    _direction: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype = jnp.dtype(dtype or "float32").name
        # Built from `initial_state()` on first use, or declared with `add_variable`.
        self._variables: dict[str, Variable] | None = None
        self._declared_variables: dict[str, Variable] = {}

    @property
    def dtype(self) -> str:
        return self._dtype

    # -- the pure core ------------------------------------------------------------------
    # Built-in metrics implement these three. A Keras-style subclass that declares its
    # state with `add_variable` and overrides `update_state`/`result` gets them for free:
    # its methods are replayed inside a StatelessScope.
    def initial_state(self) -> State:
        """Fresh state (zeros); pure."""
        if self._declared_variables:
            return {key: jnp.zeros(v.shape, v.dtype) for key, v in self._declared_variables.items()}
        raise NotImplementedError(
            f"{type(self).__name__} must implement `initial_state()` or declare its state "
            "with `add_variable` in `__init__`."
        )

    def update(self, state: State, *args, **kwargs) -> State:
        """The state after one more batch; pure and jittable.

        Most metrics take `(state, y_true, y_pred, sample_weight=None)`; Mean and Sum
        take `(state, values, sample_weight=None)`.
        """
        if type(self).update_state is Metric.update_state:
            raise NotImplementedError(
                f"{type(self).__name__} must implement `update(...)` or `update_state(...)`."
            )
        variables = self._state_variables()
        with StatelessScope([(variables[key], state[key]) for key in variables]) as scope:
            self.update_state(*args, **kwargs)
            return {key: scope.new_value(variable) for key, variable in variables.items()}

    def compute(self, state: State) -> jax.Array:
        """The metric's value for a state; pure."""
        if type(self).result is Metric.result:
            raise NotImplementedError(
                f"{type(self).__name__} must implement `compute(state)` or `result()`."
            )
        variables = self._state_variables()
        with StatelessScope([(variables[key], state[key]) for key in variables]):
            return jnp.asarray(self.result())

    def add_variable(
        self,
        shape: tuple = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """Declare a state variable, as a Keras-style subclass does in `__init__`.

        (`aggregation` is accepted for compatibility; state is not sharded across devices.)
        """
        if not hasattr(self, "_declared_variables"):
            raise RuntimeError(
                "You forgot to call `super().__init__()` in the `__init__()` method. Go add it!"
            )
        from layerwise import initializers

        key = name or "variable"
        suffix = 1
        while key in self._declared_variables:
            key, suffix = f"{name or 'variable'}_{suffix}", suffix + 1
        variable = Variable(
            initializers.get(initializer),
            shape=tuple(shape),
            dtype=dtype or self.dtype,
            trainable=False,
            name=key,
        )
        variable.path = f"{self.name}/{key}"
        self._declared_variables[key] = variable
        return variable

    def add_weight(
        self,
        shape: tuple = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Keras's older name for `add_variable`."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        """Fix shape-dependent configuration before the first update (most metrics need none)."""

    @property
    def built(self) -> bool:
        return True

    # -- Keras's stateful API -----------------------------------------------------------
    def _state_variables(self) -> dict[str, Variable]:
        if self._declared_variables:
            return self._declared_variables
        if self._variables is None:
            self._variables = {}
            for key, value in self.initial_state().items():
                variable = Variable(value, dtype=value.dtype, trainable=False, name=key)
                variable.path = f"{self.name}/{key}"
                self._variables[key] = variable
        return self._variables

    @property
    def variables(self) -> list[Variable]:
        return list(self._state_variables().values()) if self.built else []

    def _current_state(self) -> State:
        return {key: variable.value for key, variable in self._state_variables().items()}

    def _assign_state(self, state: State) -> None:
        for key, variable in self._state_variables().items():
            variable.assign(state[key])

    def update_state(self, *args, **kwargs) -> None:
        """Accumulate a batch into the metric's variables."""
        self._assign_state(self.update(self._current_state(), *args, **kwargs))

    def result(self) -> jax.Array:
        return self.compute(self._current_state())

    def reset_state(self) -> None:
        if self.built:
            self._assign_state(self.initial_state())

    def __call__(self, *args, **kwargs) -> jax.Array:
        self.update_state(*args, **kwargs)
        return self.result()

    # Keras's list-based stateless API, for code written against `keras.Metric`.
    def stateless_update_state(self, metric_variables: list, *args, **kwargs) -> list:
        keys = list(self._state_variables())
        self._check_length(metric_variables, keys)
        new_state = self.update(dict(zip(keys, metric_variables)), *args, **kwargs)
        return [new_state[key] for key in keys]

    def stateless_result(self, metric_variables: list) -> jax.Array:
        keys = list(self._state_variables())
        self._check_length(metric_variables, keys)
        return self.compute(dict(zip(keys, metric_variables)))

    def stateless_reset_state(self) -> list:
        return list(self.initial_state().values())

    def _check_length(self, metric_variables: list, keys: list) -> None:
        if len(metric_variables) != len(keys):
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length "
                f"{len(metric_variables)}, but expected {len(keys)} variables."
            )

    # -- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


# --------------------------------------------------------------------------------------
# Reductions: Sum, Mean and MeanMetricWrapper
# --------------------------------------------------------------------------------------


def _reduce_to_samplewise_values(
    values: Any,
    sample_weight: Any,
    reduce_fn: Callable,
    dtype: str,
    values_mask: jax.Array | None = None,
) -> tuple[jax.Array, jax.Array | None]:
    """Weight values and reduce them to one value per sample (Keras's exact rules).

    Values with more axes than the weights are first reduced over the extra axes;
    weights with more than one axis are reduced to one weight per sample.
    """
    values = jnp.asarray(values).astype(dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, dtype)
        if values_mask is not None:
            # As in Keras, a mask on the values only matters when there are weights.
            sample_weight = apply_mask(sample_weight, values_mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen."""

    def __init__(self, name: str = "sum", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)

    def initial_state(self) -> State:
        return {"total": jnp.zeros((), self.dtype)}

    def update(self, state: State, values: Any, sample_weight: Any = None) -> State:
        values, _ = _reduce_to_samplewise_values(values, sample_weight, jnp.sum, self.dtype)
        return {"total": state["total"] + jnp.sum(values)}

    def compute(self, state: State) -> jax.Array:
        return state["total"].astype(self.dtype)


class Mean(Metric):
    """The (weighted) mean of all values seen: total / count.

    Without weights each sample (first axis) counts once; with weights the count is
    the sum of the weights.
    """

    def __init__(self, name: str = "mean", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)

    def initial_state(self) -> State:
        return {"total": jnp.zeros((), self.dtype), "count": jnp.zeros((), self.dtype)}

    def update(self, state: State, values: Any, sample_weight: Any = None) -> State:
        return self._accumulate(state, values, sample_weight)

    def _accumulate(
        self, state: State, values: Any, sample_weight: Any, values_mask: jax.Array | None = None
    ) -> State:
        values, sample_weight = _reduce_to_samplewise_values(
            values, sample_weight, jnp.mean, self.dtype, values_mask
        )
        if sample_weight is not None:
            num_samples = jnp.sum(sample_weight)
        elif values.ndim >= 1:
            num_samples = values.shape[0]
        else:
            num_samples = 1
        return {
            "total": state["total"] + jnp.sum(values),
            "count": state["count"] + jnp.asarray(num_samples, self.dtype),
        }

    def compute(self, state: State) -> jax.Array:
        return _divide_no_nan(state["total"], state["count"].astype(self.dtype))


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
        fn: per-sample function, e.g. `binary_accuracy` or a user function.
        name: log key; snake_case of the class ("mean_metric_wrapper") by default.
        dtype: state dtype.
        **kwargs: passed to `fn` on every call.
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None, **kwargs):
        if not callable(fn):
            raise TypeError(
                f"Invalid value for argument `fn`. Expected a callable. Received: fn={fn!r}"
            )
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if fn in _LOSS_FUNCTIONS or isinstance(fn, losses.Loss):
            self._direction = "down"

    def update(
        self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None, *, mask: Any = None
    ) -> State:
        """Add a batch. `mask` (keyword only; Keras reads it off y_pred) drops entries."""
        values, values_mask = losses.call_with_mask(self._fn, y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            if sample_weight is not None:
                sample_weight = jnp.asarray(sample_weight, self.dtype)
            sample_weight = apply_mask(
                sample_weight, jnp.asarray(mask), self.dtype, reduction="sum"
            )
        return self._accumulate(state, values, sample_weight, values_mask)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = losses.serialize_function(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "MeanMetricWrapper":
        config = dict(config)
        if "fn" in config:
            config["fn"] = _deserialize_function(config["fn"], custom_objects)
        return cls(**config)


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


# --------------------------------------------------------------------------------------
# Confusion-matrix metrics: Precision, Recall, AUC
# --------------------------------------------------------------------------------------

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


class _ThresholdMetric(Metric):
    """Shared by Precision and Recall: two counts per threshold."""

    _direction = "up"
    _counts: tuple[str, str]

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, default=0.5 if top_k is None else NEG_INF)
        self._thresholds_evenly_spaced = _evenly_spaced(self.thresholds)

    def initial_state(self) -> State:
        return {key: jnp.zeros((len(self.thresholds),), self.dtype) for key in self._counts}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = _confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_evenly_spaced=self._thresholds_evenly_spaced,
            dtype=self.dtype,
        )
        return {key: state[key] + counts[key] for key in self._counts}

    def compute(self, state: State) -> jax.Array:
        positives, misses = (state[key] for key in self._counts)
        result = _divide_no_nan(positives, positives + misses)
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_ThresholdMetric):
    """true_positives / (true_positives + false_positives), at each threshold.

    Args:
        thresholds: float or list of floats in [0, 1]; `y_pred > t` is positive.
            Default 0.5 (or "every score" when `top_k` is set).
        top_k: only the k highest scores per sample can be positive.
        class_id: only this class (column) is considered.
    """

    _counts = ("true_positives", "false_positives")


class Recall(_ThresholdMetric):
    """true_positives / (true_positives + false_negatives), at each threshold.

    Arguments as for `Precision`.
    """

    _counts = ("true_positives", "false_negatives")


class _ConfusionCount(Metric):
    """One confusion-matrix count, accumulated at each threshold (default 0.5)."""

    _count: str

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, default=0.5)
        self._thresholds_evenly_spaced = _evenly_spaced(self.thresholds)

    def initial_state(self) -> State:
        return {"accumulator": jnp.zeros((len(self.thresholds),), self.dtype)}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = _confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            sample_weight=sample_weight,
            thresholds_evenly_spaced=self._thresholds_evenly_spaced,
            dtype=self.dtype,
        )
        return {"accumulator": state["accumulator"] + counts[self._count]}

    def compute(self, state: State) -> jax.Array:
        accumulator = state["accumulator"]
        return accumulator[0] if len(self.thresholds) == 1 else accumulator

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """(Weighted) number of positive labels predicted positive (`y_pred > threshold`)."""

    _count = "true_positives"


class FalsePositives(_ConfusionCount):
    """(Weighted) number of negative labels predicted positive."""

    _count = "false_positives"


class TrueNegatives(_ConfusionCount):
    """(Weighted) number of negative labels predicted negative."""

    _count = "true_negatives"


class FalseNegatives(_ConfusionCount):
    """(Weighted) number of positive labels predicted negative."""

    _count = "false_negatives"


_CURVES = {
    "ROC": "ROC",
    "roc": "ROC",
    "PR": "PR",
    "pr": "PR",
    "PRGAIN": "PRGAIN",
    "prgain": "PRGAIN",
}
_SUMMATION_METHODS = {
    "interpolation": "interpolation", "Interpolation": "interpolation",
    "majoring": "majoring", "Majoring": "majoring",
    "minoring": "minoring", "Minoring": "minoring",
}  # fmt: skip


class AUC(Metric):
    """Area under the ROC or PR curve, from confusion counts at fixed thresholds.

    Args:
        num_thresholds: number of thresholds, evenly spaced in [0, 1], with the end
            ones moved to -1e-7 and 1 + 1e-7 so that 0 and 1 predictions are counted.
        curve: "ROC", "PR" or "PRGAIN".
        summation_method: "interpolation" (trapezoids; for PR, Davis & Goadrich's
            interpolation), "majoring" or "minoring".
        thresholds: explicit thresholds in [0, 1] (overrides num_thresholds).
        multi_label: one curve per label, averaged (weighted by `label_weights`).
        num_labels: number of labels when multi_label (else taken from the first batch).
        label_weights: per-label weights.
        from_logits: apply a sigmoid to y_pred first.
    """

    _direction = "up"

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ):
        if curve not in _CURVES:
            raise ValueError(
                "Invalid value for argument `curve`. Expected one of ['ROC', 'PR', 'PRGAIN']. "
                f"Received: curve={curve!r}"
            )
        if summation_method not in _SUMMATION_METHODS:
            raise ValueError(
                "Invalid value for argument `summation_method`. Expected one of "
                "['interpolation', 'majoring', 'minoring']. "
                f"Received: summation_method={summation_method!r}"
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, default=0.5))
            self.num_thresholds = len(inner) + 2
            self._thresholds_evenly_spaced = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Invalid value for argument `num_thresholds`. Expected an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_evenly_spaced = True
        # End points just outside [0, 1] so predictions of exactly 0 or 1 are counted
        # despite floating-point error.
        self._thresholds = [0.0 - EPSILON] + inner + [1.0 + EPSILON]
        self.curve = _CURVES[curve]
        self.summation_method = _SUMMATION_METHODS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if isinstance(label_weights, dict) and label_weights.get("class_name") == "__tensor__":
            label_weights = label_weights["config"]["value"]  # Keras's serialized tensor
        self.label_weights = (
            None if label_weights is None else jnp.asarray(label_weights, self.dtype)
        )
        self._from_logits = from_logits
        self._num_labels: int | None = None
        if multi_label:
            if num_labels:
                self._num_labels = int(num_labels)
        elif num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    @property
    def built(self) -> bool:
        return not self.multi_label or self._num_labels is not None

    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if self.built:
            return
        if len(y_pred_shape) != 2:
            raise ValueError(
                "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                f"{len(y_pred_shape)}. Full shape received for `y_pred`: {tuple(y_pred_shape)}"
            )
        self._num_labels = int(y_pred_shape[1])

    def initial_state(self) -> State:
        if not self.built:
            raise ValueError(
                "AUC(multi_label=True) needs the number of labels to create its state: pass "
                "`num_labels=...`, or call `build(y_true_shape, y_pred_shape)` or "
                "`update_state(...)` first."
            )
        shape = (
            (self.num_thresholds, self._num_labels) if self.multi_label else (self.num_thresholds,)
        )
        return {key: jnp.zeros(shape, self.dtype) for key in _COUNT_NAMES}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(jnp.shape(y_true), jnp.shape(y_pred))
        super().update_state(y_true, y_pred, sample_weight)

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        if self._from_logits:
            y_pred = jax.nn.sigmoid(jnp.asarray(y_pred))
        counts = _confusion_counts(
            y_true,
            y_pred,
            self._thresholds,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            # Multi-label AUC applies label weights when averaging the per-label areas.
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_evenly_spaced=self._thresholds_evenly_spaced,
            dtype=self.dtype,
        )
        return {key: state[key] + counts[key] for key in _COUNT_NAMES}

    def _average_over_labels(self, per_label_area: jax.Array) -> jax.Array:
        if self.label_weights is None:
            return jnp.mean(per_label_area)
        return _divide_no_nan(
            jnp.sum(per_label_area * self.label_weights), jnp.sum(self.label_weights)
        )

    def _interpolated_pr_auc(self, state: State) -> jax.Array:
        """PR AUC with Davis & Goadrich (2006)'s interpolation between thresholds."""
        tp, fp, fn = state["true_positives"], state["false_positives"], state["false_negatives"]
        dtp = tp[:-1] - tp[1:]
        predicted_positive = tp + fp
        dp = predicted_positive[:-1] - predicted_positive[1:]
        precision_slope = _divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - precision_slope * predicted_positive[1:]
        safe_p_ratio = jnp.where(
            jnp.logical_and(predicted_positive[:-1] > 0, predicted_positive[1:] > 0),
            _divide_no_nan(predicted_positive[:-1], jnp.maximum(predicted_positive[1:], 0)),
            jnp.ones_like(predicted_positive[1:]),
        )
        increments = _divide_no_nan(
            precision_slope * (dtp + intercept * jnp.log(safe_p_ratio)),
            jnp.maximum(tp[1:] + fn[1:], 0),
        )
        if self.multi_label:
            return self._average_over_labels(jnp.sum(increments, axis=0))
        return jnp.sum(increments)

    def compute(self, state: State) -> jax.Array:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_auc(state)
        tp, fp = state["true_positives"], state["false_positives"]
        tn, fn = state["true_negatives"], state["false_negatives"]
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PRGAIN; degenerate cases fixed as Keras does (no TP: gains 0 and 1).
            scaling = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * _divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * _divide_no_nan(fp, tp)
            recall_gain = jnp.maximum(jnp.where(tp == 0.0, 0.0, recall_gain), 0.0)
            precision_gain = jnp.where(tp == 0.0, 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[:-1], y[1:])
        else:
            heights = jnp.maximum(y[:-1], y[1:])
        areas = (x[:-1] - x[1:]) * heights
        if self.multi_label:
            return self._average_over_labels(jnp.sum(areas, axis=0))
        return jnp.sum(areas)

    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": (
                None if self.label_weights is None else np.asarray(self.label_weights).tolist()
            ),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


# --------------------------------------------------------------------------------------
# Identifiers, serialization and compile's resolution
# --------------------------------------------------------------------------------------

_LOSS_FUNCTIONS = frozenset(losses._LOSS_FUNCTIONS)

_METRIC_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
)  # fmt: skip

# Keras 3's string identifiers: class names, their snake_case forms ("binary_accuracy",
# "auc", "mean_squared_error") and a few short aliases. Strings name *classes* here.
_IDENTIFIERS: dict[str, type] = {cls.__name__: cls for cls in _METRIC_CLASSES}
_IDENTIFIERS.update({naming.to_snake_case(cls.__name__): cls for cls in _METRIC_CLASSES})
_IDENTIFIERS.update(
    {
        "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError, "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    }
)  # fmt: skip

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


def _deserialize_function(config: Any, custom_objects: dict | None = None) -> Callable:
    if callable(config):
        return config
    name = config["config"] if isinstance(config, dict) else config
    custom_objects = custom_objects or {}
    found = custom_objects.get(name) or _FUNCTIONS.get(name)
    if found is None:
        raise losses._unknown_identifier_error(
            "function", str(name), sorted(_FUNCTIONS) + sorted(custom_objects)
        )
    return found


def serialize(metric: Any) -> Any:
    """Keras 3's dict form: {"module", "class_name", "config", "registered_name"}."""
    if metric is None or isinstance(metric, str):
        return metric
    if isinstance(metric, Metric):
        cls = type(metric)
        builtin = _IDENTIFIERS.get(cls.__name__) is cls
        return {
            "module": "keras.metrics" if builtin else cls.__module__,
            "class_name": cls.__name__,
            "config": metric.get_config(),
            "registered_name": None if builtin else cls.__name__,
        }
    if callable(metric):
        return losses.serialize_function(metric)
    raise TypeError(f"Cannot serialize {metric!r}: expected a Metric or a function.")


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Inverse of `serialize`; a string gives a fresh instance of the named class."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        found = custom_objects.get(config) or _IDENTIFIERS.get(config) or _FUNCTIONS.get(config)
        if found is None:
            raise losses._unknown_identifier_error(
                "metric", config, sorted(_IDENTIFIERS) + sorted(custom_objects)
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
    if cls is None:
        raise losses._unknown_identifier_error(
            "metric class",
            class_name,
            sorted(n for n in _IDENTIFIERS if n[0].isupper()) + sorted(custom_objects),
        )
    inner = dict(config.get("config") or {})
    if "fn" in inner:
        inner["fn"] = _deserialize_function(inner["fn"], custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Metric | None:
    """A `Metric` for a name, config dict, function, class or Metric.

    A metric made from a string is named by that string ("mse" logs as "mse"), as
    `compile(metrics=[...])` names it; a function is wrapped in a MeanMetricWrapper
    named after the function.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _IDENTIFIERS.get(identifier)
        if cls is None:
            raise losses._unknown_identifier_error("metric", identifier, sorted(_IDENTIFIERS))
        if cls in (Metric, MeanMetricWrapper):
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r} names a base class that "
                "needs arguments; pass an instance instead."
            )
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if inspect.isclass(identifier):  # e.g. a Loss class: wrap an instance, as Keras does
        identifier = identifier()
    if callable(identifier):
        name = getattr(identifier, "name", None)
        return MeanMetricWrapper(
            identifier, name=name if isinstance(name, str) else losses.function_name(identifier)
        )
    raise ValueError(
        "Could not interpret metric identifier: expected a string, a dict config, a Metric or "
        f"a function. Received: identifier={identifier!r}"
    )


def resolve_compile_metric(identifier: Any, y_true_shape: tuple, y_pred_shape: tuple) -> Metric:
    """What `compile(metrics=[...])` makes of one entry, given the batch shapes.

    "accuracy"/"acc" (and "crossentropy"/"ce") become the binary, sparse categorical or
    categorical variant chosen from the shapes alone (Keras 3 ignores the loss):
    binary when y_pred's last axis is 1; sparse when y_true has lower rank, or a last
    axis of 1 against a wider y_pred. The metric is named by the user's string.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    choices = None
    if str(identifier).lower() in ("accuracy", "acc"):
        choices = (BinaryAccuracy, SparseCategoricalAccuracy, CategoricalAccuracy)
    elif isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        choices = (BinaryCrossentropy, SparseCategoricalCrossentropy, CategoricalCrossentropy)
    if choices is not None:
        is_binary, is_sparse = losses._is_binary_or_sparse(y_true_shape, y_pred_shape)
        binary, sparse, categorical = choices
        cls = binary if is_binary else sparse if is_sparse else categorical
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    metric.build(y_true_shape, y_pred_shape)
    return metric
