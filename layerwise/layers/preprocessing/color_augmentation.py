"""Colour and sharpness augmentation: AutoContrast, Equalization, RandomHue,
RandomSaturation, RandomSharpness, RandomGaussianBlur and RandomColorJitter.

Each random layer draws with the same `layerwise.random` calls, shapes and order as
Keras-JAX, so a seeded layer gives Keras's images. A single image (rank 3) is drawn for
as a batch of one, as Keras does.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import random
from layerwise.backend import epsilon
from layerwise.layers.preprocessing.image_augmentation import (RandomBrightness,
                                                               RandomContrast,
                                                               RandomImageLayer,
                                                               factor_range)
from layerwise.ops import image as image_ops


def batch_size_of(images: jax.Array) -> int:
    """The number of images: 1 for a single image (rank 3)."""
    if images.ndim not in (3, 4):
        raise ValueError("Expected the input image to be rank 3 or 4. Received "
                         f"inputs.shape={images.shape}")
    return images.shape[0] if images.ndim == 4 else 1


def as_batch(images: jax.Array) -> tuple[jax.Array, bool]:
    """The images as a batch, and whether a single image was given."""
    batch_size_of(images)
    return (images[None], True) if images.ndim == 3 else (images, False)


def value_range_list(value_range: Any, owner: str) -> list:
    """A two-number range, sorted into a list (how Keras stores most value ranges)."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"{owner}: the `value_range` argument should be a list of two numbers. "
            f"Received: value_range={value_range}")
    return sorted(value_range)


def rescale_values(images: jax.Array, source: Any, target: Any) -> jax.Array:
    """Maps `source` = (low, high) linearly onto `target`, in float32 (as Keras does)."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    images = images.astype("float32")
    unit = (images - jnp.float32(source[0])) / (jnp.float32(source[1]) - jnp.float32(source[0]))
    return unit * (jnp.float32(target[1]) - jnp.float32(target[0])) + jnp.float32(target[0])


class AutoContrast(RandomImageLayer):
    """Stretches each image's per-channel values over the whole `value_range`, in training
    and at inference."""

    draws = False

    def __init__(self, value_range: Any = (0, 255), **kwargs: Any):
        super().__init__(None, kwargs.pop("data_format", None), **kwargs)
        self.value_range = value_range_list(value_range, f"AutoContrast '{self.name}'")

    def call(self, inputs: jax.Array, training: bool | None = None) -> jax.Array:
        return self.augment(inputs.astype(self.dtype))

    def augment(self, images: jax.Array) -> jax.Array:
        images, single = as_batch(images)
        scaled = rescale_values(images, self.value_range, (0, 255)).astype(self.dtype)
        # Keras takes the extremes over axes 1 and 2 whatever the data format.
        low = jnp.min(scaled, axis=(1, 2), keepdims=True)
        high = jnp.max(scaled, axis=(1, 2), keepdims=True)
        scale = 255.0 / (high - low)
        results = jnp.clip(scaled * scale - low * scale, 0.0, 255.0)
        results = rescale_values(results, (0, 255), self.value_range)
        # A flat channel divides by zero: it is left as it was.
        results = jnp.where(jnp.isnan(results), images, results)
        return results[0] if single else results

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range}


def _linear_map(values: jax.Array, source: Any, target: Any) -> jax.Array:
    # Keras's Equalization maps ranges as `values * scale + offset`, which rounds
    # differently from `rescale_values`.
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return values * scale + (target[0] - source[0] * scale)


def equalize_channel(channel: jax.Array, bins: int) -> jax.Array:
    """Histogram equalization of one channel of values in [0, 255] (all images at once)."""
    indices = jnp.clip((channel.astype("float32") * (bins - 1) / 255.0).astype("int32"),
                       0, bins - 1)
    histogram = jnp.bincount(indices.reshape(-1), length=bins).astype("int32")
    cdf = jnp.cumsum(histogram)
    cdf_min = cdf[jnp.argmax(cdf > 0)]
    denominator = cdf[-1] - cdf_min
    denominator = jnp.where(denominator == 0, 1, denominator)
    lookup = jnp.clip(jnp.round((cdf - cdf_min) * 255 / denominator), 0, 255)
    positions = jnp.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype("int32")
    equalized = jnp.take(lookup, positions)
    return jnp.where(jnp.count_nonzero(histogram) <= 1, channel, equalized)


class Equalization(RandomImageLayer):
    """Histogram equalization of each channel, the histogram taken over the whole batch;
    active in training only, as in Keras 3.15."""

    draws = False

    def __init__(self, value_range: Any = (0, 255), bins: int = 256,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(None, data_format, **kwargs)
        self.bins = bins
        self.value_range = value_range_list(value_range, f"Equalization '{self.name}'")

    def augment(self, images: jax.Array) -> jax.Array:
        channel_axis = -1 if self.data_format == "channels_last" else -3
        channels = []
        for index in range(images.shape[channel_axis]):
            channel = jnp.take(images, index, axis=channel_axis)
            channel = _linear_map(channel, self.value_range, (0, 255))
            channel = equalize_channel(channel, self.bins)
            channels.append(_linear_map(channel, (0, 255), self.value_range))
        return jnp.stack(channels, axis=channel_axis).astype(self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


def _hsv_channels(images: jax.Array, data_format: str) -> list[jax.Array]:
    axis = -1 if data_format == "channels_last" else 1
    return [jnp.take(images, i, axis=axis) for i in range(3)]


def _from_hsv_channels(channels: list[jax.Array], data_format: str) -> jax.Array:
    return jnp.stack(channels, axis=-1 if data_format == "channels_last" else 1)


class RandomHue(RandomImageLayer):
    """Turns each image's hue by a random fraction of half a turn, either way."""

    draws_at_inference = True

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range(factor, (0, 1), f"RandomHue '{self.name}'")
        self.value_range = value_range

    def augment(self, images: jax.Array) -> jax.Array:
        batch = batch_size_of(images)
        direction = random.uniform((batch,), seed=self.generator)
        direction = jnp.where(direction > 0.5, -1.0, 1.0)
        amount = random.uniform((batch,), minval=self.factor[0], maxval=self.factor[1],
                                seed=self.generator)
        shifts = direction * amount * 0.5
        images, single = as_batch(images)
        images = rescale_values(images.astype(self.dtype), self.value_range, (0, 1))
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        hue, saturation, value = _hsv_channels(hsv, self.data_format)
        hue = hue + shifts.astype(hue.dtype)[:, None, None]
        hue = jnp.where(hue > 1.0, hue - 1.0, hue)
        hue = jnp.where(hue < 0.0, hue + 1.0, hue)
        rgb = image_ops.hsv_to_rgb(_from_hsv_channels([hue, saturation, value],
                                                      self.data_format),
                                   data_format=self.data_format)
        output = rescale_values(jnp.clip(rgb, 0, 1), (0, 1), self.value_range)
        output = output.astype(self.dtype)
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


class RandomSaturation(RandomImageLayer):
    """Scales each image's HSV saturation by f / (1 - f), f drawn from `factor`."""

    draws_at_inference = True

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomSaturation '{self.name}'"
        self.factor = factor_range(factor, (-1, 1), owner)
        self.value_range = value_range_list(value_range, owner)

    def augment(self, images: jax.Array) -> jax.Array:
        amount = random.uniform((batch_size_of(images),), minval=self.factor[0],
                                maxval=self.factor[1], seed=self.generator)
        factors = amount / (1 - amount + epsilon())
        images, single = as_batch(images)
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        hue, saturation, value = _hsv_channels(hsv, self.data_format)
        # As Keras does, the saturation is clipped to the value range, not to [0, 1].
        saturation = jnp.clip(saturation * factors.astype(self.dtype)[:, None, None],
                              self.value_range[0], self.value_range[1])
        output = image_ops.hsv_to_rgb(_from_hsv_channels([hue, saturation, value],
                                                         self.data_format),
                                      data_format=self.data_format)
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


# The smoothing kernel of PIL's ImageFilter.SMOOTH, which Keras blends towards.
_SMOOTH_CENTER, _SMOOTH_EDGE = 5.0 / 13.0, 1.0 / 13.0


class RandomSharpness(RandomImageLayer):
    """Blends each image with a smoothed copy by `1 - 2 f` (f drawn from `factor`): f below
    1/2 softens, above sharpens."""

    draws_at_inference = True

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomSharpness '{self.name}'"
        self.factor = factor_range(factor, (0, 1), owner)
        self.value_range = value_range_list(value_range, owner)

    def augment(self, images: jax.Array) -> jax.Array:
        images, single = as_batch(images)
        factors = random.uniform((images.shape[0],), minval=self.factor[0],
                                 maxval=self.factor[1], seed=self.generator)
        if self.data_format == "channels_first":
            images = jnp.swapaxes(images, -3, -1)
        channels = images.shape[-1]
        kernel = jnp.full((3, 3), _SMOOTH_EDGE, self.dtype).at[1, 1].set(_SMOOTH_CENTER)
        kernel = jnp.tile(kernel[:, :, None, None], (1, 1, 1, channels))
        smoothed = jax.lax.conv_general_dilated(
            images, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"),
            feature_group_count=channels)
        blend = (1.0 - (factors * 2).astype(self.dtype)).reshape(-1, 1, 1, 1)
        output = jnp.clip(images + blend * (smoothed - images), self.value_range[0],
                          self.value_range[1])
        if self.data_format == "channels_first":
            output = jnp.swapaxes(output, -3, -1)
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


def odd_size_pair(value: Any, argument: str) -> tuple:
    """An odd number n as (n, n), or a pair of odd numbers."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"The `{argument}` argument should be a number (or a list of "
                             f"two numbers) Received: {argument}={value}")
        pair = tuple(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        pair = (value, value)
    else:
        pair = None
    if pair is None or any(size % 2 == 0 for size in pair):
        raise ValueError(f"{argument} must be an odd number. Received: {argument}={value}")
    return pair


class RandomGaussianBlur(RandomImageLayer):
    """Blurs each image with probability drawn from `factor`, one random sigma pair (within
    `sigma`) for the batch, then clips to `value_range`."""

    def __init__(self, factor: Any = 1.0, kernel_size: Any = 3, sigma: Any = 1.0,
                 value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomGaussianBlur '{self.name}'"
        self.factor = factor_range(factor, (0, 1), owner)
        self.kernel_size = odd_size_pair(kernel_size, "kernel_size")
        self.sigma = factor_range(sigma, (0, 1), owner)
        self.value_range = value_range

    def augment(self, images: jax.Array) -> jax.Array:
        batch = batch_size_of(images)
        probability = random.uniform((batch,), minval=self.factor[0], maxval=self.factor[1],
                                     seed=self.generator)
        threshold = random.uniform((batch,), seed=self.generator)
        sigma = random.uniform((2,), minval=self.sigma[0], maxval=self.sigma[1],
                               dtype=self.dtype, seed=self.generator) + 1e-6
        images, single = as_batch(images)
        blurred = image_ops.gaussian_blur(images, self.kernel_size, sigma,
                                          data_format=self.data_format)
        output = jnp.where((threshold < probability)[:, None, None, None], blurred, images)
        output = jnp.clip(output, self.value_range[0], self.value_range[1])
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range, "seed": self.seed}


class RandomColorJitter(RandomImageLayer):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that order (each
    only when its factor is given), all drawing from this layer's generator."""

    def __init__(self, value_range: Any = (0, 255), brightness_factor: Any = None,
                 contrast_factor: Any = None, saturation_factor: Any = None,
                 hue_factor: Any = None, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        steps = ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor))
        self.steps = [kind(factor=factor, value_range=value_range, seed=seed)
                      for kind, factor in steps if factor is not None]
        for step in self.steps:
            # Keras hands its own generator to each step's draw.
            step.generator = self.generator

    def augment(self, images: jax.Array) -> jax.Array:
        for step in self.steps:
            images = step.augment(images)
        return images.astype(self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor,
                "hue_factor": self.hue_factor, "seed": self.seed}
