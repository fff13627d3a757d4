"""Regularization layers that act only in training: noise, dropout variants, activity penalty.

Each random layer owns a `SeedGenerator` made at construction (when it will ever draw),
and draws with the same `layerwise.random` call Keras-JAX makes, so a seeded layer gives
Keras's numbers.
"""
from __future__ import annotations

import math
from typing import Any

import jax

from layerwise import random, regularizers
from layerwise.engine.layer import Layer

# SELU's constants: AlphaDropout keeps a SELU network's mean and variance.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _fraction(layer: Layer, argument: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(
            f"Invalid value received for argument `{argument}` of {type(layer).__name__} "
            f"'{layer.name}'. Expected a float value between 0 and 1. "
            f"Received: {argument}={value!r}")
    return value


class _TrainingOnlyLayer(Layer):
    """Weightless and shape-preserving, with a seed generator once its arguments say it
    will ever draw."""

    def __init__(self, seed: int | None, **kwargs: Any):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = None
        self.built = True

    def _start_drawing(self, active: bool) -> None:
        # Created at construction, like Keras, so seeded runs draw seeds in the same order.
        if active:
            self.seed_generator = self.add_seed_generator(self.seed)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class GaussianNoise(_TrainingOnlyLayer):
    """Adds zero-mean normal noise of standard deviation `stddev` during training."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, **kwargs)
        stddev = _fraction(self, "stddev", stddev)
        self._start_drawing(stddev > 0)
        self.stddev = stddev

    def call(self, inputs: jax.Array, training: bool | None = False) -> jax.Array:
        if not training or self.stddev == 0:
            return inputs
        return inputs + random.normal(inputs.shape, stddev=self.stddev, dtype=inputs.dtype,
                                      seed=self.seed_generator)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_TrainingOnlyLayer):
    """Multiplies the inputs by normal noise of mean 1 and variance `rate / (1 - rate)`."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, **kwargs)
        rate = _fraction(self, "rate", rate)
        self._start_drawing(rate > 0)
        self.rate = rate

    def call(self, inputs: jax.Array, training: bool | None = False) -> jax.Array:
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * random.normal(inputs.shape, mean=1.0, stddev=stddev,
                                      dtype=inputs.dtype, seed=self.seed_generator)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_TrainingOnlyLayer):
    """Dropout for SELU networks: dropped entries take SELU's negative saturation value and
    an affine correction keeps the inputs' mean and variance."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any):
        super().__init__(seed, **kwargs)
        rate = _fraction(self, "rate", rate)
        self._start_drawing(rate > 0)
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs: jax.Array, training: bool | None = False) -> jax.Array:
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        kept = (random.uniform(shape, seed=self.seed_generator) >= self.rate)
        kept = kept.astype(inputs.dtype)
        saturation = -_SELU_ALPHA * _SELU_SCALE
        scale = ((1 - self.rate) * (1 + self.rate * saturation**2)) ** -0.5
        shift = -scale * saturation * self.rate
        dropped = inputs * kept + saturation * (1 - kept)
        return scale * dropped + shift

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class _SpatialDropout(_TrainingOnlyLayer):
    """Dropout of whole feature maps: one keep/drop draw per sample and channel."""

    rank = 0  # spatial axes

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype: Any = None, data_format: str | None = None):
        super().__init__(seed, name=name, dtype=dtype)
        rate = _fraction(self, "rate", rate)
        self._start_drawing(rate > 0)
        self.rate = rate
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                f"Invalid value for argument `data_format` of {type(self).__name__}. "
                f"Expected 'channels_last' or 'channels_first'. "
                f"Received: data_format={data_format!r}")

    def check_input_shape(self, input_shape: Any) -> None:
        if isinstance(input_shape, tuple) and len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim={self.rank + 2}, found ndim={len(input_shape)}. Full shape received: "
                f"{input_shape}")

    def call(self, inputs: jax.Array, training: bool | None = False) -> jax.Array:
        if not training or self.rate == 0:
            return inputs
        ones = (1,) * self.rank
        if self.data_format == "channels_first":
            noise_shape = inputs.shape[:2] + ones
        else:
            noise_shape = (inputs.shape[0],) + ones + (inputs.shape[-1],)
        return random.dropout(inputs, self.rate, noise_shape=noise_shape,
                              seed=self.seed_generator)

    def get_config(self) -> dict[str, Any]:
        # Keras writes these layers' configs in this reduced form.
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype,
                "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of (batch, steps, channels) inputs."""

    rank = 1

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype: Any = None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of 4-D inputs."""

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops whole feature volumes of 5-D inputs."""

    rank = 3


class ActivityRegularization(Layer):
    """Passes its input through and adds `l1 * sum|x| + l2 * sum x^2`, divided by the batch
    size, to the training loss."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        # Layer.__call__ adds the activity regularizer's penalty, as for any layer.
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
