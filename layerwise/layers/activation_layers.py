"""Activation functions as layers: ReLU, LeakyReLU, PReLU, ELU, Softmax.

The math is `layerwise.activations`; these classes add configuration, validation and (for
PReLU) a learned slope.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import activations, constraints, initializers, regularizers
from layerwise.engine.layer import Layer

# What a masked-out logit becomes before the softmax (Keras's value for float32).
_MASKED_LOGIT = -1e9


def _non_negative(message: str, argument: str, value: Any, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) \
            or value < 0:
        raise ValueError(f"{message} Received: {argument}={value!r}")
    return float(value)


class _ElementwiseLayer(Layer):
    """A weightless layer whose output has its input's shape."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class ReLU(_ElementwiseLayer):
    """`max(x, 0)`, optionally capped at `max_value`, leaky below `threshold`.

    Args:
        max_value: the output's upper bound; None for none.
        negative_slope: slope for inputs below `threshold`.
        threshold: inputs at or below it are damped by `negative_slope`.
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.max_value = _non_negative(
            "max_value of a ReLU layer cannot be a negative value.", "max_value", max_value,
            allow_none=True)
        self.negative_slope = _non_negative(
            "negative_slope of a ReLU layer cannot be None or a negative value.",
            "negative_slope", negative_slope)
        self.threshold = _non_negative(
            "threshold of a ReLU layer cannot be None or a negative value.", "threshold",
            threshold)

    def call(self, inputs: jax.Array) -> jax.Array:
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_ElementwiseLayer):
    """`x` for positive inputs, `negative_slope * x` otherwise (Keras 3's default slope 0.3)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any):
        # Keras 2 called the slope `alpha`; Keras 3 still takes it.
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(
            "The negative_slope value of a Leaky ReLU layer cannot be None or negative "
            "value. Expected a float.", "negative_slope", negative_slope)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jax.nn.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_ElementwiseLayer):
    """Exponential linear unit: `x` if positive, else `alpha * (exp(x) - 1)`."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs: jax.Array) -> jax.Array:
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_ElementwiseLayer):
    """Softmax over `axis` (an int or a tuple); a boolean `mask` call argument excludes
    entries, whose outputs are then 0."""

    def __init__(self, axis: int | tuple = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, list) else axis

    def call(self, inputs: jax.Array, mask: Any = None) -> jax.Array:
        if mask is not None:
            keep = jnp.asarray(mask).astype(inputs.dtype)
            inputs = inputs + (1.0 - keep) * _MASKED_LOGIT
        outputs = jax.nn.softmax(inputs, axis=self.axis)
        if mask is not None:
            outputs = outputs * keep
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """Leaky ReLU with a learned slope per entry (shared along `shared_axes`).

    Args:
        alpha_initializer / alpha_regularizer / alpha_constraint: for the slope weight.
        shared_axes: axes (counting the batch axis as 0) along which one slope is shared,
            e.g. the spatial axes of an image so that each channel has one slope.
    """

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape: tuple) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        self.alpha = self.add_weight(
            name="alpha", shape=tuple(shape), initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jax.nn.relu(inputs) - self.alpha.value * jax.nn.relu(-inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
