"""Threshold metrics built on confusion counts: `Precision`, `Recall`, and the single
counts `TruePositives`, `FalsePositives`, `TrueNegatives`, `FalseNegatives`."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.metrics.base import Metric, State
from layerwise.metrics.confusion_counts import (
    NEG_INF,
    _confusion_counts,
    _evenly_spaced,
    _parse_thresholds,
)
from layerwise.metrics.functions import _divide_no_nan

__all__ = [
    "Precision",
    "Recall",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
]


class _ThresholdMetric(Metric):
    """Shared by Precision and Recall: two counts per threshold."""

    _direction = "up"
    _counts: tuple[str, str]

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, default=0.5 if top_k is None else NEG_INF)
        self._thresholds_evenly_spaced = _evenly_spaced(self.thresholds)

    def initial_state(self) -> State:
        return {key: jnp.zeros((len(self.thresholds),), self.dtype) for key in self._counts}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = _confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_evenly_spaced=self._thresholds_evenly_spaced,
            dtype=self.dtype,
        )
        return {key: state[key] + counts[key] for key in self._counts}

    def compute(self, state: State) -> jax.Array:
        positives, misses = (state[key] for key in self._counts)
        result = _divide_no_nan(positives, positives + misses)
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_ThresholdMetric):
    """true_positives / (true_positives + false_positives), at each threshold.

    Args:
        thresholds: float or list of floats in [0, 1]; `y_pred > t` is positive.
            Default 0.5 (or "every score" when `top_k` is set).
        top_k: only the k highest scores per sample can be positive.
        class_id: only this class (column) is considered.
    """

    _counts = ("true_positives", "false_positives")


class Recall(_ThresholdMetric):
    """true_positives / (true_positives + false_negatives), at each threshold.

    Arguments as for `Precision`.
    """

    _counts = ("true_positives", "false_negatives")


class _ConfusionCount(Metric):
    """One confusion-matrix count, accumulated at each threshold (default 0.5)."""

    _count: str

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, default=0.5)
        self._thresholds_evenly_spaced = _evenly_spaced(self.thresholds)

    def initial_state(self) -> State:
        return {"accumulator": jnp.zeros((len(self.thresholds),), self.dtype)}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = _confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            sample_weight=sample_weight,
            thresholds_evenly_spaced=self._thresholds_evenly_spaced,
            dtype=self.dtype,
        )
        return {"accumulator": state["accumulator"] + counts[self._count]}

    def compute(self, state: State) -> jax.Array:
        accumulator = state["accumulator"]
        return accumulator[0] if len(self.thresholds) == 1 else accumulator

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """(Weighted) number of positive labels predicted positive (`y_pred > threshold`)."""

    _count = "true_positives"


class FalsePositives(_ConfusionCount):
    """(Weighted) number of negative labels predicted positive."""

    _count = "false_positives"


class TrueNegatives(_ConfusionCount):
    """(Weighted) number of negative labels predicted negative."""

    _count = "true_negatives"


class FalseNegatives(_ConfusionCount):
    """(Weighted) number of positive labels predicted negative."""

    _count = "false_negatives"
