"""The two layers ConvNeXt adds to Keras's: a learned per-channel scale of a residual branch,
and stochastic depth (the whole branch dropped for a random part of the batch)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import initializers, random
from layerwise.engine.layer import Layer

__all__ = ["LayerScale", "StochasticDepth"]


class StochasticDepth(Layer):
    """During training, zero each sample's input with probability `drop_path_rate` (and
    rescale the kept ones by 1 / (1 - rate)); the identity otherwise."""

    def __init__(self, drop_path_rate: float, **kwargs: Any):
        super().__init__(**kwargs)
        if not 0 <= drop_path_rate <= 1:
            raise ValueError("Invalid value for argument `drop_path_rate` of StochasticDepth. "
                             "Expected a float between 0 and 1. "
                             f"Received: drop_path_rate={drop_path_rate}")
        self.drop_path_rate = drop_path_rate
        self.seed_generator = self.add_seed_generator(None)
        self.built = True

    def call(self, x: jax.Array, training: bool | None = None) -> jax.Array:
        if not training:
            return x
        keep = 1.0 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        kept = jnp.floor(keep + random.uniform(shape, 0, 1, seed=self.seed_generator))
        return x / keep * kept.astype(x.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(Layer):
    """The input times a learned per-channel scale `gamma`, initialised to `init_values`."""

    def __init__(self, init_values: float, projection_dim: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape: Any) -> None:
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)

    def call(self, x: jax.Array) -> jax.Array:
        return x * self.gamma

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}
