"""Plots of a sweep (matplotlib, the optional `plot` extra): curves and final metrics."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.sweep.result import SweepResult


def plot_curves(result: SweepResult, metrics: Any = None, path: Any = None, axes: Any = None):
    """The spread of each metric's curve across variants: every variant thin, the median
    bold, the band between the lowest and highest value at each epoch shaded.

    Args:
        result: what `sweep.fit` returned.
        metrics: log keys, one panel each; by default "loss" and the first accuracy.
        path: if given, the figure is also saved there.
        axes: matplotlib Axes to draw in, one per metric; by default a new figure's.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt  # the optional extra; `import layerwise` stays light

    histories = [history.history for history in result.histories]
    metrics = _default_metrics(histories[0]) if metrics is None else \
        ([metrics] if isinstance(metrics, str) else list(metrics))
    for metric in metrics:
        if not any(metric in history for history in histories):
            raise ValueError(f"plot_curves: no variant logged '{metric}'. Logged: "
                             f"{sorted(histories[0])}")
    if axes is None:
        axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4),
                            squeeze=False)[1][0]
    axes = list(np.ravel(axes))
    if len(axes) != len(metrics):
        raise ValueError(f"plot_curves: expected one axis per metric ({len(metrics)}). "
                         f"Received {len(axes)} axes")
    figure = axes[0].figure
    for axis, metric in zip(axes, metrics):
        curves = [history.get(metric, []) for history in histories]
        longest = max(len(curve) for curve in curves)
        # Variants stopped early end sooner: their missing epochs are left out of the band.
        padded = np.full((len(curves), longest), np.nan)
        for row, curve in enumerate(curves):
            padded[row, :len(curve)] = curve
            axis.plot(range(1, len(curve) + 1), curve, color="tab:blue", alpha=0.25,
                      linewidth=0.8)
        epochs = np.arange(1, longest + 1)
        axis.fill_between(epochs, np.nanmin(padded, axis=0), np.nanmax(padded, axis=0),
                          color="tab:blue", alpha=0.15, label="min to max")
        axis.plot(epochs, np.nanmedian(padded, axis=0), color="tab:blue", linewidth=2,
                  label="median")
        axis.set_title(f"{metric} across {len(curves)} variants")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    if path is not None:
        figure.savefig(path)
    return figure


def plot_final_metric(result: SweepResult, hyperparameter: str, metric: str = "loss",
                      log_scale: Any = "auto", path: Any = None, axis: Any = None):
    """Each variant's final `metric` against its value of `hyperparameter` (a variant key).

    With `log_scale="auto"` the x axis is logarithmic for learning rates and for positive
    values spanning more than two decades.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    missing = [i for i, variant in enumerate(result.variants) if hyperparameter not in variant]
    if missing:
        raise ValueError(f"plot_final_metric: variants {missing} have no '{hyperparameter}' "
                         f"key. Their keys: {sorted(result.variants[missing[0]])}")
    values = np.asarray([float(variant[hyperparameter]) for variant in result.variants])
    finals = result.final(metric)
    if log_scale == "auto":
        log_scale = bool(np.all(values > 0)) and (
            "learning_rate" in hyperparameter or hyperparameter == "lr"
            or values.max() / values.min() > 100)
    order = np.argsort(values)
    if axis is None:
        axis = plt.subplots(figsize=(6, 4))[1]
    figure = axis.figure
    axis.plot(values[order], finals[order], marker="o")
    best = result.best(metric)
    axis.scatter([values[best]], [finals[best]], color="tab:red", zorder=3,
                 label=f"best: {hyperparameter}={values[best]:.3g}")
    if log_scale:
        axis.set_xscale("log")
    axis.set_xlabel(hyperparameter)
    axis.set_ylabel(f"final {metric}")
    axis.set_title(f"final {metric} against {hyperparameter}")
    axis.grid(True, alpha=0.3, which="both")
    axis.legend()
    figure.tight_layout()
    if path is not None:
        figure.savefig(path)
    return figure


def _default_metrics(history: dict) -> list[str]:
    chosen = ["loss"] if "loss" in history else list(history)[:1]
    accuracy = next((key for key in history if "acc" in key and not key.startswith("val_")),
                    None)
    return chosen + ([accuracy] if accuracy else [])
