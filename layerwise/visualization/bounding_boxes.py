"""Bounding boxes: painted into image arrays, or drawn as patches over a gallery of images."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.visualization.images import channels_last, grid_shape, save, to_display

_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
            "rel_xywh", "rel_center_xywh")


def to_corners(boxes: Any, bounding_box_format: str, height: int, width: int) -> np.ndarray:
    """Boxes in `bounding_box_format` as absolute pixel corners (x1, y1, x2, y2)."""
    if bounding_box_format not in _FORMATS:
        raise ValueError("Invalid value for argument `bounding_box_format`. Expected one of "
                         f"{list(_FORMATS)}. Received: bounding_box_format={bounding_box_format!r}")
    boxes = np.asarray(boxes, dtype="float64")
    a, b, c, d = (boxes[..., i] for i in range(4))
    name = bounding_box_format.removeprefix("rel_")
    if name == "xyxy":
        x1, y1, x2, y2 = a, b, c, d
    elif name == "yxyx":
        y1, x1, y2, x2 = a, b, c, d
    elif name == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif name == "center_xywh":
        x1, y1, x2, y2 = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    else:  # center_yxhw
        x1, y1, x2, y2 = b - d / 2, a - c / 2, b + d / 2, a + c / 2
    corners = np.stack([x1, y1, x2, y2], axis=-1)
    if bounding_box_format.startswith("rel_"):
        corners = corners * np.array([width, height, width, height])
    return corners


def _boxes_and_labels(bounding_boxes: Any, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    if not isinstance(bounding_boxes, dict) or "boxes" not in bounding_boxes:
        raise ValueError(f"{where}: expected `bounding_boxes` as a dict with 'boxes' (n, boxes, "
                         f"4) and 'labels' (n, boxes). Received: {type(bounding_boxes).__name__}")
    labels = bounding_boxes.get("labels")
    return np.asarray(bounding_boxes["boxes"]), None if labels is None else np.asarray(labels)


def draw_bounding_boxes(images: Any, bounding_boxes: dict, bounding_box_format: str,
                        class_mapping: dict | None = None, color: tuple = (128, 128, 128),
                        line_thickness: int = 2, text_thickness: int = 1,
                        font_scale: float = 1.0, data_format: str | None = None) -> np.ndarray:
    """Box outlines painted into the images (uint8, channels last); label -1 marks padding.

    Drawn with numpy alone, so no class names are written into the pixels
    (`plot_bounding_box_gallery` writes them as text).
    """
    images = channels_last(images, data_format, "draw_bounding_boxes")
    boxes, labels = _boxes_and_labels(bounding_boxes, "draw_bounding_boxes")
    painted = np.clip(images, 0, 255).astype("uint8").copy()
    height, width = painted.shape[1:3]
    corners = np.round(to_corners(boxes, bounding_box_format, height, width)).astype(int)
    thickness = max(int(line_thickness), 1)
    for index in range(len(painted)):
        for box_index, (x1, y1, x2, y2) in enumerate(corners[index]):
            if labels is not None and labels[index][box_index] == -1:
                continue
            x1, x2 = np.clip([x1, x2], 0, width - 1)
            y1, y2 = np.clip([y1, y2], 0, height - 1)
            image = painted[index]
            image[y1:y1 + thickness, x1:x2 + 1] = color
            image[max(y2 - thickness + 1, 0):y2 + 1, x1:x2 + 1] = color
            image[y1:y2 + 1, x1:x1 + thickness] = color
            image[y1:y2 + 1, max(x2 - thickness + 1, 0):x2 + 1] = color
    return painted


def _draw_box_patches(axes: Any, boxes: dict, bounding_box_format: str, index: int,
                      color: tuple, mapping: dict | None, kind: str, line_thickness: float,
                      font_scale: float, height: int, width: int) -> None:
    from matplotlib.patches import Rectangle

    corners, labels = _boxes_and_labels(boxes, "plot_bounding_box_gallery")
    corners = to_corners(corners[index], bounding_box_format, height, width)
    rgb = tuple(channel / 255 for channel in color)
    for box_index, (x1, y1, x2, y2) in enumerate(corners):
        label = None if labels is None else labels[index][box_index].item()
        if label == -1:
            continue
        axes.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=rgb,
                                 linewidth=line_thickness, gid=f"{kind}:{label}"))
        if label is not None:
            text = mapping.get(label, label) if mapping else label
            axes.text(x1, y1, str(text), color="black", fontsize=6 * font_scale,
                      bbox={"facecolor": rgb, "pad": 1, "linewidth": 0}, va="bottom")


def plot_bounding_box_gallery(images: Any, bounding_box_format: str, y_true: dict | None = None,
                              y_pred: dict | None = None, value_range: tuple = (0, 255),
                              true_color: tuple = (0, 188, 212),
                              pred_color: tuple = (255, 235, 59), line_thickness: int = 2,
                              font_scale: float = 1.0, text_thickness: Any = None,
                              class_mapping: dict | None = None,
                              ground_truth_mapping: dict | None = None,
                              prediction_mapping: dict | None = None, legend: bool = False,
                              legend_handles: Any = None, rows: int | None = None,
                              cols: int | None = None, data_format: str | None = None,
                              path: Any = None, scale: float = 2, **kwargs: Any):
    """A grid of images with true and predicted boxes drawn over them; returns the Figure."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    images = to_display(channels_last(images, data_format, "plot_bounding_box_gallery"),
                        value_range)
    height, width = images.shape[1:3]
    rows, cols = grid_shape(len(images), rows, cols)
    figure = Figure(figsize=(cols * scale, rows * scale))
    for index in range(min(len(images), rows * cols)):
        axes = figure.add_subplot(rows, cols, index + 1)
        axes.imshow(images[index])
        axes.set_axis_off()
        for boxes, color, mapping, kind in (
                (y_true, true_color, ground_truth_mapping or class_mapping, "true"),
                (y_pred, pred_color, prediction_mapping or class_mapping, "pred")):
            if boxes is not None:
                _draw_box_patches(axes, boxes, bounding_box_format, index, color, mapping, kind,
                                  line_thickness, font_scale, height, width)
    if legend or legend_handles is not None:
        handles = legend_handles or [
            Patch(color=tuple(c / 255 for c in true_color), label="Ground Truth"),
            Patch(color=tuple(c / 255 for c in pred_color), label="Prediction")]
        figure.legend(handles=handles, loc="lower center", ncol=len(handles))
    figure.tight_layout()
    return save(figure, path, kwargs.get("dpi"), kwargs.get("transparent", False))
