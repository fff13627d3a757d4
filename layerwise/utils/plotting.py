"""Training curves: loss and accuracy per epoch, as the seed notes draw them."""
from __future__ import annotations

from typing import Any


def _history_dict(history: Any) -> dict[str, list]:
    if hasattr(history, "history"):
        history = history.history
    if not isinstance(history, dict):
        raise TypeError("plot_loss_accuracy: expected a History (returned by fit) or its "
                        f"`.history` dict. Received: {type(history).__name__}")
    return history


def _accuracy_key(history: dict[str, list]) -> str | None:
    for key in history:
        if not key.startswith("val_") and ("acc" in key):
            return key
    return None


def plot_loss_accuracy(history: Any, path: Any = None):
    """A figure with a loss panel and an accuracy panel (with validation curves if present).

    Args:
        history: what `fit` returned, or its `.history` dict.
        path: if given, the figure is also saved there (e.g. "loss_accuracy.png").

    Returns:
        The matplotlib Figure.
    """
    # Imported here: `import layerwise` must stay light (matplotlib is the `plot` extra).
    import matplotlib.pyplot as plt

    curves = _history_dict(history)
    if "loss" not in curves:
        raise ValueError(f"plot_loss_accuracy: the history has no 'loss'. Keys: {list(curves)}")
    accuracy_key = _accuracy_key(curves)
    panels = 2 if accuracy_key else 1
    figure, axes = plt.subplots(1, panels, figsize=(6 * panels, 4), squeeze=False)
    epochs = range(1, len(curves["loss"]) + 1)
    for axis, key, title in zip(axes[0], ["loss", accuracy_key], ["Loss", "Accuracy"]):
        axis.plot(epochs, curves[key], label=f"training {key}")
        if f"val_{key}" in curves:
            axis.plot(epochs, curves[f"val_{key}"], label=f"validation {key}")
        axis.set_title(title)
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.suptitle("Training history")
    figure.tight_layout()
    if path is not None:
        figure.savefig(path)
    return figure
