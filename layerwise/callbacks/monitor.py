"""MonitorCallback: the shared logic of callbacks that watch one logged quantity.

EarlyStopping, ReduceLROnPlateau and ModelCheckpoint all ask the same question at the
end of an epoch: did `logs[monitor]` improve on the best value so far, by more than
`min_delta`, in the direction given by `mode`?
"""
from __future__ import annotations

import difflib
import numbers
import warnings
from typing import Any, Callable

import numpy as np

from layerwise.callbacks.callback import Callback

_MODES = ("auto", "min", "max")


def _less(value: float, reference: float) -> bool:
    # Keras compares through `ops.less`, which turns Python floats into float32 tensors;
    # comparing in float32 keeps ties (and near-ties) resolved the same way.
    return bool(np.float32(value) < np.float32(reference))


def _greater(value: float, reference: float) -> bool:
    return bool(np.float32(value) > np.float32(reference))


def model_metrics(model: Any) -> list:
    """The compiled metrics of `model` (objects with `name` and `_direction`), if any."""
    found = list(getattr(model, "_compile_metrics", None) or []) + list(
        getattr(model, "_compile_weighted_metrics", None) or [])
    public = getattr(model, "metrics", None)
    if isinstance(public, (list, tuple)):
        for metric in public:
            # Keras groups compile metrics in containers that hold a `.metrics` list.
            inner = getattr(metric, "metrics", None)
            found.extend(inner if isinstance(inner, (list, tuple)) else [metric])
    return found


def check_number(argument: str, value: Any) -> None:
    """Raise a TypeError naming `argument` unless `value` is a real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Invalid value for argument `{argument}`. Expected a number. "
            f"Received: {argument}={value!r}")


class MonitorCallback(Callback):
    """Base class for callbacks that compare a monitored quantity with its best value.

    Args:
        monitor: the log key to watch, e.g. "val_loss" or "accuracy".
        mode: "min", "max", or "auto" (the direction is inferred from the metric).
        baseline: the initial best value; None means the first value seen.
        min_delta: the smallest absolute change that counts as an improvement.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: Any = None,
                 min_delta: float = 0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(
                "Invalid value for argument `monitor`. Expected the name of a logged "
                f"quantity (a string). Received: monitor={monitor!r}")
        if mode not in _MODES:
            # Keras warns and carries on in "auto" mode rather than failing; so do we, so
            # that Keras scripts keep running, but we point at the likely intended mode.
            close = difflib.get_close_matches(str(mode), _MODES, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode. "
                f"Expected one of {list(_MODES)}.{hint}", stacklevel=3)
            mode = "auto"
        check_number("min_delta", min_delta)
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[float, float], bool] | None = None

    def _set_monitor_op(self) -> None:
        """Choose `<` or `>` from `mode` (or, in "auto", from the monitored metric)."""
        if self.mode == "min":
            self.monitor_op = _less
        elif self.mode == "max":
            self.monitor_op = _greater
        else:
            metric_name = self.monitor.removeprefix("val_")
            if metric_name == "loss":
                self.monitor_op = _less
            for metric in model_metrics(self.model):
                direction = getattr(metric, "_direction", None)
                if getattr(metric, "name", None) == metric_name and direction is not None:
                    self.monitor_op = _greater if direction == "up" else _less
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "it is not possible to determine automatically whether that metric "
                    "should be maximized or minimized. Pass `mode='max'` in order to monitor "
                    "based on the highest metric value, or pass `mode='min'` in order to use "
                    "the lowest value.")
        if self.monitor_op is _less:
            # Stored signed, so that `value - min_delta` moves towards "better".
            self.min_delta *= -1

    def _is_improvement(self, monitor_value: float, reference_value: float | None) -> bool:
        if reference_value is None:
            return True
        return self.monitor_op(monitor_value - self.min_delta, reference_value)


__all__ = ["MonitorCallback", "check_number", "model_metrics"]
