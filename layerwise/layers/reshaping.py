"""Spatial reshaping layers: ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.layer import Layer
from layerwise.layers.convolutional import (check_rank, choose, positive_int,
                                            standardize_data_format, standardize_tuple)

__all__ = ["Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D", "ZeroPadding1D",
           "ZeroPadding2D"]

_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def _pairs_2d(value: Any, argument: str, owner: str) -> tuple[tuple[int, int], ...]:
    """An int, 2 ints (symmetric), or 2 pairs ((top, bottom), (left, right)) as 2 pairs."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = standardize_tuple(value, 2, argument, owner, allow_zero=True)
        return (pair, pair)
    if not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(
            f"Invalid value for argument `{argument}` of {owner}. Expected an int, a tuple "
            f"of 2 ints or a tuple of 2 tuples of 2 ints. Received: {argument}={value!r}")
    return tuple(standardize_tuple(entry, 2, argument, owner, allow_zero=True)
                 for entry in value)


def _spatial_axes(data_format: str, rank: int) -> tuple[int, ...]:
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


class _SpatialReshaping(Layer):
    rank = 2
    data_format = "channels_last"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.built = True

    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def check_input_shape(self, input_shape: Any) -> None:
        check_rank(self, input_shape, self.rank + 2)

    def _resized(self, input_shape: tuple, change) -> tuple:
        """`input_shape` with each spatial size n (if known) replaced by change(i, n)."""
        shape = list(input_shape)
        for i, axis in enumerate(_spatial_axes(self.data_format, self.rank)):
            if shape[axis] is not None:
                shape[axis] = change(i, shape[axis])
        return tuple(shape)


class _ZeroPadding(_SpatialReshaping):
    """Adds rows/columns of zeros before and after each spatial axis."""

    def call(self, inputs: jax.Array) -> jax.Array:
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(_spatial_axes(self.data_format, self.rank), self.padding):
            widths[axis] = pair
        return jnp.pad(inputs, widths)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._resized(input_shape, lambda i, n: n + sum(self.padding[i]))

    def get_config(self) -> dict[str, Any]:
        padding = self.padding[0] if self.rank == 1 else self.padding
        return {**super().get_config(), "padding": padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis: `padding` is an int or (before, after)."""

    rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.padding = (standardize_tuple(padding, 2, "padding", self._owner(),
                                          allow_zero=True),)


class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns: an int, (rows, columns), or ((top, bottom), (left, right))."""

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.padding = _pairs_2d(padding, "padding", self._owner())


class _Cropping(_SpatialReshaping):
    """Removes cells from the start and end of each spatial axis."""

    def _check(self, input_shape: tuple) -> None:
        for axis, pair in zip(_spatial_axes(self.data_format, self.rank), self.cropping):
            if input_shape[axis] is not None and sum(pair) >= input_shape[axis]:
                raise ValueError(
                    f"{self._owner()}: values in `cropping` must be smaller than the "
                    f"spatial sizes of the input. Received: input_shape={tuple(input_shape)}, "
                    f"cropping={self.get_config()['cropping']}")

    def check_input_shape(self, input_shape: Any) -> None:
        super().check_input_shape(input_shape)
        if isinstance(input_shape, tuple):
            self._check(input_shape)

    def call(self, inputs: jax.Array) -> jax.Array:
        index = [slice(None)] * inputs.ndim
        for axis, (start, end) in zip(_spatial_axes(self.data_format, self.rank),
                                      self.cropping):
            index[axis] = slice(start, inputs.shape[axis] - end)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check(tuple(input_shape))
        return self._resized(input_shape, lambda i, n: n - sum(self.cropping[i]))

    def get_config(self) -> dict[str, Any]:
        if self.rank == 1:
            return {**super().get_config(), "cropping": self.cropping[0]}
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Crops the steps axis: `cropping` is an int or (start, end)."""

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any):
        super().__init__(**kwargs)
        self.cropping = (standardize_tuple(cropping, 2, "cropping", self._owner(),
                                           allow_zero=True),)


class Cropping2D(_Cropping):
    """Crops rows and columns: an int, (rows, columns), or ((top, bottom), (left, right))."""

    rank = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.cropping = _pairs_2d(cropping, "cropping", self._owner())


class UpSampling1D(_SpatialReshaping):
    """Repeats each step `size` times."""

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(
                f"Invalid type for argument `size` of {self._owner()}. Expected an int. "
                f"Received: size={size!r} (of type {type(size).__name__})")
        self.size = positive_int(size, "size", self._owner())

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._resized(input_shape, lambda i, n: n * self.size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_SpatialReshaping):
    """Scales rows and columns by `size`: repeats ('nearest') or `jax.image.resize`."""

    rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.size = standardize_tuple(size, 2, "size", self._owner())
        self.interpolation = choose(interpolation, _INTERPOLATIONS, "interpolation",
                                    self._owner())

    def call(self, inputs: jax.Array) -> jax.Array:
        x = jnp.moveaxis(inputs, 1, -1) if self.data_format == "channels_first" else inputs
        if self.interpolation == "nearest":
            x = jnp.repeat(jnp.repeat(x, self.size[0], axis=1), self.size[1], axis=2)
        else:
            shape = (x.shape[0], x.shape[1] * self.size[0], x.shape[2] * self.size[1],
                     x.shape[3])
            x = jax.image.resize(x, shape, method=self.interpolation, antialias=False)
        return jnp.moveaxis(x, -1, 1) if self.data_format == "channels_first" else x

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._resized(input_shape, lambda i, n: n * self.size[i])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
