"""Keras's stateless training-step API on JAX, for models that override their steps.

A `Model` subclass may override `train_step(state, data)`, `test_step(state, data)`,
`predict_step(state, data)` or `compute_loss(...)`, written as Keras's JAX guide writes
them: pure functions of the state `(trainable, non_trainable, optimizer, metrics)`
values, using `stateless_call`, `optimizer.stateless_apply`,
`compute_loss_and_updates` and the metrics' `stateless_update_state`. `StatelessSteps`
gives a Model those methods (and Keras's defaults for the steps); `uses_custom_steps`
tells the trainer to run such a model through `models/custom_fit.py` instead of the
built-in step functions.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import metrics as metrics_module
from layerwise.engine.layer import added_losses
from layerwise.engine.variables import StatelessScope
from layerwise.models.data_adapters import unpack_batch


class StatelessSteps:
    """Mixin giving a Model Keras's stateless step API and default steps."""

    # -- running the model on given values ----------------------------------------------
    def stateless_call(self, trainable_variables: list, non_trainable_variables: list,
                       *args: Any, return_losses: bool = False, **kwargs: Any):
        """Call the model with these variable values; nothing is assigned.

        Returns `(outputs, new_non_trainable_values)`, and with `return_losses` also the
        list of penalties (weight and activity regularization) of the call.
        """
        _check_values("stateless_call", "trainable_variables", trainable_variables,
                      self.trainable_variables)
        _check_values("stateless_call", "non_trainable_variables", non_trainable_variables,
                      self.non_trainable_variables)
        mapping = list(zip(self.trainable_variables, trainable_variables)) + list(
            zip(self.non_trainable_variables, non_trainable_variables))
        penalties: list = []
        token = added_losses.set(penalties)
        try:
            with StatelessScope(mapping) as scope:
                outputs = self(*args, **kwargs)
                penalties = penalties + [v.regularizer(v.value) for v in self.weights
                                         if v.regularizer is not None]
                new_non_trainable = [scope.new_value(v) for v in self.non_trainable_variables]
        finally:
            added_losses.reset(token)
        if return_losses:
            return outputs, new_non_trainable, penalties
        return outputs, new_non_trainable

    # -- metrics ---------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        """The loss tracker and compiled metrics (once compiled), then the Metric
        attributes of the model, in the order they were set."""
        found = []
        if getattr(self, "compiled", False):
            found.append(self._stateless_loss_tracker())
            compiled = self._compile_metrics + self._compile_weighted_metrics
            # Named in compile but not yet made (that waits for the first data): Keras
            # lists "compile_metrics" from compile on.
            if compiled or self._metric_identifiers or self._weighted_metric_identifiers:
                cached = getattr(self, "_compile_metrics_container", None)
                if cached is None or cached.metrics != compiled:
                    cached = self._compile_metrics_container = CompileMetrics(
                        self._compile_metrics, self._compile_weighted_metrics)
                found.append(cached)
            found.extend(getattr(self, "_output_loss_trackers", ()))
        found.extend(value for value in vars(self).values()
                     if isinstance(value, metrics_module.Metric) and value not in found)
        return found

    @property
    def metrics_variables(self) -> list:
        return [variable for metric in self.metrics for variable in metric.variables]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict:
        """The current value of each metric in `self.metrics`, by name."""
        results = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        """Update the compiled metrics with a batch; return every metric's result."""
        compiled = [m for m in self.metrics if isinstance(m, CompileMetrics)]
        if compiled:
            compiled[0].update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _stateless_loss_tracker(self):
        if getattr(self, "_loss_tracker", None) is None:
            self._loss_tracker = metrics_module.Mean(name="loss")
        return self._loss_tracker

    # -- losses ----------------------------------------------------------------------------
    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> jax.Array:
        """The compiled loss of the batch plus the call's regularization penalties."""
        loss = jnp.zeros((), jnp.float32)
        if self.loss is not None and y is not None:
            loss = loss + self.loss(y, y_pred, sample_weight=sample_weight)
        for penalty in getattr(self, "_losses_override", None) or []:
            loss = loss + jnp.asarray(penalty, jnp.float32)
        return loss

    def stateless_compute_loss(self, trainable_variables: list, non_trainable_variables: list,
                               metrics_variables: list, x: Any = None, y: Any = None,
                               y_pred: Any = None, sample_weight: Any = None,
                               training: bool = True):
        """`compute_loss` with these variable values; returns `(loss, (trainable,
        non_trainable, metrics))` values, the last two as `compute_loss` left them."""
        metric_variables = self.metrics_variables
        mapping = list(zip(self.trainable_variables, trainable_variables)) + list(
            zip(self.non_trainable_variables, non_trainable_variables)) + list(
            zip(metric_variables, metrics_variables))
        with StatelessScope(mapping) as scope:
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=training)
            non_trainable = [scope.new_value(v) for v in self.non_trainable_variables]
            metric_values = [scope.new_value(v) for v in metric_variables]
        return loss, (trainable_variables, non_trainable, metric_values)

    def compute_loss_and_updates(self, trainable_variables: list, non_trainable_variables: list,
                                 metrics_variables: list, x: Any, y: Any, sample_weight: Any,
                                 training: bool = False, optimizer_variables: Any = None):
        """The forward pass and loss as a pure function, for `jax.value_and_grad`.

        Returns `(loss, (unscaled_loss, y_pred, non_trainable_values, metrics_values))`;
        the loss is scaled by the optimizer's loss scale when training.
        """
        y_pred, non_trainable_variables, penalties = self.stateless_call(
            trainable_variables, non_trainable_variables, x, training=training,
            return_losses=True)
        self._losses_override = penalties
        try:
            loss, (_, non_trainable_variables, metrics_variables) = \
                self.stateless_compute_loss(trainable_variables, non_trainable_variables,
                                            metrics_variables, x=x, y=y, y_pred=y_pred,
                                            sample_weight=sample_weight, training=training)
        finally:
            self._losses_override = None
        unscaled_loss = loss
        if training and self.optimizer is not None:
            loss = self.optimizer.stateless_scale_loss(optimizer_variables, loss)
        return loss, (unscaled_loss, y_pred, non_trainable_variables, metrics_variables)

    def _stateless_update_metrics(self, metrics_variables: list, unscaled_loss: Any, x: Any,
                                  y: Any, y_pred: Any, sample_weight: Any):
        """The loss tracker and `compute_metrics` on metric values; returns (logs, values)."""
        metric_variables = self.metrics_variables
        with StatelessScope(list(zip(metric_variables, metrics_variables))) as scope:
            self._stateless_loss_tracker().update_state(
                unscaled_loss, sample_weight=jax.tree_util.tree_leaves(x)[0].shape[0])
            logs = self.compute_metrics(x, y, y_pred, sample_weight)
            new_values = [scope.new_value(v) for v in metric_variables]
        return logs, new_values

    # -- Keras's default steps, in the stateless style -------------------------------------
    def train_step(self, state: tuple, data: Any):
        """One optimizer step on a batch; returns `(logs, new_state)`."""
        trainable, non_trainable, optimizer_values, metric_values = state
        x, y, sample_weight = unpack_batch(data, "train_step")
        (_, (unscaled_loss, y_pred, non_trainable, metric_values)), grads = \
            jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)(
                trainable, non_trainable, metric_values, x, y, sample_weight, training=True,
                optimizer_variables=optimizer_values)
        trainable, optimizer_values = self.optimizer.stateless_apply(
            optimizer_values, grads, trainable)
        logs, metric_values = self._stateless_update_metrics(
            metric_values, unscaled_loss, x, y, y_pred, sample_weight)
        return logs, (trainable, non_trainable, optimizer_values, metric_values)

    def test_step(self, state: tuple, data: Any):
        """The loss and metrics of a batch; returns `(logs, new_state)`."""
        trainable, non_trainable, metric_values = state
        x, y, sample_weight = unpack_batch(data, "test_step")
        _, (unscaled_loss, y_pred, non_trainable, metric_values) = \
            self.compute_loss_and_updates(trainable, non_trainable, metric_values, x, y,
                                          sample_weight, training=False)
        logs, metric_values = self._stateless_update_metrics(
            metric_values, unscaled_loss, x, y, y_pred, sample_weight)
        return logs, (trainable, non_trainable, metric_values)

    def predict_step(self, state: tuple, data: Any):
        """The outputs of a batch; returns `(outputs, new_non_trainable_values)`."""
        trainable, non_trainable = state
        x, _, _ = unpack_batch(data, "predict_step")
        return self.stateless_call(trainable, non_trainable, x, training=False)


class CompileMetrics(metrics_module.Metric):
    """The metrics given to `compile` as one metric named "compile_metrics", as Keras
    shows them in `model.metrics`: its variables are theirs, its result a dict."""

    def __init__(self, plain: list, weighted: list):
        super().__init__(name="compile_metrics")
        self.plain, self.weighted = list(plain), list(weighted)
        self.metrics = self.plain + self.weighted

    @property
    def variables(self) -> list:
        return [variable for metric in self.metrics for variable in metric.variables]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        # As in Keras, `metrics` ignore the sample weights; `weighted_metrics` use them.
        for metric in self.plain:
            metric.update_state(y_true, y_pred)
        for metric in self.weighted:
            metric.update_state(y_true, y_pred, sample_weight=sample_weight)

    def result(self) -> dict:
        return {metric.name: metric.result() for metric in self.metrics}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def stateless_update_state(self, metric_variables: list, *args: Any, **kwargs: Any) -> list:
        variables = self.variables
        self._check_length(metric_variables, variables)
        with StatelessScope(list(zip(variables, metric_variables))) as scope:
            self.update_state(*args, **kwargs)
            return [scope.new_value(variable) for variable in variables]

    def stateless_result(self, metric_variables: list) -> dict:
        variables = self.variables
        self._check_length(metric_variables, variables)
        with StatelessScope(list(zip(variables, metric_variables))):
            return self.result()

    def stateless_reset_state(self) -> list:
        return [value for metric in self.metrics for value in metric.stateless_reset_state()]


def uses_custom_steps(model: Any) -> bool:
    """Whether the model overrides a step or `compute_loss` (so needs the stateless path)."""
    cls = type(model)
    return any(getattr(cls, name, None) is not getattr(StatelessSteps, name)
               for name in ("train_step", "test_step", "predict_step", "compute_loss"))


def _check_values(method: str, argument: str, values: Any, variables: list) -> None:
    if not isinstance(values, (list, tuple)) or len(values) != len(variables):
        received = len(values) if isinstance(values, (list, tuple)) else type(values).__name__
        raise ValueError(
            f"{method}: argument `{argument}` must be a list of {len(variables)} values, one "
            f"per variable of the model. Received: {received}")
