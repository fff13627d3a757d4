"""EarlyStopping: stop training when a monitored quantity has stopped improving."""
from __future__ import annotations

import warnings
from typing import Any

from layerwise.callbacks.monitor import MonitorCallback, check_number


class EarlyStopping(MonitorCallback):
    """Stop `fit` once `monitor` has not improved for `patience` epochs.

    Checked at the end of each epoch only, so it never forces per-batch host work.

    Args:
        monitor: the log key to watch.
        min_delta: the smallest absolute change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when training stops and when weights are restored.
        mode: "min", "max" or "auto" (inferred from the monitored metric).
        baseline: training stops unless the model beats this value within `patience`.
        restore_best_weights: at the end of training, put back the weights of the best
            epoch (via `get_weights` / `set_weights`).
        start_from_epoch: epochs of warm-up during which nothing is monitored.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__(monitor, mode, min_delta=min_delta)
        check_number("patience", patience)
        check_number("start_from_epoch", start_from_epoch)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: list | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # Reset, so that one instance can serve several `fit` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # late: the model's metrics exist by now
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing better seen yet: the current weights are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience restarts only when the value also beats the baseline.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        """`logs[monitor]`, or None (with a warning naming the available keys)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}", stacklevel=2)
        return value


__all__ = ["EarlyStopping"]
