"""Masking: marks the time steps whose features all equal `mask_value` as padding."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.engine.layer import Layer


class Masking(Layer):
    """Zeroes padded steps and gives the output a mask that hides them from later layers.

    Args:
        mask_value: a step is padding when every feature equals this value.
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float)):
            raise TypeError(f"Invalid value for argument `mask_value` of Masking. Expected a "
                            f"number. Received: mask_value={mask_value!r}")
        self.mask_value = mask_value
        self.built = True

    def compute_mask(self, inputs: jax.Array, previous_mask: Any = None) -> jax.Array:
        return jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs: jax.Array) -> jax.Array:
        kept = jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * kept.astype(inputs.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
