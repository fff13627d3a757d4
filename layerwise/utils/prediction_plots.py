"""Pictures of what a classifier learned: its decision boundary on 2-D inputs, its confusion matrix."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["class_predictions", "confusion_counts", "plot_confusion_matrix",
           "plot_decision_boundary"]


def class_predictions(probabilities: np.ndarray) -> np.ndarray:
    """Class indices from model outputs: threshold 0.5 for one column, argmax otherwise."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim == 1 or probabilities.shape[-1] == 1:
        return (probabilities.reshape(-1) > 0.5).astype(int)
    return probabilities.argmax(axis=-1)


def _class_labels(y: Any) -> np.ndarray:
    """Integer labels from integer labels or one-hot rows."""
    y = np.asarray(y)
    return y.argmax(axis=-1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1).astype(int)


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """counts[i, j]: samples of true class i predicted as class j."""
    counts = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def _save(figure: Any, path: Any) -> Any:
    if path is not None:
        figure.savefig(path)
    return figure


def plot_decision_boundary(model: Any, X: Any, y: Any, path: Any = None, resolution: int = 200,
                           margin: float = 0.5, batch_size: int = 4096):
    """The model's class probability over the plane of 2-D inputs, with the samples on top.

    Two classes: filled contours of P(class 1) and the 0.5 line; more classes: the region
    of the most probable class. Returns the Figure (saved to `path` when given).
    """
    from matplotlib.figure import Figure

    X = np.asarray(X, dtype="float32")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError("plot_decision_boundary: invalid value for argument `X`. Expected "
                         f"2-D inputs of shape (n, 2). Received: X.shape={X.shape}")
    labels = _class_labels(y)
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype("float32")
    output = np.asarray(model.predict(grid, batch_size=batch_size, verbose=0))

    figure = Figure(figsize=(6, 5))
    axes = figure.add_subplot()
    if output.ndim == 1 or output.shape[-1] <= 2:
        positive = output.reshape(len(grid), -1)[:, -1].reshape(grid_x.shape)
        filled = axes.contourf(grid_x, grid_y, positive, levels=np.linspace(0, 1, 11),
                               cmap="RdBu_r", alpha=0.6)
        axes.contour(grid_x, grid_y, positive, levels=[0.5], colors="black", linewidths=1.5)
        figure.colorbar(filled, ax=axes, label="P(class 1)")
    else:
        regions = output.argmax(axis=-1).reshape(grid_x.shape)
        axes.contourf(grid_x, grid_y, regions, levels=np.arange(output.shape[-1] + 1) - 0.5,
                      cmap="tab10", alpha=0.4)
    colors = ["#1f4e9c", "#b2182b", "#1b7837", "#762a83", "#e08214", "#35978f"]
    for index, label in enumerate(np.unique(labels)):
        chosen = labels == label
        axes.scatter(X[chosen, 0], X[chosen, 1], s=14, edgecolors="white", linewidths=0.4,
                     color=colors[index % len(colors)], label=f"class {label}", gid=f"class {label}")
    axes.set_xlim(low[0], high[0])
    axes.set_ylim(low[1], high[1])
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.set_title("Decision boundary")
    axes.legend(loc="upper right")
    return _save(figure, path)


def plot_confusion_matrix(model: Any, X: Any, y: Any, class_names: Sequence[str] | None = None,
                          normalize: bool = False, path: Any = None, batch_size: int = 256):
    """The confusion matrix of the model's predictions on `(X, y)`, counts written in the cells.

    Args:
        y: integer labels or one-hot rows.
        normalize: show each row as fractions of its true class instead of counts.
    """
    from matplotlib.figure import Figure

    labels = _class_labels(y)
    predicted = class_predictions(model.predict(X, batch_size=batch_size, verbose=0))
    num_classes = int(max(labels.max(), predicted.max())) + 1
    if class_names is not None:
        if len(class_names) < num_classes:
            raise ValueError("plot_confusion_matrix: invalid value for argument `class_names`. "
                             f"Expected at least {num_classes} names. Received: "
                             f"{len(class_names)} names")
        num_classes = len(class_names)
    counts = confusion_counts(labels, predicted, num_classes)
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    names = list(class_names) if class_names is not None else [str(i) for i in range(num_classes)]

    size = max(4.0, 0.5 * num_classes + 2)
    figure = Figure(figsize=(size + 1, size))
    axes = figure.add_subplot()
    image = axes.imshow(shown, cmap="Blues")
    figure.colorbar(image, ax=axes)
    threshold = shown.max() / 2
    for row in range(num_classes):
        for column in range(num_classes):
            value = shown[row, column]
            axes.text(column, row, f"{value:.2f}" if normalize else str(value), ha="center",
                      va="center", fontsize=8, color="white" if value > threshold else "black")
    axes.set_xticks(range(num_classes), names, rotation=45 if num_classes > 6 else 0)
    axes.set_yticks(range(num_classes), names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    axes.set_title(f"Confusion matrix (accuracy {accuracy:.3f})")
    figure.tight_layout()
    return _save(figure, path)
