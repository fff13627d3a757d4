"""Non-affine geometric augmentation: RandomPerspective and RandomElasticTransform, with
Keras-JAX's seeded draws (training only)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import random
from layerwise.layers.preprocessing.color_augmentation import as_batch, batch_size_of
from layerwise.layers.preprocessing.image_augmentation import RandomImageLayer, factor_range
from layerwise.ops import image as image_ops

_INTERPOLATIONS = ("nearest", "bilinear")


def _check_interpolation(interpolation: str) -> str:
    if interpolation not in _INTERPOLATIONS:
        # Keras raises NotImplementedError here; a ValueError names the argument as ours do.
        raise ValueError(f"Invalid value for argument `interpolation`. Expected one of "
                         f"{_INTERPOLATIONS}. Received: interpolation={interpolation!r}")
    return interpolation


def _height_width(images: jax.Array, data_format: str) -> tuple[int, int]:
    if data_format == "channels_first":
        return images.shape[-2], images.shape[-1]
    return images.shape[-3], images.shape[-2]


class RandomPerspective(RandomImageLayer):
    """With probability drawn from `factor`, moves each image's four corners by random
    fractions (up to `scale / 2`) of their coordinates and warps the image to match."""

    def __init__(self, factor: Any = 1.0, scale: float = 1.0, interpolation: str = "bilinear",
                 fill_value: float = 0.0, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range(factor, (0, 1), f"RandomPerspective '{self.name}'")
        if not 0.0 <= scale <= 1.0:
            raise ValueError("The `scale` argument should be a number in the range [0,1]. "
                             f"Received: scale={scale}")
        self.scale = scale
        self.interpolation = _check_interpolation(interpolation)
        self.fill_value = fill_value

    def augment(self, images: jax.Array) -> jax.Array:
        batch = batch_size_of(images)
        height, width = _height_width(images, self.data_format)
        probability = random.uniform((batch,), minval=self.factor[0], maxval=self.factor[1],
                                     seed=self.generator)
        threshold = random.uniform((batch,), seed=self.generator)
        shifts = random.uniform((batch, 4, 2), minval=-0.5 * self.scale,
                                maxval=0.5 * self.scale, dtype=self.dtype, seed=self.generator)
        corners = jnp.asarray([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1],
                               [width - 1, height - 1]], self.dtype)
        start = jnp.repeat(corners[None], batch, axis=0)
        end = start + start * shifts
        batched, single = as_batch(images)
        warped = image_ops.perspective_transform(batched, start, end,
                                                 interpolation=self.interpolation,
                                                 fill_value=self.fill_value,
                                                 data_format=self.data_format)
        output = jnp.where((threshold < probability)[:, None, None, None], warped, batched)
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}


_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(RandomImageLayer):
    """With probability drawn from `factor`, displaces each image's pixels along a smoothed
    random field whose strength is drawn from `scale`.

    The smoothing kernel's size depends on the drawn strength, so the draw must be concrete:
    the layer runs eagerly (as Keras-JAX's does) and cannot be traced into a compiled step.
    """

    def __init__(self, factor: Any = 1.0, scale: Any = 1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0,
                 value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        owner = f"RandomElasticTransform '{self.name}'"
        self.factor = factor_range(factor, (0, 1), owner)
        self.scale = factor_range(scale, (0, 1), owner)
        self.interpolation = _check_interpolation(interpolation)
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"Invalid value for argument `fill_mode` of {owner}. Expected "
                             f"one of {_FILL_MODES}. Received: fill_mode={fill_mode!r}")
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range

    def augment(self, images: jax.Array) -> jax.Array:
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        batch = batch_size_of(images)
        probability = random.uniform((batch,), minval=self.factor[0], maxval=self.factor[1],
                                     seed=self.generator)
        threshold = random.uniform((batch,), seed=self.generator)
        strength = random.uniform((), minval=self.scale[0], maxval=self.scale[1],
                                  dtype=self.dtype, seed=self.generator)
        height, width = _height_width(images, self.data_format)
        if isinstance(strength, jax.core.Tracer):
            raise ValueError(
                f"RandomElasticTransform '{self.name}' cannot run inside a compiled "
                "function: the size of its smoothing kernel depends on a random draw. "
                "Apply it to the data before `fit` (or with `run_eagerly=True`).")
        # float32 arithmetic, in Keras's order, keeps the kernel size and field equal.
        alpha = max(height, width) * (0.1 * strength)
        sigma = min(height, width) * (0.05 * strength)
        warped = image_ops.elastic_transform(images, alpha=alpha, sigma=sigma,
                                             interpolation=self.interpolation,
                                             fill_mode=self.fill_mode,
                                             fill_value=self.fill_value,
                                             seed=self.generator,
                                             data_format=self.data_format)
        chosen = threshold < probability
        chosen = chosen[:, None, None] if images.ndim == 3 else chosen[:, None, None, None]
        output = jnp.where(chosen, warped, images)
        return jnp.clip(output, self.value_range[0], self.value_range[1]).astype(self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
