"""Deterministic image preprocessing: Rescaling, Resizing and CenterCrop.

Pure jax code, so inside a model they run within the compiled program.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.engine.layer import Layer
from layerwise.layers.arguments import choose, positive_int, standardize_data_format

# Keras's interpolation names and the jax.image.resize method each maps to.
_RESIZE_METHODS = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic",
                   "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


class Rescaling(Layer):
    """Computes `inputs * scale + offset` in the layer's dtype."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        dtype = jnp.dtype(self.compute_dtype)
        return inputs.astype(dtype) * jnp.asarray(self.scale, dtype) + jnp.asarray(
            self.offset, dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def spatial_axes(images: Any, data_format: str) -> tuple[int, int]:
    """The (height, width) axes of a batch (rank 4) or a single image (rank 3)."""
    ndim = len(images)
    if ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`. Received: "
            f"images.shape={tuple(images)}")
    first = ndim - 3
    return (first + 1, first + 2) if data_format == "channels_first" else (first, first + 1)


def _crop(images: jax.Array, axes: tuple[int, int], top: int, left: int, height: int,
          width: int) -> jax.Array:
    images = jax.lax.slice_in_dim(images, top, top + height, axis=axes[0])
    return jax.lax.slice_in_dim(images, left, left + width, axis=axes[1])


def _center_crop_to_ratio(images: jax.Array, axes: tuple[int, int], height: int,
                          width: int) -> jax.Array:
    """The largest centered window of the target's aspect ratio."""
    source_height, source_width = images.shape[axes[0]], images.shape[axes[1]]
    crop_height = max(min(source_height, int(float(source_width * height) / width)), 1)
    crop_width = max(min(source_width, int(float(source_height * width) / height)), 1)
    top = int(float(source_height - crop_height) / 2)
    left = int(float(source_width - crop_width) / 2)
    return _crop(images, axes, top, left, crop_height, crop_width)


def _pad_to_ratio(images: jax.Array, axes: tuple[int, int], height: int, width: int,
                  fill_value: float) -> jax.Array:
    """Pads both sides by half the shortfall (rounded down, as Keras does) towards the
    target's aspect ratio."""
    source_height, source_width = images.shape[axes[0]], images.shape[axes[1]]
    padded_height = max(source_height, int(float(source_width * height) / width))
    padded_width = max(source_width, int(float(source_height * width) / height))
    pad_top = (padded_height - source_height) // 2
    pad_left = (padded_width - source_width) // 2
    widths = [(0, 0)] * images.ndim
    widths[axes[0]] = (pad_top, pad_top)
    widths[axes[1]] = (pad_left, pad_left)
    return jnp.pad(images, widths, constant_values=fill_value)


def resize_images(images: jax.Array, height: int, width: int, axes: tuple[int, int],
                  interpolation: str = "bilinear", antialias: bool = False) -> jax.Array:
    """Resizes the spatial axes of `images` to `(height, width)`."""
    shape = list(images.shape)
    shape[axes[0]], shape[axes[1]] = height, width
    dtype = images.dtype
    resized = jax.image.resize(images.astype("float32"), tuple(shape),
                               method=_RESIZE_METHODS[interpolation], antialias=antialias)
    return resized.astype(dtype)


class Resizing(Layer):
    """Resizes images to `(height, width)`, optionally cropping or padding to keep the
    aspect ratio."""

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        owner = f"Resizing '{self.name}'"
        self.height = positive_int(height, "height", owner)
        self.width = positive_int(width, "width", owner)
        self.interpolation = choose(interpolation, tuple(_RESIZE_METHODS), "interpolation",
                                    owner)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be True. "
                f"Received: pad_to_aspect_ratio={pad_to_aspect_ratio}, "
                f"crop_to_aspect_ratio={crop_to_aspect_ratio}")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = choose(fill_mode, ("constant",), "fill_mode", owner)
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = standardize_data_format(data_format, owner)
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        axes = spatial_axes(inputs.shape, self.data_format)
        if self.crop_to_aspect_ratio:
            inputs = _center_crop_to_ratio(inputs, axes, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            inputs = _pad_to_ratio(inputs, axes, self.height, self.width, self.fill_value)
        return resize_images(inputs, self.height, self.width, axes, self.interpolation,
                             self.antialias)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        axes = spatial_axes(shape, self.data_format)
        shape[axes[0]], shape[axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(Layer):
    """Crops the central `(height, width)` window; smaller images are first resized
    (keeping the target's aspect ratio) as Keras does."""

    def __init__(self, height: int, width: int, data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        owner = f"CenterCrop '{self.name}'"
        self.height = positive_int(height, "height", owner)
        self.width = positive_int(width, "width", owner)
        self.data_format = standardize_data_format(data_format, owner)
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        axes = spatial_axes(inputs.shape, self.data_format)
        source_height, source_width = inputs.shape[axes[0]], inputs.shape[axes[1]]
        if source_height >= self.height and source_width >= self.width:
            top = (source_height - self.height) // 2
            left = (source_width - self.width) // 2
            return _crop(inputs, axes, top, left, self.height, self.width)
        cropped = _center_crop_to_ratio(inputs, axes, self.height, self.width)
        return resize_images(cropped, self.height, self.width, axes)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        axes = spatial_axes(shape, self.data_format)
        shape[axes[0]], shape[axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width}
