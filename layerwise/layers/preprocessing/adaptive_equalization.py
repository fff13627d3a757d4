"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): histogram equalization per tile
of a grid, each tile's histogram clipped at `clip_limit` times the uniform count, and the
tiles' mappings blended bilinearly between tile centres."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.layers.preprocessing.color_augmentation import as_batch, rescale_values
from layerwise.layers.preprocessing.image_augmentation import RandomImageLayer

_LEVELS = 256


def tile_mappings(tiles: jax.Array, tile_pixels: int, clip_limit: float) -> jax.Array:
    """Equalizing look-up tables (..., 256) from tiles' pixel levels (..., tile_pixels)."""
    histograms = jnp.sum(jax.nn.one_hot(tiles, _LEVELS, dtype="float32"), axis=-2)
    if clip_limit > 0:
        limit = jnp.float32(clip_limit * tile_pixels / 256.0)
        clipped = jnp.clip(histograms, 0, limit)
        # What was cut off is spread evenly over all levels.
        excess = jnp.sum(histograms - clipped, axis=-1, keepdims=True)
        histograms = clipped + excess / 256.0
    cdf = jnp.cumsum(histograms, axis=-1)
    cdf_min = jnp.min(cdf, axis=-1, keepdims=True)
    denominator = jnp.float32(tile_pixels) - cdf_min
    denominator = jnp.where(denominator == 0, jnp.ones_like(denominator), denominator)
    return jnp.clip((cdf - cdf_min) * 255.0 / denominator, 0, 255)


def _neighbours(size: int, tile: int, grid: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """For each pixel along an axis: the tile rows (in a grid with one replicated tile on
    each side) whose centres lie before and after it, and the weight of the latter."""
    position = (jnp.arange(size, dtype="float32") - tile / 2.0) / tile + 1.0
    before = jnp.floor(position)
    weight = position - before
    before_index = jnp.clip(before, 0, grid + 1).astype("int32")
    after_index = jnp.clip(before + 1.0, 0, grid + 1).astype("int32")
    return before_index, after_index, weight


def clahe(images: jax.Array, clip_limit: float, grid: tuple[int, int]) -> jax.Array:
    """CLAHE of a channels_last batch with values in [0, 255]."""
    batch, height, width, channels = images.shape
    grid_height, grid_width = grid
    tile_height, tile_width = -(-height // grid_height), -(-width // grid_width)
    padded_height, padded_width = tile_height * grid_height, tile_width * grid_width
    if (padded_height, padded_width) != (height, width):
        images = jnp.pad(images, ((0, 0), (0, padded_height - height),
                                  (0, padded_width - width), (0, 0)), mode="symmetric")
    tiles = images.reshape(batch, grid_height, tile_height, grid_width, tile_width, channels)
    tiles = jnp.transpose(tiles, (0, 1, 3, 5, 2, 4)).reshape(
        batch, grid_height, grid_width, channels, tile_height * tile_width)
    levels_of = jnp.clip(tiles.astype("int32"), 0, 255)
    mappings = tile_mappings(levels_of, tile_height * tile_width, clip_limit)
    # Edge tiles repeated outward, so border pixels blend a tile with itself.
    mappings = jnp.pad(mappings, ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)), mode="edge")

    levels = jnp.clip(images, 0, 255).astype("int32")
    batch_index = jnp.arange(batch)[:, None, None, None]
    channel_index = jnp.arange(channels)[None, None, None, :]
    top, bottom, down = _neighbours(padded_height, tile_height, grid_height)
    left, right, across = _neighbours(padded_width, tile_width, grid_width)

    def lookup(rows: jax.Array, columns: jax.Array) -> jax.Array:
        return mappings[batch_index, rows[None, :, None, None], columns[None, None, :, None],
                        channel_index, levels]

    across, down = across[None, None, :, None], down[None, :, None, None]
    upper = lookup(top, left) * (1.0 - across) + lookup(top, right) * across
    lower = lookup(bottom, left) * (1.0 - across) + lookup(bottom, right) * across
    result = upper * (1.0 - down) + lower * down
    return result[:, :height, :width, :]


class ContrastLimitedAdaptiveHistogramEqualization(RandomImageLayer):
    """CLAHE of each image and channel, in training and at inference."""

    draws = False

    def __init__(self, value_range: Any = (0, 255), clip_limit: float = 4.0,
                 tile_grid_size: Any = (8, 8), data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(None, data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def call(self, inputs: jax.Array, training: bool | None = None) -> jax.Array:
        return self.augment(inputs.astype(self.dtype))

    def augment(self, images: jax.Array) -> jax.Array:
        images, single = as_batch(images)
        if self.data_format == "channels_first":
            images = jnp.transpose(images, (0, 2, 3, 1))
        output = clahe(rescale_values(images, self.value_range, (0, 255)), self.clip_limit,
                       tuple(self.tile_grid_size))
        output = rescale_values(output, (0, 255), self.value_range).astype(images.dtype)
        if self.data_format == "channels_first":
            output = jnp.transpose(output, (0, 3, 1, 2))
        return output[0] if single else output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size}
