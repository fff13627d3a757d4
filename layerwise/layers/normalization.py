"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization and
RMSNormalization.

Batch and layer normalization compute in the order Keras-JAX does (`inv = rsqrt(var + eps) * gamma`,
`outputs = x * inv + (beta - mean * inv)`), so outputs agree to float32 rounding.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import constraints, initializers, regularizers
from layerwise.engine.layer import Layer

__all__ = ["BatchNormalization", "LayerNormalization", "RMSNormalization", "UnitNormalization",
           "normalize"]


def normalize(x: jax.Array, mean: jax.Array, variance: jax.Array, gamma: jax.Array | None,
              beta: jax.Array | None, epsilon: float) -> jax.Array:
    """`gamma * (x - mean) / sqrt(variance + epsilon) + beta`; all arrays broadcast to x."""
    inv = jax.lax.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv
    if beta is not None:
        shift = shift + beta
    return x * inv + shift


def in_float32(x: jax.Array) -> jax.Array:
    """Half-precision inputs upcast: normalization statistics overflow in float16."""
    return x.astype(jnp.float32) if x.dtype in (jnp.float16, jnp.bfloat16) else x


def to_dtype(x: jax.Array, dtype: str) -> jax.Array:
    """`x` in `dtype` (the layer's compute dtype); no cast when it already is."""
    return x if x.dtype == dtype else x.astype(dtype)


def _float(value: Any, argument: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"Invalid type for argument `{argument}` of {owner}. Expected a float. "
            f"Received: {argument}={value!r} (of type {type(value).__name__})")
    return float(value)


def _check_axis(axis: int, ndim: int, owner: str, received: Any) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{owner}: axis {axis} is out of bounds for inputs of rank {ndim}. "
            f"Received: axis={received}")
    return axis % ndim


class BatchNormalization(Layer):
    """Normalizes each feature with batch statistics in training, moving ones in inference.

    In training (and only while the layer is trainable) the batch mean and variance are
    used, and the moving statistics move towards them:
    `moving = moving * momentum + batch_statistic * (1 - momentum)`.

    Args:
        axis: the feature axis (an int); the others are reduced.
        momentum: the moving statistics' decay.
        epsilon: added to the variance.
        center / scale: whether to learn `beta` / `gamma`.
        synchronized: only False is supported (as in Keras-JAX).
        renorm: batch renormalization is not supported yet; only False.
    """

    supports_masking = True  # as in Keras: the input's mask passes on

    # The output for one sample depends on the whole batch: the engine must not pad a
    # partial batch with other rows for models that contain this layer.
    mixes_samples = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False,
                 renorm_clipping: dict | None = None, renorm_momentum: float = 0.99,
                 synchronized: bool = False, **kwargs: Any):
        # Keras 2 configs carry these; Keras 3 ignores them.
        for legacy in ("fused", "virtual_batch_size", "adjustment"):
            kwargs.pop(legacy, None)
        super().__init__(**kwargs)
        owner = f"BatchNormalization '{self.name}'"
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(
                f"Invalid type for argument `axis` of {owner}. Expected an int. "
                f"Received: axis={axis!r}")
        if synchronized:
            raise ValueError(
                f"{owner}: argument synchronized=True is only supported with the "
                "TensorFlow backend of Keras.")
        if renorm:
            raise NotImplementedError(f"{owner}: `renorm=True` is not supported yet.")
        self.axis = int(axis)
        self.momentum = _float(momentum, "momentum", owner)
        self.epsilon = _float(epsilon, "epsilon", owner)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = False
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None

    def build(self, input_shape: tuple) -> None:
        owner = f"BatchNormalization '{self.name}'"
        axis = _check_axis(self.axis, len(input_shape), owner, self.axis)
        features = input_shape[axis]
        if features is None:
            raise ValueError(
                f"{owner}: axis {self.axis} of the input shape must be known. "
                f"Received: input_shape={tuple(input_shape)}")
        self._built_rank, self._features = len(input_shape), features
        # Weight order as in Keras: gamma, beta, moving_mean, moving_variance.
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma", shape=(features,), initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                autocast=False)
        if self.center:
            self.beta = self.add_weight(
                name="beta", shape=(features,), initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                autocast=False)
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=(features,), initializer=self.moving_mean_initializer,
            trainable=False, autocast=False)
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=(features,),
            initializer=self.moving_variance_initializer, trainable=False, autocast=False)

    def check_input_shape(self, input_shape: Any) -> None:
        if not self.built or not isinstance(input_shape, tuple):
            return
        if len(input_shape) != self._built_rank or input_shape[self.axis] not in (
                None, self._features):
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"ndim={self._built_rank} and axis {self.axis} of input shape to have value "
                f"{self._features}, but received input with shape {input_shape}")

    def call(self, inputs: jax.Array, training: bool | None = None) -> jax.Array:
        # Under a mixed policy the statistics are computed in float32, as in Keras.
        inputs = in_float32(inputs)
        axis = self.axis % inputs.ndim
        reduction_axes = tuple(a for a in range(inputs.ndim) if a != axis)
        broadcast = [1] * inputs.ndim
        broadcast[axis] = self._features
        moving_mean = self.moving_mean.value
        moving_variance = self.moving_variance.value
        if training and self.trainable:
            mean = jnp.mean(inputs, reduction_axes)
            variance = jnp.var(inputs, axis=reduction_axes)
            self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(
                moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            mean, variance = moving_mean, moving_variance
        gamma = None if self.gamma is None else self.gamma.value.reshape(broadcast)
        beta = None if self.beta is None else self.beta.value.reshape(broadcast)
        return to_dtype(normalize(inputs, mean.reshape(broadcast), variance.reshape(broadcast),
                                  gamma, beta, self.epsilon), self.compute_dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        _check_axis(self.axis, len(input_shape), f"BatchNormalization '{self.name}'",
                    self.axis)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (the last by default), then scales and shifts.

    Args:
        axis: an int or a list of ints; after build it is a sorted list, as in Keras.
        epsilon: added to the variance.
        center / scale: whether to learn `beta` / `gamma` (shaped like the normalized axes).
        rms_scaling: deprecated Keras option; scales by the variance and has no beta.
    """

    supports_masking = True  # as in Keras: the input's mask passes on

    def __init__(self, axis: int | Sequence[int] = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any):
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. It scales the input "
                "by the variance, not the root mean square.")
        super().__init__(**kwargs)
        # As Keras: floating inputs come in as they are (the math is float32 anyway).
        self.autocast = False
        if isinstance(axis, (list, tuple)) and all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
            self.axis: int | list[int] = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise TypeError(
                f"Invalid type for argument `axis` of LayerNormalization '{self.name}'. "
                f"Expected an int or a list/tuple of ints. Received: axis={axis!r}")
        self.epsilon = _float(epsilon, "epsilon", f"LayerNormalization '{self.name}'")
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    def build(self, input_shape: tuple) -> None:
        owner = f"LayerNormalization '{self.name}'"
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            _check_axis(axis, len(input_shape), owner, self.axis)
        self.axis = sorted(axes)
        shape = tuple(input_shape[axis] for axis in self.axis)
        if any(size is None for size in shape):
            raise ValueError(
                f"{owner}: the normalized axes {self.axis} of the input shape must be "
                f"known. Received: input_shape={tuple(input_shape)}")
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                autocast=False)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                autocast=False)

    def call(self, inputs: jax.Array) -> jax.Array:
        outputs = self._normalize(in_float32(inputs))
        return to_dtype(outputs, self.compute_dtype)

    def _normalize(self, inputs: jax.Array) -> jax.Array:
        axes = tuple(axis % inputs.ndim for axis in self.axis)
        broadcast = [1] * inputs.ndim
        for axis in axes:
            broadcast[axis] = inputs.shape[axis]
        gamma = None if self.gamma is None else self.gamma.value.reshape(broadcast)
        beta = None if self.beta is None else self.beta.value.reshape(broadcast)
        variance = jnp.var(inputs, axis=axes, keepdims=True)
        if self.rms_scaling:
            outputs = inputs * jax.lax.rsqrt(variance + self.epsilon)
            return outputs if gamma is None else outputs * gamma
        mean = jnp.mean(inputs, axes, keepdims=True)
        return normalize(inputs, mean, variance, gamma, beta, self.epsilon)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            _check_axis(axis, len(input_shape), f"LayerNormalization '{self.name}'", self.axis)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


def _axes(axis: Any, owner: str) -> int | list[int]:
    """An int axis, or a list of int axes, as Keras keeps them in configs."""
    if isinstance(axis, (list, tuple)):
        return [int(a) for a in axis]
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise TypeError(f"Invalid value for argument `axis` of {owner}. Expected an int or a "
                    f"list of ints. Received: axis={axis!r}")


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis` (an int or a list)."""

    def __init__(self, axis: int | Sequence[int] = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = _axes(axis, f"UnitNormalization '{self.name}'")
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        squares = jnp.sum(jnp.square(inputs), axis=axis, keepdims=True)
        # A zero vector stays zero: the inverse norm is capped at 1 / 1e-12.
        return inputs * jnp.minimum(jax.lax.rsqrt(squares), 1e12)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class RMSNormalization(Layer):
    """`x / sqrt(mean(x**2 over axis) + epsilon) * scale`, a learned scale per feature."""

    def __init__(self, axis: int | Sequence[int] = -1, epsilon: float = 1e-6, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = _axes(axis, f"RMSNormalization '{self.name}'")
        self.epsilon = _float(epsilon, "epsilon", f"RMSNormalization '{self.name}'")

    def build(self, input_shape: tuple) -> None:
        if isinstance(self.axis, int):
            self.axis = [self.axis]  # Keras keeps a list from here on, configs included
        self.scale = self.add_weight(name="scale",
                                     shape=tuple(input_shape[a] for a in self.axis),
                                     initializer="ones")

    def call(self, inputs: jax.Array) -> jax.Array:
        axes = tuple(sorted(self.axis))
        inverse_rms = jax.lax.rsqrt(
            jnp.mean(jnp.square(inputs), axis=axes, keepdims=True) + self.epsilon)
        ndim = inputs.ndim
        positive = sorted(a % ndim for a in self.axis)
        scale_shape = [inputs.shape[a] if a in positive else 1 for a in range(ndim)]
        return inputs * inverse_rms * jnp.reshape(self.scale.value, scale_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
