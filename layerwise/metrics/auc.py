"""`AUC`: the area under the ROC, PR or PR-gain curve, from confusion counts."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.losses.reduction import EPSILON
from layerwise.metrics.base import Metric, State
from layerwise.metrics.confusion_counts import (
    _COUNT_NAMES,
    _confusion_counts,
    _evenly_spaced,
    _parse_thresholds,
)
from layerwise.metrics.functions import _divide_no_nan

__all__ = ["AUC"]


_CURVES = {
    "ROC": "ROC",
    "roc": "ROC",
    "PR": "PR",
    "pr": "PR",
    "PRGAIN": "PRGAIN",
    "prgain": "PRGAIN",
}
_SUMMATION_METHODS = {
    "interpolation": "interpolation", "Interpolation": "interpolation",
    "majoring": "majoring", "Majoring": "majoring",
    "minoring": "minoring", "Minoring": "minoring",
}  # fmt: skip


class AUC(Metric):
    """Area under the ROC or PR curve, from confusion counts at fixed thresholds.

    Args:
        num_thresholds: number of thresholds, evenly spaced in [0, 1], with the end
            ones moved to -1e-7 and 1 + 1e-7 so that 0 and 1 predictions are counted.
        curve: "ROC", "PR" or "PRGAIN".
        summation_method: "interpolation" (trapezoids; for PR, Davis & Goadrich's
            interpolation), "majoring" or "minoring".
        thresholds: explicit thresholds in [0, 1] (overrides num_thresholds).
        multi_label: one curve per label, averaged (weighted by `label_weights`).
        num_labels: number of labels when multi_label (else taken from the first batch).
        label_weights: per-label weights.
        from_logits: apply a sigmoid to y_pred first.
    """

    _direction = "up"

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ):
        if curve not in _CURVES:
            raise ValueError(
                "Invalid value for argument `curve`. Expected one of ['ROC', 'PR', 'PRGAIN']. "
                f"Received: curve={curve!r}"
            )
        if summation_method not in _SUMMATION_METHODS:
            raise ValueError(
                "Invalid value for argument `summation_method`. Expected one of "
                "['interpolation', 'majoring', 'minoring']. "
                f"Received: summation_method={summation_method!r}"
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, default=0.5))
            self.num_thresholds = len(inner) + 2
            self._thresholds_evenly_spaced = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Invalid value for argument `num_thresholds`. Expected an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_evenly_spaced = True
        # End points just outside [0, 1] so predictions of exactly 0 or 1 are counted
        # despite floating-point error.
        self._thresholds = [0.0 - EPSILON] + inner + [1.0 + EPSILON]
        self.curve = _CURVES[curve]
        self.summation_method = _SUMMATION_METHODS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if isinstance(label_weights, dict) and label_weights.get("class_name") == "__tensor__":
            label_weights = label_weights["config"]["value"]  # Keras's serialized tensor
        self.label_weights = (
            None if label_weights is None else jnp.asarray(label_weights, self.dtype)
        )
        self._from_logits = from_logits
        self._num_labels: int | None = None
        if multi_label:
            if num_labels:
                self._num_labels = int(num_labels)
        elif num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    @property
    def built(self) -> bool:
        return not self.multi_label or self._num_labels is not None

    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if self.built:
            return
        if len(y_pred_shape) != 2:
            raise ValueError(
                "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                f"{len(y_pred_shape)}. Full shape received for `y_pred`: {tuple(y_pred_shape)}"
            )
        self._num_labels = int(y_pred_shape[1])

    def initial_state(self) -> State:
        if not self.built:
            raise ValueError(
                "AUC(multi_label=True) needs the number of labels to create its state: pass "
                "`num_labels=...`, or call `build(y_true_shape, y_pred_shape)` or "
                "`update_state(...)` first."
            )
        shape = (
            (self.num_thresholds, self._num_labels) if self.multi_label else (self.num_thresholds,)
        )
        return {key: jnp.zeros(shape, self.dtype) for key in _COUNT_NAMES}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(jnp.shape(y_true), jnp.shape(y_pred))
        super().update_state(y_true, y_pred, sample_weight)

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        if self._from_logits:
            y_pred = jax.nn.sigmoid(jnp.asarray(y_pred))
        counts = _confusion_counts(
            y_true,
            y_pred,
            self._thresholds,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            # Multi-label AUC applies label weights when averaging the per-label areas.
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_evenly_spaced=self._thresholds_evenly_spaced,
            dtype=self.dtype,
        )
        return {key: state[key] + counts[key] for key in _COUNT_NAMES}

    def _average_over_labels(self, per_label_area: jax.Array) -> jax.Array:
        if self.label_weights is None:
            return jnp.mean(per_label_area)
        return _divide_no_nan(
            jnp.sum(per_label_area * self.label_weights), jnp.sum(self.label_weights)
        )

    def _interpolated_pr_auc(self, state: State) -> jax.Array:
        """PR AUC with Davis & Goadrich (2006)'s interpolation between thresholds."""
        tp, fp, fn = state["true_positives"], state["false_positives"], state["false_negatives"]
        dtp = tp[:-1] - tp[1:]
        predicted_positive = tp + fp
        dp = predicted_positive[:-1] - predicted_positive[1:]
        precision_slope = _divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - precision_slope * predicted_positive[1:]
        safe_p_ratio = jnp.where(
            jnp.logical_and(predicted_positive[:-1] > 0, predicted_positive[1:] > 0),
            _divide_no_nan(predicted_positive[:-1], jnp.maximum(predicted_positive[1:], 0)),
            jnp.ones_like(predicted_positive[1:]),
        )
        increments = _divide_no_nan(
            precision_slope * (dtp + intercept * jnp.log(safe_p_ratio)),
            jnp.maximum(tp[1:] + fn[1:], 0),
        )
        if self.multi_label:
            return self._average_over_labels(jnp.sum(increments, axis=0))
        return jnp.sum(increments)

    def compute(self, state: State) -> jax.Array:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_auc(state)
        tp, fp = state["true_positives"], state["false_positives"]
        tn, fn = state["true_negatives"], state["false_negatives"]
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PRGAIN; degenerate cases fixed as Keras does (no TP: gains 0 and 1).
            scaling = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * _divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * _divide_no_nan(fp, tp)
            recall_gain = jnp.maximum(jnp.where(tp == 0.0, 0.0, recall_gain), 0.0)
            precision_gain = jnp.where(tp == 0.0, 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[:-1], y[1:])
        else:
            heights = jnp.maximum(y[:-1], y[1:])
        areas = (x[:-1] - x[1:]) * heights
        if self.multi_label:
            return self._average_over_labels(jnp.sum(areas, axis=0))
        return jnp.sum(areas)

    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": (
                None if self.label_weights is None else np.asarray(self.label_weights).tolist()
            ),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
