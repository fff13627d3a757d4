"""`R2Score`, the coefficient of determination, accumulated over batches per output."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.losses.reduction import squeeze_or_expand_to_same_rank
from layerwise.metrics.base import Metric, State

__all__ = ["R2Score"]

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")
# Keras's variable names, in its order ("residual" holds the summed squared errors).
_PER_OUTPUT = ("squared_sum", "sum", "residual", "count")


class R2Score(Metric):
    """`1 - sum of squared errors / total sum of squares`, per output column.

    Args:
        class_aggregation: None (one score per output), "uniform_average" (their mean) or
            "variance_weighted_average" (their mean weighted by each output's variance).
        num_regressors: when > 0, the adjusted R2 for that many independent variables
            (plain R2 while there are too few samples for it).
    Inputs are 2D (batch, outputs) after rank matching; the first batch fixes the width.
    """

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                "R2Score: invalid value for argument `class_aggregation`. Expected one of "
                f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(
                "R2Score: invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self._num_outputs: int | None = None

    @property
    def built(self) -> bool:
        return self._num_outputs is not None

    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if self.built:
            return
        y_true_shape, y_pred_shape = _matched_shapes(y_true_shape, y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim), output_dim "
                f"known. Received input shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}.")
        self._num_outputs = int(y_pred_shape[-1])

    def initial_state(self) -> State:
        if not self.built:
            raise ValueError("R2Score creates its state from the first batch: call "
                             "`build(y_true_shape, y_pred_shape)` or `update_state` first.")
        state = {"num_samples": jnp.zeros((), self.dtype)}
        state.update({key: jnp.zeros((self._num_outputs,), self.dtype) for key in _PER_OUTPUT})
        return state

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self.build(jnp.shape(y_true), jnp.shape(y_pred))
        super().update_state(y_true, y_pred, sample_weight)

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        y_true = jnp.asarray(y_true).astype(self.dtype)
        y_pred = jnp.asarray(y_pred).astype(self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        weight = jnp.asarray(1 if sample_weight is None else sample_weight).astype(self.dtype)
        if weight.ndim == 1:
            weight = jnp.expand_dims(weight, 1)
        weight = jnp.broadcast_to(weight, y_true.shape)
        weighted_true = y_true * weight
        return {
            "num_samples": state["num_samples"] + y_true.size,
            "squared_sum": state["squared_sum"] + jnp.sum(y_true * weighted_true, axis=0),
            "sum": state["sum"] + jnp.sum(weighted_true, axis=0),
            "residual": state["residual"] + jnp.sum((y_true - y_pred) ** 2 * weight, axis=0),
            "count": state["count"] + jnp.sum(weight, axis=0),
        }

    def compute(self, state: State) -> jax.Array:
        mean = state["sum"] / state["count"]
        total = state["squared_sum"] - state["sum"] * mean
        scores = 1 - state["residual"] / total
        scores = jnp.where(jnp.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = jnp.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = jnp.sum(total * scores) / jnp.sum(total)
        else:
            score = scores
        if self.num_regressors == 0:
            return score
        # Adjusted R2 needs more samples than regressors + 1; below that Keras warns and
        # falls back to the plain score (here without the warning, as this runs compiled).
        samples = state["num_samples"].astype("float32")
        regressors = jnp.asarray(self.num_regressors, "float32")
        adjusted = 1.0 - (1.0 - score) * (samples - 1.0) / (samples - regressors - 1.0)
        return jnp.where(regressors < samples - 1, adjusted, score)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


def _matched_shapes(y_true_shape: tuple, y_pred_shape: tuple) -> tuple[tuple, tuple]:
    """The shapes after Keras's rank matching of labels and predictions."""
    placeholder = [jax.ShapeDtypeStruct(tuple(2 if d is None else d for d in shape), "float32")
                   for shape in (y_true_shape, y_pred_shape)]
    matched = jax.eval_shape(squeeze_or_expand_to_same_rank, *placeholder)
    return tuple(matched[0].shape), tuple(matched[1].shape)
