"""Reduction metrics: `Sum`, `Mean`, and `MeanMetricWrapper` (the mean of a per-sample
function)."""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise import losses
from layerwise.engine.registry import namespace
from layerwise.losses.base import serialize_function
from layerwise.losses.crossentropy import call_with_mask
from layerwise.losses.reduction import apply_mask, squeeze_or_expand_to_same_rank
from layerwise.metrics.base import Metric, State
from layerwise.metrics.functions import _LOSS_FUNCTIONS, _divide_no_nan

__all__ = ["Sum", "Mean", "MeanMetricWrapper"]


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
        values, values_mask = call_with_mask(self._fn, y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            if sample_weight is not None:
                sample_weight = jnp.asarray(sample_weight, self.dtype)
            sample_weight = apply_mask(
                sample_weight, jnp.asarray(mask), self.dtype, reduction="sum"
            )
        return self._accumulate(state, values, sample_weight, values_mask)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize_function(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "MeanMetricWrapper":
        config = dict(config)
        if "fn" in config:
            # The metrics namespace is declared after this class, in `serialization`.
            config["fn"] = namespace("keras.metrics").resolve_function(config["fn"],
                                                                       custom_objects)
        return cls(**config)
