"""Metrics that read one rate at the best threshold meeting a constraint on another:
`SensitivityAtSpecificity`, `SpecificityAtSensitivity`, `PrecisionAtRecall` and
`RecallAtPrecision`. Counts are kept at `num_thresholds` evenly spaced thresholds."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.metrics.base import Metric, State
from layerwise.metrics.confusion_counts import _confusion_counts
from layerwise.metrics.functions import _divide_no_nan

__all__ = [
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "PrecisionAtRecall",
    "RecallAtPrecision",
]

# Keras's variable order for these metrics.
_STATE_ORDER = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def _rates(state: State) -> dict[str, jax.Array]:
    true_positives = state["true_positives"]
    return {
        "sensitivity": _divide_no_nan(true_positives, true_positives + state["false_negatives"]),
        "specificity": _divide_no_nan(state["true_negatives"],
                                      state["true_negatives"] + state["false_positives"]),
        "precision": _divide_no_nan(true_positives, true_positives + state["false_positives"]),
    }


class _RateAtConstraint(Metric):
    """The largest `_reported` rate over thresholds where `_constrained` >= the target."""

    _direction = "up"
    _constraint_argument: str  # the constructor argument holding the target
    _constrained: str
    _reported: str

    def __init__(self, target: float, num_thresholds: int, class_id: Any, name: Any,
                 dtype: Any):
        argument = self._constraint_argument
        if not 0 <= target <= 1:
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `{argument}`. Expected a "
                f"value in [0, 1]. Received: {argument}={target!r}")
        if num_thresholds <= 0:
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `num_thresholds`. "
                f"Expected an integer > 0. Received: num_thresholds={num_thresholds!r}")
        super().__init__(name=name, dtype=dtype)
        setattr(self, argument, target)
        self.value = target
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]

    def initial_state(self) -> State:
        return {key: jnp.zeros((len(self.thresholds),), self.dtype) for key in _STATE_ORDER}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        counts = _confusion_counts(
            y_true, y_pred, self.thresholds, class_id=self.class_id,
            sample_weight=sample_weight, thresholds_evenly_spaced=len(self.thresholds) > 1,
            dtype=self.dtype)
        return {key: state[key] + counts[key] for key in _STATE_ORDER}

    def compute(self, state: State) -> jax.Array:
        rates = _rates(state)
        feasible = rates[self._constrained] >= self.value
        return jnp.max(jnp.where(feasible, rates[self._reported], 0), initial=0)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "class_id": self.class_id,
                "num_thresholds": self.num_thresholds,
                self._constraint_argument: self.value}


class SensitivityAtSpecificity(_RateAtConstraint):
    """The best sensitivity (recall) at thresholds whose specificity is >= `specificity`."""

    _constraint_argument, _constrained, _reported = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_RateAtConstraint):
    """The best specificity at thresholds whose sensitivity is >= `sensitivity`."""

    _constraint_argument, _constrained, _reported = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_RateAtConstraint):
    """The best precision at thresholds whose recall is >= `recall`."""

    _constraint_argument, _constrained, _reported = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_RateAtConstraint):
    """The best recall at thresholds whose precision is >= `precision`."""

    _constraint_argument, _constrained, _reported = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
