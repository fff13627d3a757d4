"""BackupAndRestore: resume an interrupted fit where its last backup was taken."""
from __future__ import annotations

import json
import os
import shutil
from typing import Any

import numpy as np

from layerwise.callbacks.callback import Callback

_STATE_FILE = "training_state.npz"
_METADATA_FILE = "training_metadata.json"


class BackupAndRestore(Callback):
    """Back up the training state, and restore it when a fit starts again.

    A backup holds the model's variables (weights and random-generator states), the
    optimizer's variables, numpy's global random state (which draws the shuffles) and
    the position: the epoch, and with an integer `save_freq` the batch within it. A new
    `fit` with this callback then continues from that position: the same batches, in
    the same order, as the interrupted run would have seen. (Keras resumes at the
    epoch only; a batch-level backup here resumes at the batch.)

    Args:
        backup_dir: the folder for the backup; used by nothing else.
        save_freq: "epoch" (back up after every epoch) or every how many batches.
        double_checkpoint: also keep the previous backup, used if the latest is
            unreadable.
        delete_checkpoint: delete the backup when the fit completes.
    """

    def __init__(self, backup_dir: Any, save_freq: Any = "epoch",
                 double_checkpoint: bool = False, delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty `backup_dir` argument passed. Expected "
                             f"a folder path. Received: backup_dir={backup_dir!r}")
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(
                "BackupAndRestore: invalid value for argument `save_freq`. Expected 'epoch' "
                f"or a positive integer. Received: save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._epoch = 0
        self._batches_since_backup = 0
        self._last_batch = -1
        self._epoch_random_state: Any = None

    # -- hooks -------------------------------------------------------------------------
    def wants_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError(
                "BackupAndRestore: the model must be built before `fit()` is called. Model "
                f"'{self.model.name}' is unbuilt; build it by calling it on a batch of data.")
        for folder in self._candidates():
            try:
                self._restore(folder)
                return
            except (OSError, ValueError, KeyError):
                if folder == self._candidates()[-1]:
                    raise

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._last_batch = -1
        # The epoch's shuffle is drawn after this hook: a batch-level backup restores
        # this state so that a resumed epoch draws the same order.
        self._epoch_random_state = np.random.get_state()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_backup += batch - self._last_batch
        self._last_batch = batch
        if self._batches_since_backup >= self.save_freq:
            self._batches_since_backup = 0
            self._save(epoch=self._epoch, batch=batch + 1,
                       random_state=self._epoch_random_state)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch=epoch + 1, batch=0, random_state=np.random.get_state())

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)

    # -- files -------------------------------------------------------------------------
    def _latest(self) -> str:
        return os.path.join(self.backup_dir, "latest")

    def _previous(self) -> str:
        return os.path.join(self.backup_dir, "previous")

    def _candidates(self) -> list[str]:
        return [self._latest()] + ([self._previous()] if self.double_checkpoint else [])

    def _save(self, epoch: int, batch: int, random_state: Any) -> None:
        model = self.model
        optimizer_variables = model.optimizer.variables if model.optimizer is not None else []
        arrays = {f"model_{i}": np.asarray(v.value) for i, v in enumerate(model.variables)}
        arrays.update({f"optimizer_{i}": np.asarray(v.value)
                       for i, v in enumerate(optimizer_variables)})
        kind, keys, position, has_gauss, cached_gauss = random_state
        arrays["numpy_random_keys"] = np.asarray(keys)
        metadata = {"epoch": epoch, "batch": batch, "numpy_random": [
            kind, int(position), int(has_gauss), float(cached_gauss)],
            "model_variables": len(model.variables),
            "optimizer_variables": len(optimizer_variables)}
        # Written to a fresh folder, then swapped in: a crash mid-write leaves the last
        # complete backup in place.
        staging = os.path.join(self.backup_dir, "staging")
        os.makedirs(staging, exist_ok=True)
        np.savez(os.path.join(staging, _STATE_FILE), **arrays)
        with open(os.path.join(staging, _METADATA_FILE), "w") as file:
            json.dump(metadata, file)
        latest = self._latest()
        if os.path.isdir(latest):
            if self.double_checkpoint:
                shutil.rmtree(self._previous(), ignore_errors=True)
                os.replace(latest, self._previous())
            else:
                shutil.rmtree(latest)
        os.replace(staging, latest)

    def _restore(self, folder: str) -> None:
        if not os.path.exists(os.path.join(folder, _METADATA_FILE)):
            return
        with open(os.path.join(folder, _METADATA_FILE)) as file:
            metadata = json.load(file)
        model = self.model
        optimizer = model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)
        optimizer_variables = optimizer.variables if optimizer is not None else []
        if metadata["model_variables"] != len(model.variables) or \
                metadata["optimizer_variables"] != len(optimizer_variables):
            raise ValueError(
                f"BackupAndRestore: the backup in {folder} holds "
                f"{metadata['model_variables']} model and {metadata['optimizer_variables']} "
                f"optimizer variables, but model '{model.name}' has {len(model.variables)} "
                f"and {len(optimizer_variables)}. Was the model or its optimizer changed?")
        with np.load(os.path.join(folder, _STATE_FILE)) as arrays:
            for i, variable in enumerate(model.variables):
                variable.assign(arrays[f"model_{i}"])
            for i, variable in enumerate(optimizer_variables):
                variable.assign(arrays[f"optimizer_{i}"])
            kind, position, has_gauss, cached_gauss = metadata["numpy_random"]
            np.random.set_state((kind, arrays["numpy_random_keys"], position, has_gauss,
                                 cached_gauss))
        # Read by fit after on_train_begin (Keras's name for the first; ours for both).
        model._initial_epoch = metadata["epoch"]
        model._initial_step = metadata["batch"]
