"""Random image augmentation, active only in training: RandomFlip, RandomBrightness,
RandomContrast and RandomCrop.

Each layer owns a `SeedGenerator` made at construction and draws with the same
`layerwise.random` calls, shapes and order as Keras-JAX, so a seeded layer gives Keras's
images. As in Keras, a layer called directly with no `training` flag (and outside
fit/evaluate/predict) augments.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import random
from layerwise.engine.layer import Layer
from layerwise.layers.arguments import choose, positive_int, standardize_data_format
from layerwise.layers.preprocessing.image_preprocessing import spatial_axes, resize_images

HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", \
    "horizontal_and_vertical"


def _per_image_shape(images: jax.Array) -> tuple[int, ...]:
    """One draw per image: (batch, 1, 1, 1), or (1, 1, 1) for a single image."""
    if images.ndim == 3:
        return (1, 1, 1)
    if images.ndim == 4:
        return (images.shape[0], 1, 1, 1)
    raise ValueError("Expected the input image to be rank 3 or 4. Received "
                     f"inputs.shape={images.shape}")


def factor_range(factor: Any, bounds: tuple[float, float], owner: str) -> tuple[float, float]:
    """`factor` as (lower, upper): a number f means (max(-|f|, bounds[0]), |f|)."""
    message = (f"{owner}: the `factor` argument should be a number (or a list of two "
               f"numbers) in the range [{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (
            bounds[0] <= factor <= bounds[1]):
        raise ValueError(message)
    factor = abs(factor)
    return max(-factor, bounds[0]), factor


class RandomImageLayer(Layer):
    """Shape-preserving (unless said otherwise), weightless, with a seed generator
    (unless `draws` is False: a deterministic layer makes no generator, whose unseeded
    making would consume Python's random state)."""

    draws = True
    # Some Keras layers draw even at inference (and discard the draw): called eagerly,
    # their generators advance the same way here. Traced (predict, shape inference) they
    # do not: the discarded draw would leave a tracer in the generator.
    draws_at_inference = False

    def __init__(self, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = self.add_seed_generator(seed) if self.draws else None
        self.data_format = standardize_data_format(data_format, type(self).__name__)
        self.built = True

    def call(self, inputs: jax.Array, training: bool | None = None) -> jax.Array:
        inputs = inputs.astype(self.compute_dtype)
        if training is None or training:
            return self.augment(inputs)
        if self.draws_at_inference and not isinstance(inputs, jax.core.Tracer):
            self.augment(inputs)
        return inputs

    def augment(self, images: jax.Array) -> jax.Array:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class RandomFlip(RandomImageLayer):
    """Flips each image left-right and/or upside down with probability 1/2."""

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.mode = choose(mode, (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL), "mode",
                           f"RandomFlip '{self.name}'")

    def augment(self, images: jax.Array) -> jax.Array:
        flips = random.uniform(_per_image_shape(images), seed=self.generator) <= 0.5
        single = images.ndim == 3
        if single:
            images = images[None]
        width_axis, height_axis = (-2, -3) if self.data_format == "channels_last" else (-1, -2)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = jnp.where(flips, jnp.flip(images, axis=width_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = jnp.where(flips, jnp.flip(images, axis=height_axis), images)
        return images[0] if single else images

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


def _value_range(value_range: Any, owner: str) -> list:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"{owner}: the `value_range` argument should be a list of two numbers. "
            f"Received: value_range={value_range}")
    return sorted(value_range)


class RandomBrightness(RandomImageLayer):
    """Adds one random offset per image, a fraction of the value range, then clips."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomBrightness '{self.name}'"
        self.factor = factor_range(factor, (-1.0, 1.0), owner)
        self.value_range = _value_range(value_range, owner)

    def augment(self, images: jax.Array) -> jax.Array:
        delta = random.uniform(_per_image_shape(images), minval=self.factor[0],
                               maxval=self.factor[1], seed=self.generator)
        delta = delta * (self.value_range[1] - self.value_range[0])
        return jnp.clip(images + delta.astype(images.dtype), self.value_range[0],
                        self.value_range[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


class RandomContrast(RandomImageLayer):
    """Scales each image's deviation from its per-channel mean by a random factor drawn
    from [1 - lower, 1 + upper] (Keras's reading of `factor`), then clips."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomContrast '{self.name}'"
        self.factor = factor_range(factor, (0.0, 1.0), owner)
        self.value_range = value_range

    def augment(self, images: jax.Array) -> jax.Array:
        contrast = random.uniform(_per_image_shape(images), minval=1.0 - self.factor[0],
                                  maxval=1.0 + self.factor[1], dtype=self.compute_dtype,
                                  seed=self.generator)
        axes = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        mean = jnp.mean(jnp.mean(images, axis=axes[0], keepdims=True), axis=axes[1],
                        keepdims=True)
        outputs = (images - mean) * contrast + mean
        return jnp.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


class RandomCrop(RandomImageLayer):
    """In training, crops a random `(height, width)` window (the same for the whole
    batch); images not larger than the target are center-cropped to its aspect ratio and
    resized. At inference it returns the images unchanged, as Keras 3.15 does."""

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        # Keras records a drawn seed in the config before making the generator.
        recorded = seed if seed is not None else random.draw_seed()
        super().__init__(seed, data_format, name=name, **kwargs)
        self.seed = recorded
        owner = f"RandomCrop '{self.name}'"
        self.height = positive_int(height, "height", owner)
        self.width = positive_int(width, "width", owner)

    def augment(self, images: jax.Array) -> jax.Array:
        axes = spatial_axes(images.shape, self.data_format)
        source_height, source_width = images.shape[axes[0]], images.shape[axes[1]]
        if source_height > self.height and source_width > self.width:
            top = random.uniform((), 0, float(source_height - self.height + 1),
                                 seed=self.generator).astype("int32")
            left = random.uniform((), 0, float(source_width - self.width + 1),
                                  seed=self.generator).astype("int32")
            images = jax.lax.dynamic_slice_in_dim(images, top, self.height, axis=axes[0])
            return jax.lax.dynamic_slice_in_dim(images, left, self.width, axis=axes[1])
        # Keras finds the centered window of the target's aspect ratio but then slices
        # `(height, width)` from its corner (clipped at the border) and resizes that.
        crop_height = max(min(source_height, int(source_width * self.height / self.width)), 1)
        crop_width = max(min(source_width, int(source_height * self.width / self.height)), 1)
        top = int((source_height - crop_height) / 2)
        left = int((source_width - crop_width) / 2)
        cropped = jax.lax.slice_in_dim(images, top, min(top + self.height, source_height),
                                       axis=axes[0])
        cropped = jax.lax.slice_in_dim(cropped, left, min(left + self.width, source_width),
                                       axis=axes[1])
        if cropped.shape[axes[0]] == self.height and cropped.shape[axes[1]] == self.width:
            return cropped
        return resize_images(cropped, self.height, self.width, axes).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        axes = spatial_axes(shape, self.data_format)
        shape[axes[0]], shape[axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}


class RandomInvert(RandomImageLayer):
    """Replaces a batch image x by `value_range[1] - x` with a probability itself drawn
    from `factor` (a range within [0, 1])."""

    def __init__(self, factor: Any = 1.0, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range(factor, (0.0, 1.0), f"RandomInvert '{self.name}'")
        self.value_range = value_range

    def augment(self, images: jax.Array) -> jax.Array:
        batch = images.shape[0] if images.ndim == 4 else 1
        probability = random.uniform((batch,), minval=self.factor[0], maxval=self.factor[1],
                                     seed=self.generator)
        threshold = random.uniform((batch,), seed=self.generator)
        inverted = (threshold < probability)[:, None, None, None]
        output = jnp.where(inverted, self.value_range[1] - images, images)
        return output[0] if images.ndim == 3 else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


# The luma weights of tf.image.rgb_to_grayscale, which Keras uses.
_LUMA = (0.2989, 0.5870, 0.1140)


class RandomGrayscale(RandomImageLayer):
    """Turns each RGB image to gray (kept in 3 channels) with probability `factor`."""

    def __init__(self, factor: float = 0.5, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (
                0 <= factor <= 1):
            raise ValueError(
                f"Invalid value for argument `factor` of RandomGrayscale '{self.name}'. "
                f"Expected a float between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def augment(self, images: jax.Array) -> jax.Array:
        batch = images.shape[0] if images.ndim == 4 else 1
        chosen = random.uniform((batch,), seed=self.generator) < self.factor
        chosen = chosen[:, None, None, None]
        output = jnp.where(chosen, _grayscale(images, self.data_format), images)
        return output[0] if images.ndim == 3 else output

    def get_config(self) -> dict[str, Any]:
        # Keras 3.15 leaves the seed out of this layer's config.
        return {**super().get_config(), "factor": self.factor}


def _unit_range(factor: Any, argument: str, owner: str) -> tuple[float, float]:
    """A number f in [0, 1] as (0, f); a pair within [0, 1] sorted."""
    values = list(factor) if isinstance(factor, (tuple, list)) else [factor]
    if len(values) not in (1, 2) or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1
            for v in values) or (isinstance(factor, (tuple, list)) and len(values) != 2):
        raise ValueError(
            f"{owner}: the `{argument}` argument should be a number (or a list of two "
            f"numbers) in the range [0.0, 1.0]. Received: {argument}={factor}")
    if len(values) == 1:
        return 0, values[0]
    lower, upper = sorted(values)
    return lower, upper


def _rescale(images: jax.Array, source: Any, target: Any) -> jax.Array:
    if tuple(source) == tuple(target):
        return images
    unit = (images - source[0]) / (source[1] - source[0])
    return unit * (target[1] - target[0]) + target[0]


class Solarization(RandomImageLayer):
    """Adds a random brightness and inverts (255 - x, on a 0..255 scale) the pixels at or
    above a random threshold, both drawn per image."""

    def __init__(self, addition_factor: Any = 0.0, threshold_factor: Any = 0.0,
                 value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"Solarization '{self.name}'"
        self.addition_factor = _unit_range(addition_factor, "addition_factor", owner)
        self.threshold_factor = _unit_range(threshold_factor, "threshold_factor", owner)
        self.value_range = _value_range(value_range, owner)

    def augment(self, images: jax.Array) -> jax.Array:
        shape = _per_image_shape(images)
        additions = random.uniform(shape, minval=self.addition_factor[0],
                                   maxval=self.addition_factor[1] * 255, dtype=self.compute_dtype,
                                   seed=self.generator)
        thresholds = random.uniform(shape, minval=self.threshold_factor[0],
                                    maxval=self.threshold_factor[1] * 255, dtype=self.compute_dtype,
                                    seed=self.generator)
        results = jnp.clip(_rescale(images, self.value_range, (0, 255)) + additions, 0, 255)
        results = jnp.where(results < thresholds, results, 255 - results)
        return _rescale(results, (0, 255), self.value_range)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


def _grayscale(images: jax.Array, data_format: str) -> jax.Array:
    """Luma of RGB images, keeping a channel axis of size 1 (grayscale input as is)."""
    channels_axis = -1 if data_format == "channels_last" else -3
    if images.shape[channels_axis] == 1:
        return images
    return jnp.expand_dims(jnp.tensordot(images, jnp.asarray(_LUMA, images.dtype),
                                         axes=(channels_axis, -1)), channels_axis)


class RandomColorDegeneration(RandomImageLayer):
    """Blends each image towards its grayscale version by a random amount, then clips."""

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomColorDegeneration '{self.name}'"
        self.factor = factor_range(factor, (-1.0, 1.0), owner)
        self.value_range = _value_range(value_range, owner)

    def augment(self, images: jax.Array) -> jax.Array:
        batch = images.shape[0] if images.ndim == 4 else 1
        factor = random.uniform((batch, 1, 1, 1), minval=self.factor[0],
                                maxval=self.factor[1], seed=self.generator)
        gray = _grayscale(images, self.data_format)
        output = jnp.clip(images + factor.astype(images.dtype) * (gray - images),
                          self.value_range[0], self.value_range[1])
        return output[0] if images.ndim == 3 else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


class RandomPosterization(RandomImageLayer):
    """Keeps a random number of high bits (within `factor`, 1 to 8) of each 8-bit pixel
    value, per image."""

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomPosterization '{self.name}'"
        self.factor = factor_range(factor, (1, 8), owner)
        self.value_range = _value_range(value_range, owner)

    def augment(self, images: jax.Array) -> jax.Array:
        batch = images.shape[0] if images.ndim == 4 else 1
        if self.factor[0] != self.factor[1]:
            bits = random.randint((batch,), self.factor[0], self.factor[1], dtype="uint8",
                                  seed=self.generator)
        else:
            bits = jnp.full((batch,), self.factor[0], "uint8")
        shift = (8 - bits).reshape(batch, 1, 1, 1)
        pixels = _rescale(images, self.value_range, (0, 255)).astype("uint8")
        pixels = jnp.left_shift(jnp.right_shift(pixels, shift), shift)
        output = _rescale(pixels.astype(self.compute_dtype), (0, 255), self.value_range)
        return output[0] if images.ndim == 3 else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}
