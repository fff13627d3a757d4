"""`FBetaScore` and `F1Score`: the weighted harmonic mean of precision and recall, per
class or averaged, from thresholded (or argmax) predictions."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.losses.reduction import EPSILON
from layerwise.metrics.base import Metric, State

__all__ = ["FBetaScore", "F1Score"]

_AVERAGES = (None, "micro", "macro", "weighted")
_COUNTS = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")


class FBetaScore(Metric):
    """`(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`.

    Args:
        average: None (one score per class), "micro" (counts pooled over classes),
            "macro" (mean of the class scores) or "weighted" (mean weighted by support).
        beta: weight of recall relative to precision (a float > 0).
        threshold: predictions above it are positive; None marks each row's largest.
    Inputs are 2D (batch, classes); the state's shape is fixed by the first batch.
    """

    _direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `average`. Expected one "
                f"of {{None, 'micro', 'macro', 'weighted'}}. Received: average={average!r}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `beta`. Expected a Python "
                f"float > 0. Received: beta={beta!r} of type {type(beta).__name__}")
        if threshold is not None and (not isinstance(threshold, float)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `threshold`. Expected a "
                f"Python float with 0 < threshold <= 1. Received: threshold={threshold!r}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        # "micro" pools counts over classes as well as samples.
        self.axis = None if average == "micro" else 0
        self._num_classes: int | None = None

    @property
    def built(self) -> bool:
        return self._num_classes is not None

    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if self.built:
            return
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim), "
                f"output_dim known. Received input shapes: y_pred.shape={tuple(y_pred_shape)} "
                f"and y_true.shape={tuple(y_true_shape)}.")
        self._num_classes = int(y_pred_shape[-1])

    def initial_state(self) -> State:
        if not self.built:
            raise ValueError(f"{type(self).__name__} creates its state from the first batch: "
                             "call `build(y_true_shape, y_pred_shape)` or `update_state` first.")
        shape = () if self.average == "micro" else (self._num_classes,)
        return {key: jnp.zeros(shape, self.dtype) for key in _COUNTS}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self.build(jnp.shape(y_true), jnp.shape(y_pred))
        super().update_state(y_true, y_pred, sample_weight)

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        y_true = jnp.asarray(y_true).astype(self.dtype)
        y_pred = jnp.asarray(y_pred).astype(self.dtype)
        if self.threshold is None:
            # The row's largest score is positive, unless it is zero (an all-zero row
            # stays all negative).
            largest = jnp.max(y_pred, axis=-1, keepdims=True)
            predicted = (y_pred >= largest) & (jnp.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(self.dtype)
        if sample_weight is not None:
            sample_weight = jnp.expand_dims(jnp.asarray(sample_weight).astype(self.dtype), 1)

        def weighted_sum(values: jax.Array) -> jax.Array:
            if sample_weight is not None:
                values = values * sample_weight
            return jnp.sum(values, axis=self.axis)

        increments = (predicted * y_true, predicted * (1 - y_true), (1 - predicted) * y_true,
                      y_true)
        return {key: state[key] + weighted_sum(value) for key, value in zip(_COUNTS, increments)}

    def compute(self, state: State) -> jax.Array:
        true_positives = state["true_positives"]
        precision = true_positives / (true_positives + state["false_positives"] + EPSILON)
        recall = true_positives / (true_positives + state["false_negatives"] + EPSILON)
        beta_squared = self.beta**2
        score = (precision * recall) / (beta_squared * precision + recall + EPSILON)
        score = score * (1 + beta_squared)
        if self.average == "weighted":
            support = state["intermediate_weights"]
            return jnp.sum(score * support / (jnp.sum(support) + EPSILON))
        if self.average is not None:
            return jnp.mean(score)
        return score

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F-beta score with beta = 1: the harmonic mean of precision and recall."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
