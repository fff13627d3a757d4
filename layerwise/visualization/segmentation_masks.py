"""Segmentation masks painted over images, and a gallery of images with their masks."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.visualization.images import channels_last, save, to_display


def class_palette(num_classes: int) -> np.ndarray:
    """The colour of each class, as Keras paints them: class k is (k, 127k, 31k) mod 255."""
    classes = np.arange(num_classes)[:, None]
    return (classes * np.array([1, 127, 31])) % 255


def _mask_batch(masks: Any, where: str) -> np.ndarray:
    masks = np.asarray(masks)
    if masks.ndim == 4 and masks.shape[-1] == 1:
        masks = masks[..., 0]
    if masks.ndim != 3:
        raise ValueError(f"{where}: invalid value for argument `segmentation_masks`. Expected "
                         "shape (n, height, width) or (n, height, width, 1). Received: "
                         f"shape={masks.shape}")
    return masks.astype(int)


def draw_segmentation_masks(images: Any, segmentation_masks: Any, num_classes: int | None = None,
                            color_mapping: dict | None = None, alpha: float = 0.8,
                            blend: bool = True, ignore_index: int = -1,
                            data_format: str | None = None) -> np.ndarray:
    """Each pixel painted with its class's colour (`alpha` over the image when `blend`).

    Pixels labelled `ignore_index` keep the image. Returns channels-last images: uint8 when
    blended, in the images' dtype otherwise.
    """
    where = "draw_segmentation_masks"
    images = channels_last(images, data_format, where)
    masks = _mask_batch(segmentation_masks, where)
    if masks.shape != images.shape[:3]:
        raise ValueError(f"{where}: `segmentation_masks` of shape {masks.shape} do not match "
                         f"the images of shape {images.shape}")
    if color_mapping is not None:
        size = max(color_mapping) + 1
        palette = np.zeros((size, 3))
        for label, color in color_mapping.items():
            palette[label] = color
    else:
        if num_classes is None:
            raise ValueError(f"{where}: pass `num_classes` or `color_mapping`.")
        palette = class_palette(num_classes)
    labelled = (masks != ignore_index) & (masks >= 0) & (masks < len(palette))
    colors = palette[np.where(labelled, masks, 0)]
    if blend:
        # float32 arithmetic, as Keras does, so truncation to uint8 lands on the same values.
        alpha32 = np.float32(alpha)
        mixed = (np.float32(1) - alpha32) * images.astype("float32") + \
            alpha32 * colors.astype("float32")
        painted = np.where(labelled[..., None], mixed, images)
        return painted.astype("uint8")
    return np.where(labelled[..., None], colors, images).astype(images.dtype)


def plot_segmentation_mask_gallery(images: Any, num_classes: int, value_range: tuple = (0, 255),
                                   y_true: Any = None, y_pred: Any = None,
                                   color_mapping: dict | None = None, blend: bool = True,
                                   alpha: float = 0.8, ignore_index: int = -1,
                                   data_format: str | None = None, path: Any = None,
                                   scale: float = 2, **kwargs: Any):
    """One row per image: the image, then its true mask and its predicted mask when given."""
    from matplotlib.figure import Figure

    images = to_display(channels_last(images, data_format, "plot_segmentation_mask_gallery"),
                        value_range)
    columns = [("image", images)]
    for title, masks in (("true mask", y_true), ("predicted mask", y_pred)):
        if masks is not None:
            masks = np.asarray(masks)
            if data_format == "channels_first" and masks.ndim == 4:
                masks = np.transpose(masks, (0, 2, 3, 1))
            columns.append((title, draw_segmentation_masks(
                images, masks, num_classes, color_mapping, alpha, blend, ignore_index,
                data_format="channels_last")))
    rows, cols = len(images), len(columns)
    figure = Figure(figsize=(cols * scale, rows * scale))
    for row in range(rows):
        for column, (title, pictures) in enumerate(columns):
            axes = figure.add_subplot(rows, cols, row * cols + column + 1)
            axes.imshow(np.clip(pictures[row], 0, 255).astype("uint8"))
            axes.set_axis_off()
            axes.set_title(title, fontsize=8, gid=title)
    figure.tight_layout()
    return save(figure, path, kwargs.get("dpi"), kwargs.get("transparent", False))
