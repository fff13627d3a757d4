"""Helpers to drive a layerwise callback and its Keras twin with identical logs.

A `FakeModel` stands in for the model: it has a real optimizer of its own library (so
learning rates are stored in float32 on both sides), counts `get_weights` calls by
epoch, and records what callbacks save.
"""
from __future__ import annotations

import numpy as np

import layerwise
from keras_oracle import keras


class FakeModel:
    """Just enough of a model for epoch-level callbacks, for either library."""

    def __init__(self, library, learning_rate: float = 0.01):
        self.optimizer = library.optimizers.SGD(learning_rate)
        self.stop_training = False
        self.epoch = 0  # the "weights" are the epoch they were taken at
        self.restored = None
        self.saved: list[tuple[str, str]] = []

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.restored = int(weights[0])

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath))


def run_epochs(callback, model: FakeModel, logs_per_epoch: list[dict]) -> list[dict]:
    """on_train_begin, then per epoch begin/end (stopping when asked), then on_train_end.

    Returns the logs each epoch ended with (callbacks may add keys).
    """
    callback.set_model(model)
    callback.on_train_begin({})
    seen = []
    for epoch, logs in enumerate(logs_per_epoch):
        model.epoch = epoch
        callback.on_epoch_begin(epoch, {})
        logs = dict(logs)
        callback.on_epoch_end(epoch, logs)
        seen.append(logs)
        if model.stop_training:
            break
    callback.on_train_end({})
    return seen


def fake_models(learning_rate: float = 0.01) -> tuple[FakeModel, FakeModel]:
    return FakeModel(layerwise, learning_rate), FakeModel(keras, learning_rate)


__all__ = ["FakeModel", "fake_models", "run_epochs"]
