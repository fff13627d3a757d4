"""TensorBoard: write training curves and weight histograms as TensorBoard event files.

The files are written with `tensorboardX`, an optional dependency (`pip install
tensorboardX`): a small pure-Python writer of TensorBoard's event format, needing
neither TensorFlow nor PyTorch, so the library keeps its own dependencies to JAX and
numpy. It is imported when the callback first writes, so a model that does not use
the callback never needs it.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from layerwise.callbacks.callback import Callback


class TensorBoard(Callback):
    """Log to `log_dir/train` and `log_dir/validation`, as Keras lays them out.

    Each epoch writes `epoch_<name>` scalars (training logs and the learning rate to
    train/, validation logs without their `val_` prefix to validation/) at step =
    epoch. With an integer `update_freq` (or "batch", meaning 1), every that many
    batches also writes `batch_<name>` at step = batches trained in this fit. With
    `histogram_freq`, every that many epochs writes a histogram of each layer weight,
    tagged `<weight path>/histogram`. An `evaluate` with this callback writes
    `evaluation_<name>_vs_iterations` at the optimizer's iteration count.
    `write_graph`, `write_images`, `profile_batch` and embeddings are accepted but not
    written (no TensorFlow graph exists to show).
    """

    def __init__(self, log_dir: Any = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, write_images: bool = False,
                 write_steps_per_second: bool = False, update_freq: Any = "epoch",
                 profile_batch: int = 0, embeddings_freq: int = 0,
                 embeddings_metadata: Any = None):
        super().__init__()
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool)
                                       or not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError(
                "TensorBoard: invalid value for argument `update_freq`. Expected 'epoch', "
                f"'batch' or a positive integer. Received: update_freq={update_freq!r}")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) \
                or histogram_freq < 0:
            raise ValueError(
                "TensorBoard: invalid value for argument `histogram_freq`. Expected an "
                f"integer >= 0. Received: histogram_freq={histogram_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict[str, Any] = {}
        self._global_train_batch = 0

    def wants_batch_hooks(self) -> bool:
        return self.update_freq != "epoch"

    # -- writers -----------------------------------------------------------------------
    def _writer(self, kind: str) -> Any:
        if kind not in self._writers:
            try:
                from tensorboardX import SummaryWriter  # optional: see the module's note
            except ImportError:
                raise ImportError(
                    "The TensorBoard callback writes its files with the optional package "
                    "`tensorboardX`; install it with `pip install tensorboardX`.") from None
            folder = os.path.join(self.log_dir, "train" if kind == "train" else "validation")
            self._writers[kind] = SummaryWriter(logdir=folder)
        return self._writers[kind]

    def _close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks -------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer = self._writer("train")
        for name, value in (logs or {}).items():
            writer.add_scalar(f"batch_{name}", float(value), self._global_train_batch)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if logs and optimizer is not None:
            train["learning_rate"] = float(np.asarray(optimizer.learning_rate))
        for kind, values in (("train", train), ("validation", validation)):
            if values:
                writer = self._writer(kind)
                for name, value in values.items():
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not logs or getattr(self.model, "_in_fit", False):
            return
        writer = self._writer("validation")
        step = int(np.asarray(optimizer.iterations))
        for name, value in logs.items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), step)
        # An evaluate outside fit has no on_train_end: close (which writes) now.
        self._close()

    def on_train_end(self, logs=None):
        self._close()

    def _write_histograms(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                tag = f"{weight.path.replace(':', '_')}/histogram"
                writer.add_histogram(tag, np.asarray(weight.value), epoch)
