"""The seed notes' two-panel training plot, for the scripts that cannot use layerwise's."""
from __future__ import annotations

from typing import Any

__all__ = [
    "plot_history",
]


def plot_history(history: Any):
    """Loss and accuracy per epoch, two panels (what layerwise's plot_loss_accuracy draws)."""
    import matplotlib.pyplot as plt

    curves = history.history
    figure, axes = plt.subplots(1, 2, figsize=(12, 4), squeeze=False)
    epochs = range(1, len(curves["loss"]) + 1)
    for axis, key, title in zip(axes[0], ["loss", "accuracy"], ["Loss", "Accuracy"]):
        axis.plot(epochs, curves[key], label=f"training {key}")
        axis.set_title(title)
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.suptitle("Training history")
    figure.tight_layout()
    return figure
