"""Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and the global poolings.

Windowed pooling is `lax.reduce_window`, the call Keras-JAX makes, except on CPU in the
common case of non-overlapping windows (strides equal to the pool size, 'valid'
padding): there it is a reshape that splits each spatial axis into (windows, pool) and
reduces the pool axes. Measured inside a jitted 8-step lax.scan on our 2-core CPU
machines, a (128, 28, 28, 1) -> Conv2D(32, 3) -> Conv2D(64, 3) -> MaxPooling2D(2) ->
Dense(10) training step took 117 ms with reduce_window, 89 ms with the reshape, and
194 ms with a maximum over one strided slice per window offset (so that is not used).
Forward numbers are the same (average pooling: up to float32 summation order). Where a
window holds several equal maxima, the reshape's gradient is split among them instead
of going to one of them.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from layerwise.engine.layer import Layer
from layerwise.layers.arguments import (check_rank, standardize_data_format,
                                        standardize_padding, standardize_tuple)
from layerwise.ops.convolution import conv_output_size, default_implementation

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling3D",
    "AvgPool3D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool3D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling3D",
    "MaxPool3D",
    "MaxPooling3D",
    "average_pool",
    "max_pool",
]


# -- pure functions ----------------------------------------------------------------------
def _pool_by_reshape(x: jax.Array, pool_size: Sequence[int], reduce: Callable,
                     data_format: str) -> jax.Array:
    """Non-overlapping windows: split each spatial axis into (windows, pool), reduce pools.

    Cells past the last whole window are dropped, as 'valid' pooling drops them.
    """
    first = 1 if data_format == "channels_last" else 2
    spatial = x.shape[first:first + len(pool_size)]
    counts = [n // p for n, p in zip(spatial, pool_size)]
    crop = tuple(slice(0, c * p) for c, p in zip(counts, pool_size))
    split: list[int] = []
    for count, pool in zip(counts, pool_size):
        split += [count, pool]
    if data_format == "channels_last":
        x = x[(slice(None), *crop, slice(None))].reshape(x.shape[0], *split, x.shape[-1])
    else:
        x = x[(slice(None), slice(None), *crop)].reshape(x.shape[0], x.shape[1], *split)
    pool_axes = tuple(first + 1 + 2 * i for i in range(len(pool_size)))
    return reduce(x, axis=pool_axes)


def _reduce_window(inputs, init, reducer, pool_size, strides, padding, data_format):
    if data_format == "channels_last":
        window, steps = (1, *pool_size, 1), (1, *strides, 1)
    else:
        window, steps = (1, 1, *pool_size), (1, 1, *strides)
    return lax.reduce_window(inputs, init, reducer, window, steps, padding.upper())


def _pool_arguments(inputs: jax.Array, pool_size: Any, strides: Any, padding: str,
                    implementation: str | None):
    """Standardized (pool_size, strides) and whether the reshape formulation applies."""
    rank = inputs.ndim - 2
    pool_size = standardize_tuple(pool_size, rank, "pool_size", "pooling")
    strides = pool_size if strides is None else standardize_tuple(strides, rank, "strides",
                                                                  "pooling")
    by_reshape = ((implementation or default_implementation()) != "xla"
                  and padding == "valid" and strides == pool_size)
    return pool_size, strides, by_reshape


def max_pool(inputs: jax.Array, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str = "channels_last", implementation: str | None = None) -> jax.Array:
    """Maximum over each window, as Keras's `ops.max_pool` ('same' pads with -inf)."""
    pool_size, strides, by_reshape = _pool_arguments(inputs, pool_size, strides, padding,
                                                     implementation)
    if by_reshape:
        return _pool_by_reshape(inputs, pool_size, jnp.max, data_format)
    return _reduce_window(inputs, -jnp.inf, lax.max, pool_size, strides, padding, data_format)


def average_pool(inputs: jax.Array, pool_size: Any, strides: Any = None,
                 padding: str = "valid", data_format: str = "channels_last",
                 implementation: str | None = None) -> jax.Array:
    """Mean over each window, as Keras's `ops.average_pool`.

    With 'same' padding a window is averaged over its real (unpadded) cells only.
    """
    pool_size, strides, by_reshape = _pool_arguments(inputs, pool_size, strides, padding,
                                                     implementation)
    if by_reshape:
        return _pool_by_reshape(inputs, pool_size, jnp.sum, data_format) / math.prod(pool_size)
    total = _reduce_window(inputs, 0.0, lax.add, pool_size, strides, padding, data_format)
    if padding == "valid":
        return total / math.prod(pool_size)
    # Count the real cells under each window by pooling ones; axes not pooled stay size 1.
    window = (1, *pool_size, 1) if data_format == "channels_last" else (1, 1, *pool_size)
    ones = jnp.ones([n if p != 1 else 1 for n, p in zip(inputs.shape, window)], inputs.dtype)
    return total / _reduce_window(ones, 0.0, lax.add, pool_size, strides, padding, data_format)


# -- layers ------------------------------------------------------------------------------
class _Pooling(Layer):
    """Windowed pooling.

    Args:
        pool_size: an int or `rank` ints, the window's size.
        strides: an int or `rank` ints; None means `pool_size`.
        padding: 'valid' or 'same' (case-insensitive).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    rank = 2
    pool = staticmethod(max_pool)

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", owner)
        self.strides = self.pool_size if strides is None else standardize_tuple(
            strides, self.rank, "strides", owner)
        self.padding = standardize_padding(padding, owner)
        self.data_format = standardize_data_format(data_format, owner)
        self.built = True

    def check_input_shape(self, input_shape: Any) -> None:
        check_rank(self, input_shape, self.rank + 2)

    def call(self, inputs: jax.Array) -> jax.Array:
        return type(self).pool(inputs, self.pool_size, self.strides, self.padding,
                               self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        check_rank(self, input_shape, self.rank + 2)
        if self.data_format == "channels_last":
            spatial = input_shape[1:-1]
        else:
            spatial = input_shape[2:]
        sizes = [conv_output_size(n, p, s, 1, self.padding)
                 for n, p, s in zip(spatial, self.pool_size, self.strides)]
        if any(size is not None and size <= 0 for size in sizes):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': computed output size would be zero "
                f"or negative. Received: input_shape={input_shape}, pool_size="
                f"{self.pool_size}, strides={self.strides}, padding={self.padding!r}")
        if self.data_format == "channels_last":
            return (input_shape[0], *sizes, input_shape[-1])
        return (input_shape[0], input_shape[1], *sizes)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Maximum over windows of `pool_size` steps."""

    rank = 1
    pool = staticmethod(max_pool)


class MaxPooling2D(_Pooling):
    """Maximum over windows of `pool_size` (rows, columns)."""

    rank = 2
    pool = staticmethod(max_pool)

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows of `pool_size` steps ('same' windows: over their real cells)."""

    rank = 1
    pool = staticmethod(average_pool)

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over windows of `pool_size` (rows, columns)."""

    rank = 2
    pool = staticmethod(average_pool)

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling3D(_Pooling):
    """Maximum over windows of `pool_size` (three spatial axes)."""

    rank = 3
    pool = staticmethod(max_pool)

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over windows of `pool_size` (three spatial axes)."""

    rank = 3
    pool = staticmethod(average_pool)

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class _GlobalPooling(Layer):
    """Reduces every spatial axis.

    Args:
        data_format: 'channels_last' (default) or 'channels_first'.
        keepdims: keep the spatial axes, with length 1.
    """

    rank = 2
    reduce = staticmethod(jnp.mean)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(
            data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)
        self.built = True

    def _spatial_axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def check_input_shape(self, input_shape: Any) -> None:
        check_rank(self, input_shape, self.rank + 2)

    def call(self, inputs: jax.Array) -> jax.Array:
        return type(self).reduce(inputs, axis=self._spatial_axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if not self.keepdims:
            return (input_shape[0], channels)
        if self.data_format == "channels_last":
            return (input_shape[0],) + (1,) * self.rank + (channels,)
        return (input_shape[0], channels) + (1,) * self.rank

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps axis; with a mask, the mean of the unmasked steps only."""

    rank = 1
    reduce = staticmethod(jnp.mean)
    supports_masking = True

    def call(self, inputs: jax.Array, mask: Any = None) -> jax.Array:
        if mask is None:
            return super().call(inputs)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        kept = jnp.expand_dims(mask.astype(bool), 2 if steps_axis == 1 else 1)
        total = jnp.sum(jnp.where(kept, inputs, 0), axis=steps_axis, keepdims=self.keepdims)
        return total / jnp.sum(kept.astype(inputs.dtype), axis=steps_axis,
                               keepdims=self.keepdims)

    def compute_mask(self, inputs: Any, previous_mask: Any) -> None:
        return None  # the steps axis is gone


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over the rows and columns."""

    rank = 2
    reduce = staticmethod(jnp.mean)


class GlobalMaxPooling1D(_GlobalPooling):
    """Maximum over the steps axis."""

    rank = 1
    reduce = staticmethod(jnp.max)


class GlobalMaxPooling2D(_GlobalPooling):
    """Maximum over the rows and columns."""

    rank = 2
    reduce = staticmethod(jnp.max)


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over the three spatial axes."""

    rank = 3
    reduce = staticmethod(jnp.mean)


class GlobalMaxPooling3D(_GlobalPooling):
    """Maximum over the three spatial axes."""

    rank = 3
    reduce = staticmethod(jnp.max)


# Keras's alternative names for the same classes.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D
