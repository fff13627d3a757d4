"""Callbacks that change the optimizer's learning rate between epochs.

LearningRateScheduler sets it from a user function of the epoch; ReduceLROnPlateau cuts
it when a monitored quantity stops improving. Both only act at epoch boundaries (the
learning rate is an optimizer Variable, read by the compiled epoch as data), and both
add the current rate to the epoch logs as "learning_rate", as Keras 3 does.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

import numpy as np

from layerwise.callbacks.callback import Callback
from layerwise.callbacks.monitor import MonitorCallback, check_number


def current_learning_rate(optimizer: Any) -> float:
    """The optimizer's learning rate now, as a Python float."""
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(np.asarray(optimizer.learning_rate))


def _optimizers(model: Any) -> list[tuple[str, Any]]:
    """(log suffix, optimizer) pairs: one per wrapped optimizer, or ("", the optimizer)."""
    optimizer = model.optimizer
    wrapped = getattr(optimizer, "optimizers", None)
    if wrapped:
        return [(f"_{inner.name}", inner) for inner in wrapped]
    return [("", optimizer)]


def _log_learning_rates(model: Any, logs: dict | None) -> None:
    if logs is None:
        return
    for suffix, optimizer in _optimizers(model):
        logs[f"learning_rate{suffix}"] = current_learning_rate(optimizer)


def _takes_learning_rate(schedule: Callable) -> bool:
    """Whether `schedule` accepts (epoch, lr) rather than the old one-argument (epoch)."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):  # some builtins have no signature: assume the new API
        return True
    try:
        signature.bind(0, 0.0)
    except TypeError:
        return False
    return True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to `schedule(epoch, lr)`.

    Args:
        schedule: a function of (epoch index from 0, current learning rate as a float)
            returning the new learning rate as a float. A function of the epoch alone
            (the old Keras API) is accepted too.
        verbose: 1 prints the new rate at each epoch.
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "Invalid value for argument `schedule`. Expected a function "
                f"(epoch, lr) -> new lr. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer: Any, epoch: int) -> float:
        learning_rate = current_learning_rate(optimizer)
        if _takes_learning_rate(self.schedule):
            learning_rate = self.schedule(epoch, learning_rate)
        else:
            learning_rate = self.schedule(epoch)
        learning_rate = _as_float(learning_rate)
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        for suffix, optimizer in _optimizers(self.model):
            learning_rate = self._update_optimizer_lr(optimizer, epoch)
            if self.verbose > 0:
                which = f"{optimizer.name} " if suffix else ""
                print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting {which}"
                      f"learning rate to {learning_rate}.", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        _log_learning_rates(self.model, logs)


def _as_float(value: Any) -> Any:
    """Check a schedule's output: a float (Python or numpy), as Keras requires."""
    if isinstance(value, (float, np.float32, np.float64)):
        return value
    # Keras rejects a 0-d float tensor (its own docstring example returns one,
    # `lr * ops.exp(-0.1)`, and fails); accepting it is harmless and kinder.
    if not isinstance(value, (bool, int, str)) and hasattr(value, "dtype") and \
            np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.floating):
        return float(np.asarray(value))
    raise ValueError(
        f"The output of the `schedule` function should be a float. Got: {value}")


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by `factor` when `monitor` stops improving.

    Args:
        monitor: the log key to watch.
        factor: the learning rate is multiplied by this (must be < 1).
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints a line at each reduction.
        mode: "min", "max" or "auto" (inferred from the monitored metric).
        min_delta: the smallest absolute change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs: Any):
        super().__init__(monitor, mode, min_delta=min_delta)
        if kwargs:
            # Keras 3 accepts and ignores extra arguments (Keras 2's `epsilon` among them);
            # we do the same, so the numbers match Keras 3, but say so.
            warnings.warn(
                f"ReduceLROnPlateau ignores these arguments, as Keras 3 does: "
                f"{sorted(kwargs)}. (Keras 2's `epsilon` is now `min_delta`.)", stacklevel=2)
        for argument, value in (("factor", factor), ("patience", patience),
                                ("cooldown", cooldown), ("min_lr", min_lr)):
            check_number(argument, value)
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # late: the model's metrics exist by now
        # The rate logged is the one this epoch trained with, before any reduction.
        _log_learning_rates(self.model, logs)
        logs = logs if logs is not None else {}
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which "
                f"is not available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        reduced = False
        for suffix, optimizer in _optimizers(self.model):
            reduced |= self._reduce_optimizer_lr(optimizer, epoch, suffix.lstrip("_"))
        if reduced:
            self.cooldown_counter = self.cooldown
            self.wait = 0

    def _reduce_optimizer_lr(self, optimizer: Any, epoch: int, name: str = "") -> bool:
        old_lr = current_learning_rate(optimizer)
        # The rate is stored in float32: compare there, or a rate already at min_lr
        # would keep "reducing" to the same value.
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            which = f" {name}" if name else ""
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{which} learning rate to "
                  f"{new_lr}.", flush=True)
        return True


__all__ = ["LearningRateScheduler", "ReduceLROnPlateau", "current_learning_rate"]
