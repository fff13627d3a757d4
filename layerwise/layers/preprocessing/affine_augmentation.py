"""Random geometric augmentation by an affine resampling of each image: RandomRotation,
RandomZoom, RandomTranslation (training only, Keras-JAX's seeded draws).

A transform is Keras's 8-number row `[a0, a1, a2, b0, b1, b2, 0, 0]`: the output pixel at
(x, y) reads the input at `x' = a0 x + a1 y + a2`, `y' = b0 x + b1 y + b2`, with
`jax.scipy.ndimage.map_coordinates` filling outside points by `fill_mode`.
"""
from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from layerwise import random
from layerwise.layers.arguments import choose
from layerwise.layers.preprocessing.image_augmentation import RandomImageLayer, factor_range

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATION_ORDERS = {"nearest": 0, "bilinear": 1}


def affine_transform(images: jax.Array, transforms: jax.Array, interpolation: str,
                     fill_mode: str, fill_value: float, data_format: str) -> jax.Array:
    """Resamples a batch of images, one transform row per image."""
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    _, height, width, channels = images.shape
    rows, columns, channel = jnp.meshgrid(jnp.arange(height), jnp.arange(width),
                                          jnp.arange(channels), indexing="ij")

    def resample(image: jax.Array, transform: jax.Array) -> jax.Array:
        a0, a1, a2, b0, b1, b2 = (transform[i] for i in range(6))
        source_rows = b1 * rows + b0 * columns + b2
        source_columns = a1 * rows + a0 * columns + a2
        return jax.scipy.ndimage.map_coordinates(
            image, [source_rows, source_columns, channel.astype(source_rows.dtype)],
            order=INTERPOLATION_ORDERS[interpolation], mode=fill_mode, cval=fill_value)

    output = jax.vmap(resample)(images, transforms)
    if data_format == "channels_first":
        output = jnp.transpose(output, (0, 3, 1, 2))
    return output


def _height_width(images: jax.Array, data_format: str) -> tuple[int, int]:
    return images.shape[1:3] if data_format == "channels_last" else images.shape[2:4]


def _batch_size(images: jax.Array) -> int:
    if images.ndim not in (3, 4):
        raise ValueError("Expected the input image to be rank 3 or 4. Received "
                         f"inputs.shape={images.shape}")
    return images.shape[0] if images.ndim == 4 else 1


class _AffineLayer(RandomImageLayer):
    def __init__(self, fill_mode: str, interpolation: str, seed: int | None,
                 fill_value: float, data_format: str | None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.fill_mode = choose(fill_mode, FILL_MODES, "fill_mode", owner)
        self.interpolation = choose(interpolation, tuple(INTERPOLATION_ORDERS),
                                    "interpolation", owner)
        self.fill_value = fill_value

    def transforms(self, images: jax.Array) -> jax.Array:
        raise NotImplementedError

    def augment(self, images: jax.Array) -> jax.Array:
        single = images.ndim == 3
        batch = images[None] if single else images
        output = affine_transform(batch, self.transforms(images), self.interpolation,
                                  self.fill_mode, self.fill_value, self.data_format)
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}


class RandomRotation(_AffineLayer):
    """Rotates each image about its center by a random fraction of a full turn."""

    def __init__(self, factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs: Any):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(factor, (-1.0, 1.0), f"RandomRotation '{self.name}'")

    def transforms(self, images: jax.Array) -> jax.Array:
        batch = _batch_size(images)
        single = images[None] if images.ndim == 3 else images
        height, width = _height_width(single, self.data_format)
        degrees = random.uniform((batch,), minval=self.factor[0] * 360.0,
                                 maxval=self.factor[1] * 360.0, seed=self.generator)
        angle = degrees * jnp.asarray(math.pi / 180.0, degrees.dtype)
        center_x, center_y = 0.5 * (width - 1), 0.5 * (height - 1)
        cos, sin = jnp.cos(angle), jnp.sin(angle)
        zero = jnp.zeros_like(angle)
        return jnp.stack([cos, -sin, center_x - center_x * cos + center_y * sin,
                          sin, cos, center_y - center_x * sin - center_y * cos,
                          zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


def _signed_range(factor: Any, argument: str, owner: str, lowest_open: bool) -> tuple:
    def check(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value > 1.0 or \
                (value <= -1.0 if lowest_open else value < -1.0):
            raise ValueError(
                f"{owner}: the `{argument}` argument should be a number (or a list of two "
                f"numbers) in the range [-1.0, 1.0]. Received: {argument}={factor}")
    if isinstance(factor, (tuple, list)) and len(factor) == 2:
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    check(factor)
    return -abs(factor), abs(factor)


class RandomZoom(_AffineLayer):
    """Zooms each image in or out about its center (a factor below 0 zooms in)."""

    def __init__(self, height_factor: Any, width_factor: Any = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        owner = f"RandomZoom '{self.name}'"
        self.height_factor = height_factor
        self.height_range = _signed_range(height_factor, "height_factor", owner, True)
        self.width_factor = width_factor
        self.width_range = None if width_factor is None else _signed_range(
            width_factor, "width_factor", owner, True)

    def transforms(self, images: jax.Array) -> jax.Array:
        batch = _batch_size(images)
        single = images[None] if images.ndim == 3 else images
        height, width = _height_width(single, self.data_format)
        height_zoom = random.uniform((batch, 1), minval=1.0 + self.height_range[0],
                                     maxval=1.0 + self.height_range[1], seed=self.generator)
        width_zoom = height_zoom if self.width_range is None else random.uniform(
            (batch, 1), minval=1.0 + self.width_range[0], maxval=1.0 + self.width_range[1],
            seed=self.generator)
        zero = jnp.zeros((batch, 1))
        x_offset = (width - 1.0) / 2.0 * (1.0 - width_zoom)
        y_offset = (height - 1.0) / 2.0 * (1.0 - height_zoom)
        return jnp.concatenate([width_zoom, zero, x_offset, zero, height_zoom, y_offset,
                                zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shifts each image by random fractions of its height and width."""

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs: Any):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        owner = f"RandomTranslation '{self.name}'"
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_range = _signed_range(height_factor, "height_factor", owner, False)
        self.width_range = _signed_range(width_factor, "width_factor", owner, False)

    def transforms(self, images: jax.Array) -> jax.Array:
        batch = _batch_size(images)
        single = images[None] if images.ndim == 3 else images
        height, width = _height_width(single, self.data_format)
        shift_y = random.uniform((batch, 1), minval=self.height_range[0],
                                 maxval=self.height_range[1], seed=self.generator) * height
        shift_x = random.uniform((batch, 1), minval=self.width_range[0],
                                 maxval=self.width_range[1], seed=self.generator) * width
        one, zero = jnp.ones((batch, 1)), jnp.zeros((batch, 1))
        return jnp.concatenate([one, zero, -shift_x, zero, one, -shift_y, zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


def _shear_range(factor: Any, argument: str, owner: str) -> tuple:
    # A pair may reach -1: the config stores a number f as (-f, f), which Keras 3.15 then
    # refuses to read back; layerwise reads it.
    lowest = -1.0 if isinstance(factor, (tuple, list)) else 0.0

    def check(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                lowest <= value <= 1.0):
            raise ValueError(
                f"{owner}: the `{argument}` argument should be a number (or a list of two "
                f"numbers) in the range [0, 1]. Received: {argument}={factor}")
    if isinstance(factor, (tuple, list)) and len(factor) == 2:
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    check(factor)
    return -abs(factor), abs(factor)


class RandomShear(_AffineLayer):
    """Shears each image along x and y by random amounts (the direction flipped at
    random)."""

    def __init__(self, x_factor: Any = 0.0, y_factor: Any = 0.0,
                 interpolation: str = "bilinear", fill_mode: str = "reflect",
                 fill_value: float = 0.0, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        owner = f"RandomShear '{self.name}'"
        self.x_factor = _shear_range(x_factor, "x_factor", owner)
        self.y_factor = _shear_range(y_factor, "y_factor", owner)

    def transforms(self, images: jax.Array) -> jax.Array:
        batch = _batch_size(images)
        draw = random.uniform((batch, 1), dtype=self.compute_dtype, seed=self.generator)
        sign = jnp.where(draw > 0.5, -1.0, 1.0)
        shear_y = random.uniform((batch, 1), minval=self.y_factor[0], maxval=self.y_factor[1],
                                 dtype=self.compute_dtype, seed=self.generator)
        shear_x = random.uniform((batch, 1), minval=self.x_factor[0], maxval=self.x_factor[1],
                                 dtype=self.compute_dtype, seed=self.generator)
        shear_x, shear_y = (shear_x * sign)[:, 0], (shear_y * sign)[:, 0]
        one, zero = jnp.ones((batch,)), jnp.zeros((batch,))
        return jnp.stack([one, shear_x, zero, shear_y, one, zero, zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor}
