"""`keras.preprocessing.image`: image files to arrays and back, and `smart_resize`."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.utils.directory_datasets import resize_image_array
from layerwise.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


def smart_resize(x: Any, size: Any, interpolation: str = "bilinear",
                 data_format: str = "channels_last") -> np.ndarray:
    """Resizes an image `(height, width, channels)` (or a batch of them) to `size`
    without distorting it: the largest centered window of the target aspect ratio is
    cropped first."""
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    image = np.asarray(x)
    if image.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`, but got input with incorrect rank, "
            f"of shape {image.shape}.")
    if data_format == "channels_first":
        image = np.moveaxis(image, -3, -1)
    height, width = (int(d) for d in size)
    if image.ndim == 3:
        resized = resize_image_array(image, height, width, interpolation, True)
    else:
        resized = np.stack([resize_image_array(one, height, width, interpolation, True)
                            for one in image])
    if data_format == "channels_first":
        resized = np.moveaxis(resized, -1, -3)
    return resized
