"""Augmentation that mixes or erases image regions: MixUp, CutMix and RandomErasing.

The draws follow Keras-JAX's calls, shapes and order, so a seeded layer gives Keras's
images. MixUp and CutMix also take Keras's `{"images": ..., "labels": ...}` input and mix
the (one-hot) labels by the same weights; bounding boxes and segmentation masks are not
supported.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import random
from layerwise.layers.preprocessing.color_augmentation import as_batch, batch_size_of
from layerwise.layers.preprocessing.image_augmentation import RandomImageLayer, factor_range


class MixUp(RandomImageLayer):
    """Blends each image with another of the batch (a random permutation), the weight
    drawn from Beta(alpha, alpha)."""

    draws_at_inference = True

    def __init__(self, alpha: float = 0.2, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.alpha = alpha

    def draw(self, images: jax.Array) -> tuple[jax.Array, jax.Array]:
        """The partner of each image and the weight of its own."""
        batch = batch_size_of(images)
        order = random.shuffle(jnp.arange(batch, dtype="int32"), seed=self.generator)
        weight = random.beta((batch,), self.alpha, self.alpha, seed=self.generator)
        return order, weight

    def augment(self, images: jax.Array) -> jax.Array:
        return self.mix_images(images, self.draw(images))

    def mix_images(self, images: jax.Array, draws: tuple) -> jax.Array:
        order, weight = draws
        images, single = as_batch(images)
        weight = weight.reshape(-1, 1, 1, 1).astype(self.dtype)
        output = weight * images + (1.0 - weight) * jnp.take(images, order, axis=0)
        return output[0] if single else output

    def mix_labels(self, labels: jax.Array, draws: tuple, single: bool) -> jax.Array:
        order, weight = draws
        labels = labels[None] if single else labels
        weight = weight.reshape(-1, 1)
        output = weight * labels + (1.0 - weight) * jnp.take(labels, order, axis=0)
        return output[0] if single else output

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return _call_with_labels(self, inputs, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}


def _call_with_labels(layer: Any, inputs: Any, training: bool | None) -> Any:
    """Images, or a dict of images and labels mixed by the same draws (in training)."""
    if not isinstance(inputs, dict):
        return RandomImageLayer.call(layer, inputs, training)
    unsupported = set(inputs) - {"images", "labels"}
    if unsupported:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' takes a dict of 'images' "
                         f"and 'labels'. Received the keys: {sorted(unsupported)}")
    images = inputs["images"].astype(layer.dtype)
    outputs = dict(inputs, images=images)
    if training is None or training:
        draws = layer.draw(images)
        outputs["images"] = layer.mix_images(images, draws)
        if "labels" in inputs:
            outputs["labels"] = layer.mix_labels(inputs["labels"], draws, images.ndim == 3)
    elif layer.draws_at_inference and not isinstance(images, jax.core.Tracer):
        layer.draw(images)
    return outputs


def _spatial_axes(data_format: str) -> tuple[int, int, int]:
    """(height, width, channels) axes counted from the end."""
    return (-2, -1, -3) if data_format == "channels_first" else (-3, -2, -1)


def _box_bounds(batch: int, length: int, ratio: jax.Array, dtype: str,
                generator: Any) -> tuple[jax.Array, jax.Array]:
    """A window of `ratio * length` pixels at a random start, per image."""
    size = (ratio * length).astype(dtype)
    start = random.uniform((batch,), 0, 1, dtype=dtype, seed=generator) * (length - size)
    return start, start + size


def _box_masks(shape: tuple, data_format: str, corners: tuple, dtype: str) -> jax.Array:
    """Per image, true inside the box [x0, x1) x [y0, y1), over every channel."""
    height_axis, width_axis, channel_axis = _spatial_axes(data_format)
    rows, columns = jnp.meshgrid(jnp.arange(shape[height_axis], dtype=dtype),
                                 jnp.arange(shape[width_axis], dtype=dtype), indexing="ij")
    if data_format == "channels_last":
        rows, columns = rows[None, :, :, None], columns[None, :, :, None]
    else:
        rows, columns = rows[None, None], columns[None, None]
    x0, x1, y0, y1 = (c[:, None, None, None] for c in corners)
    inside = (columns >= x0) & (columns < x1) & (rows >= y0) & (rows < y1)
    return jnp.repeat(inside, shape[channel_axis], axis=channel_axis)


class CutMix(RandomImageLayer):
    """Pastes into each image a random box of another image of the batch, the box's area
    set by a Beta draw whose parameter comes from `factor`. Single images pass through."""

    def __init__(self, factor: Any = 1.0, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range(factor, (0, 1), f"CutMix '{self.name}'")

    def draw(self, images: jax.Array) -> tuple | None:
        """The partner of each image, the pasted box (as a mask) and the share of the
        image it leaves; None for a single image."""
        if images.ndim == 3:
            return None
        batch = batch_size_of(images)
        height_axis, width_axis, _ = _spatial_axes(self.data_format)
        height, width = images.shape[height_axis], images.shape[width_axis]
        alpha = random.uniform((), minval=self.factor[0], maxval=self.factor[1],
                               dtype=self.dtype, seed=self.generator) + 1e-6
        weight = random.beta((batch,), alpha, alpha, dtype=self.dtype, seed=self.generator)
        ratio = jnp.sqrt(1.0 - weight)
        x0, x1 = _box_bounds(batch, width, ratio, self.dtype, self.generator)
        y0, y1 = _box_bounds(batch, height, ratio, self.dtype, self.generator)
        masks = _box_masks(images.shape, self.data_format, (x0, x1, y0, y1), self.dtype)
        kept = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        order = random.shuffle(jnp.arange(batch, dtype="int32"), seed=self.generator)
        return order, masks, kept

    def augment(self, images: jax.Array) -> jax.Array:
        return self.mix_images(images, self.draw(images))

    def mix_images(self, images: jax.Array, draws: tuple | None) -> jax.Array:
        if draws is None:
            return images
        order, masks, _ = draws
        return jnp.where(masks, jnp.take(images, order, axis=0), images)

    def mix_labels(self, labels: jax.Array, draws: tuple | None, single: bool) -> jax.Array:
        if draws is None:
            return labels
        order, _, kept = draws
        kept = kept.reshape(-1, 1)
        return kept * labels + (1.0 - kept) * jnp.take(labels, order, axis=0)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return _call_with_labels(self, inputs, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


class RandomErasing(RandomImageLayer):
    """With probability drawn from `factor`, fills a random box of each image (its sides a
    square-rooted `scale` fraction) with `fill_value`, or with scaled Gaussian noise."""

    def __init__(self, factor: Any = 1.0, scale: Any = (0.02, 0.33), fill_value: Any = None,
                 value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomErasing '{self.name}'"
        self.factor = factor_range(factor, (0, 1), owner)
        self.scale = factor_range(scale, (0, 1), owner)
        message = ("The `fill_value` argument should be a number (or a list of three "
                   f"numbers) Received: fill_value={fill_value}")
        if isinstance(fill_value, (tuple, list)) and len(fill_value) != 3 or not (
                fill_value is None or isinstance(fill_value, (tuple, list, int, float))):
            raise ValueError(message)
        self.fill_value = fill_value
        self.value_range = value_range

    def augment(self, images: jax.Array) -> jax.Array:
        shape = images.shape
        batch = batch_size_of(images)
        height_axis, width_axis, _ = _spatial_axes(self.data_format)
        sides = jnp.sqrt(random.uniform((batch, 2), minval=self.scale[0],
                                        maxval=self.scale[1], dtype=self.dtype,
                                        seed=self.generator))
        x0, x1 = _box_bounds(batch, shape[width_axis], sides[:, 0], self.dtype,
                             self.generator)
        y0, y1 = _box_bounds(batch, shape[height_axis], sides[:, 1], self.dtype,
                             self.generator)
        masks = _box_masks(shape, self.data_format, (x0, x1, y0, y1), self.dtype)
        probability = random.uniform((batch,), minval=self.factor[0], maxval=self.factor[1],
                                     seed=self.generator)
        threshold = random.uniform((batch,), seed=self.generator)
        if self.fill_value is None:
            fill = random.normal(shape, dtype=self.dtype,
                                 seed=self.generator) * self.value_range[1]
        else:
            fill = jnp.broadcast_to(jnp.asarray(self.fill_value, self.dtype), shape)
        fill = jnp.clip(fill, self.value_range[0], self.value_range[1])
        batched, single = as_batch(images)
        erased = jnp.where(masks, fill, batched)
        output = jnp.where((threshold < probability)[:, None, None, None], erased, batched)
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
