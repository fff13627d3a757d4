"""Image batches as numpy: channels moved last, values rescaled to 0-255 for display."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.backend import image_data_format


def channels_last(images: Any, data_format: str | None, where: str) -> np.ndarray:
    """A batch `(n, height, width, channels)`, whatever `data_format` it came in."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4:
        raise ValueError(f"{where}: invalid value for argument `images`. Expected a batch of "
                         f"shape (n, height, width, channels). Received: shape={images.shape}")
    data_format = data_format or image_data_format()
    if data_format == "channels_first":
        images = np.transpose(images, (0, 2, 3, 1))
    return images


def to_display(images: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """`images` rescaled from `value_range` to uint8 0-255."""
    low, high = value_range
    scaled = (np.asarray(images, dtype="float64") - low) / max(high - low, 1e-12) * 255.0
    return np.clip(scaled, 0, 255).astype("uint8")


def grid_shape(count: int, rows: int | None, cols: int | None) -> tuple[int, int]:
    """Rows and columns holding `count` pictures; a missing one is derived, both from a square."""
    if rows is None and cols is None:
        cols = int(np.ceil(np.sqrt(count)))
    if rows is None:
        rows = int(np.ceil(count / cols))
    if cols is None:
        cols = int(np.ceil(count / rows))
    return rows, cols


def save(figure: Any, path: Any, dpi: Any = None, transparent: bool = False) -> Any:
    if path is not None:
        figure.savefig(path, dpi=dpi, transparent=transparent)
    return figure
