"""`plot_image_gallery`: a grid of images, titled with their true and predicted labels."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.visualization.images import channels_last, grid_shape, save, to_display


def _label_text(label: Any, label_map: dict | None) -> str:
    value = np.asarray(label)
    if value.ndim > 0 and value.size > 1:   # one-hot row
        value = value.argmax()
    value = value.item() if hasattr(value, "item") else value
    return str(label_map.get(value, value)) if label_map else str(value)


def plot_image_gallery(images: Any, y_true: Any = None, y_pred: Any = None,
                       label_map: dict | None = None, rows: int | None = None,
                       cols: int | None = None, value_range: tuple = (0, 255), scale: float = 2,
                       path: Any = None, show: Any = None, transparent: bool = True,
                       dpi: int = 60, legend_handles: Any = None, data_format: str | None = None):
    """Draw a batch of images in a grid; returns the Figure (saved to `path` when given).

    Titles read "Label: ..." and "Pred: ..." when `y_true` / `y_pred` are given. `show`
    is accepted for Keras's signature; nothing is shown, the Figure is returned instead.
    """
    from matplotlib.figure import Figure

    images = to_display(channels_last(images, data_format, "plot_image_gallery"), value_range)
    rows, cols = grid_shape(len(images), rows, cols)
    figure = Figure(figsize=(cols * scale, rows * scale))
    for index in range(min(len(images), rows * cols)):
        axes = figure.add_subplot(rows, cols, index + 1)
        image = images[index]
        axes.imshow(image[..., 0] if image.shape[-1] == 1 else image,
                    cmap="gray" if image.shape[-1] == 1 else None)
        axes.set_axis_off()
        parts = []
        if y_true is not None:
            parts.append(f"Label: {_label_text(y_true[index], label_map)}")
        if y_pred is not None:
            parts.append(f"Pred: {_label_text(y_pred[index], label_map)}")
        axes.set_title("  ".join(parts), fontsize=8)
    if legend_handles is not None:
        figure.legend(handles=legend_handles, loc="lower center")
    figure.tight_layout()
    return save(figure, path, dpi, transparent)
