"""GroupNormalization: normalize each sample over groups of channels (and all other axes).

With `groups` equal to the number of channels it is instance normalization; with one
group it is layer normalization over every non-batch axis.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import constraints, initializers, regularizers
from layerwise.engine.layer import Layer
from layerwise.layers.normalization import _check_axis, in_float32, normalize, to_dtype


class GroupNormalization(Layer):
    """Normalization over `groups` groups of the channels on `axis`.

    Args:
        groups: number of groups; must divide the channels (-1: one group per channel).
        axis: the channels axis.
        epsilon: added to the variance.
        center / scale: whether to learn `beta` / `gamma` per channel.
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        # As Keras: inputs as they come, statistics in float32, outputs in the compute dtype.
        self.autocast = False
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape: tuple) -> None:
        owner = f"GroupNormalization '{self.name}'"
        channels = input_shape[_check_axis(self.axis, len(input_shape), owner, self.axis)]
        if channels is None:
            raise ValueError(f"{owner}: axis {self.axis} of the input must have a known "
                             f"size. Received: input_shape={input_shape}")
        if self.groups == -1:
            self.groups = channels
        if self.groups > channels:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the "
                             f"number of channels ({channels}).")
        if channels % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({channels}).")
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma", shape=(channels,), initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                autocast=False)
        if self.center:
            self.beta = self.add_weight(
                name="beta", shape=(channels,), initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                autocast=False)

    def call(self, inputs: jax.Array) -> jax.Array:
        return to_dtype(self._normalize(in_float32(inputs)), self.compute_dtype)

    def _normalize(self, inputs: jax.Array) -> jax.Array:
        axis = self.axis % inputs.ndim
        channels = inputs.shape[axis]
        # Split the channels axis into (groups, channels per group).
        grouped_shape = inputs.shape[:axis] + (self.groups, channels // self.groups) + \
            inputs.shape[axis + 1:]
        grouped = jnp.reshape(inputs, grouped_shape)
        reduced = tuple(a for a in range(1, grouped.ndim) if a != axis)
        mean = jnp.mean(grouped, axis=reduced, keepdims=True)
        variance = jnp.var(grouped, axis=reduced, keepdims=True)
        weight_shape = [1] * grouped.ndim
        weight_shape[axis], weight_shape[axis + 1] = self.groups, channels // self.groups
        gamma = None if self.gamma is None else jnp.reshape(self.gamma.value, weight_shape)
        beta = None if self.beta is None else jnp.reshape(self.beta.value, weight_shape)
        outputs = normalize(grouped, mean, variance, gamma, beta, self.epsilon)
        return jnp.reshape(outputs, inputs.shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
