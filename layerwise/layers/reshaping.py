"""Reshaping layers: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D, Permute,
RepeatVector."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.layer import Layer
from layerwise.layers.arguments import (check_rank, choose, positive_int,
                                        standardize_data_format, standardize_tuple)

__all__ = ["Cropping1D", "Cropping2D", "Cropping3D", "Permute", "RepeatVector", "UpSampling1D",
           "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"]

_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def _pairs(value: Any, count: int, argument: str, owner: str) -> tuple[tuple[int, int], ...]:
    """An int, `count` ints (each symmetric), or `count` (before, after) pairs, as pairs."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = standardize_tuple(value, 2, argument, owner, allow_zero=True)
        return (pair,) * count
    if not hasattr(value, "__len__") or len(value) != count:
        raise ValueError(
            f"Invalid value for argument `{argument}` of {owner}. Expected an int, a tuple "
            f"of {count} ints or a tuple of {count} tuples of 2 ints. "
            f"Received: {argument}={value!r}")
    return tuple(standardize_tuple(entry, 2, argument, owner, allow_zero=True)
                 for entry in value)


def _pairs_2d(value: Any, argument: str, owner: str) -> tuple[tuple[int, int], ...]:
    return _pairs(value, 2, argument, owner)


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


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes: an int, 3 ints, or 3 (before, after) pairs."""

    rank = 3

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.padding = _pairs(padding, 3, "padding", self._owner())


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


class Cropping3D(_Cropping):
    """Crops the three spatial axes: an int, 3 ints, or 3 (start, end) pairs."""

    rank = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.cropping = _pairs(cropping, 3, "cropping", self._owner())


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


class UpSampling3D(_SpatialReshaping):
    """Repeats each cell `size[i]` times along spatial axis i."""

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, self._owner())
        self.size = standardize_tuple(size, 3, "size", self._owner())

    def call(self, inputs: jax.Array) -> jax.Array:
        for axis, repeats in zip(_spatial_axes(self.data_format, self.rank), self.size):
            inputs = jnp.repeat(inputs, repeats, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._resized(input_shape, lambda i, n: n * self.size[i])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class Permute(Layer):
    """Reorders the non-batch axes: `dims` is a permutation of 1..rank-1 (1-based)."""

    def __init__(self, dims: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Invalid permutation argument `dims` for Permute Layer. The set of indices "
                f"in `dims` must be consecutive and start from 1. Received dims={dims!r}")
        self.built = True

    def check_input_shape(self, input_shape: Any) -> None:
        check_rank(self, input_shape, len(self.dims) + 1)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + tuple(input_shape[axis] for axis in self.dims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats (batch, features) inputs `n` times: (batch, n, features)."""

    def __init__(self, n: int, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"Expected an integer value for `n`, got {type(n).__name__}.")
        self.n = int(n)
        self.built = True

    def check_input_shape(self, input_shape: Any) -> None:
        check_rank(self, input_shape, 2)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.repeat(inputs[:, None, :], self.n, axis=1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}
