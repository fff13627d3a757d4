"""Adaptive pooling: pool to a fixed `output_size`, whatever the input's spatial size.

Output cell i of an axis of input size n and output size m reduces input cells
floor(i * n / m) .. ceil((i + 1) * n / m) - 1 (windows may overlap by one cell). The
windows are rectangular, so pooling one axis after another gives the same mean and max
as pooling each window at once.
"""
from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.layer import Layer
from layerwise.layers.arguments import check_rank, standardize_data_format, standardize_tuple


def _windows(size: int, output_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(output_size, longest window) input indices, and which of them are in the window."""
    starts = [math.floor(i * size / output_size) for i in range(output_size)]
    ends = [math.ceil((i + 1) * size / output_size) for i in range(output_size)]
    longest = max(end - start for start, end in zip(starts, ends))
    offsets = np.arange(longest)
    indices = np.array(starts)[:, None] + offsets[None, :]
    inside = indices < np.array(ends)[:, None]
    return np.minimum(indices, size - 1), inside


def adaptive_pool(inputs: jax.Array, output_size: tuple, reduce: str,
                  data_format: str = "channels_last") -> jax.Array:
    """Mean ("average") or maximum ("max") adaptive pooling of a batch of feature maps."""
    first = 1 if data_format == "channels_last" else 2
    x = inputs
    for step, target in enumerate(output_size):
        axis = first + step
        indices, inside = _windows(x.shape[axis], target)
        # (..., target, longest, ...) with the window laid along a new axis after `axis`.
        gathered = jnp.take(x, jnp.asarray(indices.reshape(-1)), axis=axis)
        gathered = gathered.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])
        mask = jnp.asarray(inside).reshape((1,) * axis + inside.shape +
                                           (1,) * (x.ndim - axis - 1))
        if reduce == "max":
            x = jnp.max(jnp.where(mask, gathered, -jnp.inf), axis=axis + 1)
        else:
            x = jnp.sum(jnp.where(mask, gathered, 0), axis=axis + 1) / \
                jnp.sum(mask, axis=axis + 1).astype(x.dtype)
    return x


class _AdaptivePooling(Layer):
    """Pools every spatial axis to `output_size` (an int or `rank` ints)."""

    rank = 2
    reduce = "average"

    def __init__(self, output_size: Any, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.output_size = standardize_tuple(output_size, self.rank, "output_size", owner)
        self.data_format = standardize_data_format(data_format, owner)
        self.built = True

    def check_input_shape(self, input_shape: Any) -> None:
        check_rank(self, input_shape, self.rank + 2)

    def call(self, inputs: jax.Array) -> jax.Array:
        return adaptive_pool(inputs, self.output_size, self.reduce, self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Mean over adaptive windows of the steps axis."""

    rank, reduce = 1, "average"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Mean over adaptive windows of rows and columns."""

    rank, reduce = 2, "average"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Mean over adaptive windows of the three spatial axes."""

    rank, reduce = 3, "average"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Maximum over adaptive windows of the steps axis."""

    rank, reduce = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Maximum over adaptive windows of rows and columns."""

    rank, reduce = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Maximum over adaptive windows of the three spatial axes."""

    rank, reduce = 3, "max"
