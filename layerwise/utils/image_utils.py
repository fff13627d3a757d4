"""Images to and from files and arrays, with Pillow (an optional dependency, imported only
when one of these functions runs)."""
from __future__ import annotations

import io
import os
import pathlib
from typing import Any

import numpy as np

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "Loading and saving images needs Pillow, which is not installed. Install it "
            "with `pip install pillow`.") from None
    return Image


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True,
                 dtype: Any = None) -> Any:
    """A PIL image of a `(height, width, channels)` array (1, 3 or 4 channels); with
    `scale`, values are stretched to 0..255."""
    image_module = _pillow()
    x = np.asarray(x, dtype="float32" if dtype is None else dtype)
    if x.ndim != 3:
        raise ValueError(
            "Expected image array to have rank 3 (single image). Got array with shape: "
            f"{x.shape}")
    if (data_format or "channels_last") == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return image_module.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image_module.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """A `(height, width, channels)` float32 array of a PIL image."""
    x = np.asarray(img, dtype="float32" if dtype is None else dtype)
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    if (data_format or "channels_last") == "channels_first":
        x = x.transpose(2, 0, 1)
    return x


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Writes an image array to `path` (the format from the extension unless given)."""
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and (file_format == "jpeg" or str(path).lower().endswith(
            (".jpg", ".jpeg"))):
        image = image.convert("RGB")
    image.save(path, format=file_format, **kwargs)


def load_img(path: Any, color_mode: str = "rgb", target_size: tuple | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """A PIL image from a file path (or bytes / file object), converted to `color_mode`
    ("grayscale", "rgb", "rgba") and resized to `target_size` `(height, width)`."""
    image_module = _pillow()
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError('Invalid value for argument `color_mode` of load_img. Expected '
                         f'"grayscale", "rgb" or "rgba". Received: color_mode={color_mode!r}')
    if isinstance(path, io.BytesIO):
        image = image_module.open(path)
    elif isinstance(path, (str, pathlib.Path, bytes, os.PathLike)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as file:
            image = image_module.open(io.BytesIO(file.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}[color_mode]
    if color_mode == "grayscale" and image.mode in ("L", "I;16", "I"):
        mode = image.mode
    if image.mode != mode:
        image = image.convert(mode)
    if target_size is not None:
        height, width = target_size
        if image.size != (width, height):
            if interpolation not in _INTERPOLATIONS:
                raise ValueError(
                    f"Invalid interpolation method {interpolation!r}. Supported methods are "
                    f"{', '.join(_INTERPOLATIONS)}")
            resample = getattr(image_module.Resampling, interpolation.upper())
            box = None
            if keep_aspect_ratio:
                # Resample from the centered box of the target's aspect ratio (pixels
                # just outside it still weigh in at the edges, as in Keras).
                source_width, source_height = image.size
                crop_width = min(source_width, source_height * width // height)
                crop_height = min(source_height, source_width * height // width)
                left = (source_width - crop_width) // 2
                top = (source_height - crop_height) // 2
                box = (left, top, left + crop_width, top + crop_height)
            image = image.resize((width, height), resample, box=box)
    return image
