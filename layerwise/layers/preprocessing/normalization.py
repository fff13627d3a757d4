"""Normalization: shift and scale features to zero mean and unit variance, with statistics
either given or learned by `adapt`."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.layer import Layer
from layerwise.layers.preprocessing.adapt_data import batches_of

# Keras divides by max(std, epsilon) so constant features do not blow up.
_EPSILON = 1e-7


class Normalization(Layer):
    """Computes `(x - mean) / sqrt(variance)` per feature along `axis` (or the inverse)."""

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.mean = None
        self.variance = None
        self.count = None

    def _kept_axes(self, ndim: int) -> tuple[int, ...]:
        kept = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"Invalid value for argument `axis` of Normalization '{self.name}'. "
                    f"Expected axes within the input's {ndim} dimensions. Received: "
                    f"axis={self.axis}")
            kept.append(a % ndim)
        return tuple(sorted(kept))

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        kept = self._kept_axes(ndim)
        if any(input_shape[a] is None for a in kept):
            raise ValueError(
                f"All `axis` values to be kept of Normalization '{self.name}' must have "
                f"known shape. Received: axis={self.axis}, inputs.shape={input_shape}")
        self._broadcast_shape = tuple(input_shape[a] if a in kept else 1 for a in range(ndim))
        weight_shape = tuple(input_shape[a] for a in kept)
        if self.input_mean is None:
            self.mean = self.add_weight(name="mean", shape=weight_shape, initializer="zeros",
                                        trainable=False)
            self.variance = self.add_weight(name="variance", shape=weight_shape,
                                            initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            self._constant_mean = np.broadcast_to(
                np.asarray(self.input_mean, "float32"), weight_shape).reshape(
                    self._broadcast_shape)
            self._constant_variance = np.broadcast_to(
                np.asarray(self.input_variance, "float32"), weight_shape).reshape(
                    self._broadcast_shape)

    def adapt(self, data: Any) -> None:
        """Sets mean and variance to the statistics of `data` (an array or an iterable of
        batches), reduced over every axis not in `axis`."""
        total = None
        total_squares = None
        count = 0
        for batch in batches_of(data):
            batch = batch.astype("float64")
            if not self.built:
                self.build_for_shape((None,) + batch.shape[1:])
            kept = self._kept_axes(batch.ndim)
            reduced = tuple(a for a in range(batch.ndim) if a not in kept)
            sums = batch.sum(axis=reduced)
            squares = np.square(batch).sum(axis=reduced)
            total = sums if total is None else total + sums
            total_squares = squares if total_squares is None else total_squares + squares
            count += int(np.prod([batch.shape[a] for a in reduced]))
        if total is None:
            raise ValueError(f"Normalization '{self.name}' cannot adapt to empty data.")
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization '{self.name}' was given `mean` and `variance`; it cannot "
                "adapt.")
        mean = total / count
        variance = np.maximum(total_squares / count - np.square(mean), 0.0)
        self.mean.assign(mean.astype("float32"))
        self.variance.assign(variance.astype("float32"))

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.input_mean is None:
            mean = jnp.reshape(self.mean.value, self._broadcast_shape)
            variance = jnp.reshape(self.variance.value, self._broadcast_shape)
        else:
            mean, variance = self._constant_mean, self._constant_variance
        if mean.dtype != inputs.dtype:  # a mixed policy: the statistics in the compute dtype
            mean, variance = mean.astype(inputs.dtype), variance.astype(inputs.dtype)
        scale = jnp.maximum(jnp.sqrt(variance), _EPSILON)
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        def plain(value):
            return np.asarray(value).tolist() if value is not None else None
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}
