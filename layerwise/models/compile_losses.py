"""compile() for models with several outputs: which loss, weight and metrics each output
gets, the names their logs carry, and how targets and sample weights find their output.

Keras's rules, learnt by running it:
- Outputs are named by the keys of a dict of outputs (sorted, as Keras flattens dicts),
  otherwise by the layer that made each output.
- `loss`, `loss_weights`, `metrics` and `weighted_metrics` are one value for every
  output, a list in output order, or a dict keyed by output name.
- The logs hold "loss" (the weighted sum), "<output>_loss" for each output with a loss
  (unweighted), and "<output>_<metric>" for each metric; a repeated name gets "_1", ...,
  and a weighted metric whose name is taken becomes "<output>_weighted_<metric>".
- `y` and `sample_weight` are a dict keyed by output name or a list in output order; one
  sample-weight array weights every output.
- When some outputs have no loss, `y` may list only the outputs that have one, and when a
  single output has a loss, `y` may be that output's array alone; that loss is then the
  model's loss, with no "<output>_loss" entry in the logs.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from layerwise import metrics as metrics_module
from layerwise.engine.keras_tensor import is_keras_tensor
from layerwise.losses.serialization import resolve_compile_loss
from layerwise.metrics.base import Metric


def output_names(model: Any, y_pred_spec: Any) -> list[str]:
    """The names of the model's outputs, in the order Keras flattens them."""
    structure = getattr(model, "_outputs_structure", None)
    if isinstance(structure, dict):
        return sorted(structure)
    if structure is not None:
        tensors = jax.tree_util.tree_leaves(structure, is_leaf=is_keras_tensor)
        return [tensor._keras_history[0].name for tensor in tensors]
    if isinstance(y_pred_spec, dict):
        return sorted(y_pred_spec)
    return [f"output_{index + 1}" for index in range(len(jax.tree_util.tree_leaves(y_pred_spec)))]


def flat_outputs(structure: Any, names: list[str], argument: str) -> list[Any]:
    """`structure` (a dict keyed by output name, or a list in output order) as a list."""
    if isinstance(structure, dict):
        unknown = sorted(set(structure) - set(names))
        if unknown:
            raise ValueError(f"Unknown entries in `{argument}` dict: {unknown}. Expected only "
                             f"keys from the output names {names}.")
        return [structure.get(name) for name in names]
    if isinstance(structure, (list, tuple)):
        if len(structure) != len(names):
            raise ValueError(
                f"`{argument}` must have one entry per output: the model has {len(names)} "
                f"outputs {names}, but `{argument}` has {len(structure)} entries.")
        return list(structure)
    raise ValueError(f"`{argument}` must be a dict keyed by the output names {names} or a "
                     f"list with one entry per output. Received: {argument}={structure!r}")


def output_targets(y_true: Any, names: list[str], with_loss: list[bool]) -> list[Any]:
    """`y` as one entry per output (None for an output without a target), also when `y`
    holds only the targets of the outputs with a loss."""
    if not any(with_loss):
        return flat_outputs(y_true, names, "y")
    positions = [index for index, has_loss in enumerate(with_loss) if has_loss]
    if not isinstance(y_true, (dict, list, tuple)) and len(positions) == 1:
        y_true = [y_true]
    if isinstance(y_true, (list, tuple)) and len(y_true) == len(positions) < len(names):
        spread = [None] * len(names)
        for index, target in zip(positions, y_true):
            spread[index] = target
        return spread
    return flat_outputs(y_true, names, "y")


def _per_output(value: Any, names: list[str], argument: str) -> list[Any]:
    """One value for every output, a list in output order, or a dict by output name."""
    if isinstance(value, (dict, list, tuple)):
        return flat_outputs(value, names, argument)
    return [value] * len(names)


def _weight_for(sample_weight: Any, index: int, names: list[str]) -> Any:
    if sample_weight is None or not isinstance(sample_weight, (dict, list, tuple)):
        return sample_weight
    return flat_outputs(sample_weight, names, "sample_weight")[index]


class MultiOutputLoss:
    """The loss of a model with several outputs: `sum(weight_i * loss_i)`.

    `output_losses` gives the unweighted loss of each output that has one (logged as
    "<output>_loss"); `__call__` gives the weighted sum.
    """

    def __init__(self, names: list[str], output_losses: list[Any], loss_weights: list[float],
                 order: list[str] | None = None):
        self.names = list(names)
        self.losses = list(output_losses)
        self.loss_weights = [float(w) for w in loss_weights]
        # Keras tracks the outputs' losses in the order of a `loss` dict's keys.
        # (Outputs of one layer share a name: without a dict, every position counts.)
        order = ([self.names.index(name) for name in order] if order
                 else list(range(len(self.names))))
        self.tracked = [index for index in order if self.losses[index] is not None]
        self.with_loss = [loss is not None for loss in self.losses]
        reductions = {getattr(self.losses[i], "reduction", None) for i in self.tracked}
        # The trainer pads the last batch only when every loss averages over the batch.
        self.reduction = reductions.pop() if len(reductions) == 1 else "mixed"

    @property
    def log_names(self) -> list[str]:
        if len(self.tracked) == 1:  # the one output's loss is the model's loss
            return []
        return [f"{self.names[index]}_loss" for index in self.tracked]

    def output_losses(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> list:
        targets = output_targets(y_true, self.names, self.with_loss)
        predictions = flat_outputs(y_pred, self.names, "y_pred")
        return [self.losses[index](targets[index], predictions[index],
                                   sample_weight=_weight_for(sample_weight, index, self.names))
                for index in self.tracked]

    def total(self, output_losses: list) -> jax.Array:
        total = jnp.zeros((), jnp.float32)
        for index, value in zip(self.tracked, output_losses):
            total = total + self.loss_weights[index] * value
        return total

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> jax.Array:
        return self.total(self.output_losses(y_true, y_pred, sample_weight))

    def get_config(self) -> dict:
        return {"names": self.names, "loss_weights": self.loss_weights, "tracked": self.tracked,
                "losses": [None if loss is None else [type(loss).__qualname__, loss.get_config()]
                           for loss in self.losses]}


class OutputMetric(Metric):
    """A metric of one output of a multi-output model, logged as `log_name`."""

    def __init__(self, metric: Metric, index: int, names: list[str], log_name: str,
                 weighted: bool, with_loss: list[bool] | None = None):
        super().__init__(name=log_name, dtype=metric.dtype)
        self.metric = metric
        self.index = index
        self.names = list(names)
        self.with_loss = list(with_loss) if with_loss else [False] * len(names)
        self.weighted = weighted
        self._direction = getattr(metric, "_direction", None)

    @property
    def keras_order_name(self) -> str:
        """The name `evaluate` looks the logs up by (the inner metric's, as in Keras)."""
        return self.metric.name

    def initial_state(self):
        return self.metric.initial_state()

    def update(self, state, y_true, y_pred, sample_weight=None):
        weight = _weight_for(sample_weight, self.index, self.names) if self.weighted else (
            None if isinstance(sample_weight, (dict, list, tuple)) else sample_weight)
        target = output_targets(y_true, self.names, self.with_loss)[self.index]
        return self.metric.update(state, target,
                                  flat_outputs(y_pred, self.names, "y_pred")[self.index],
                                  sample_weight=weight)

    def compute(self, state):
        return self.metric.compute(state)

    def get_config(self) -> dict:
        return {"index": self.index, "names": self.names, "weighted": self.weighted,
                "metric": [type(self.metric).__qualname__, self.metric.get_config()]}


class CompiledOutputs(NamedTuple):
    """What `compile`'s arguments become for a model with several outputs."""

    loss: MultiOutputLoss | None
    loss_trackers: list  # one Mean per output with a loss, named "<output>_loss"
    metrics: list
    weighted_metrics: list


def compile_outputs(names: list[str], y_true: Any, y_pred_spec: Any, loss: Any,
                    loss_weights: Any, metrics: Any, weighted_metrics: Any) -> CompiledOutputs:
    """Resolve compile's arguments against the outputs `names`, given sample targets and
    the model's output shapes (for "accuracy"-style names that depend on them)."""
    loss_identifiers = [None] * len(names) if loss is None else _per_output(loss, names, "loss")
    with_loss = [identifier is not None for identifier in loss_identifiers]
    true_shapes = [None if a is None else tuple(a.shape)
                   for a in output_targets(y_true, names, with_loss)]
    pred_shapes = [tuple(a.shape) for a in flat_outputs(y_pred_spec, names, "y_pred")]
    compiled_loss, trackers = None, []
    if loss is not None:
        output_losses = [
            None if identifier is None else resolve_compile_loss(
                identifier, true_shapes[i], pred_shapes[i])
            for i, identifier in enumerate(loss_identifiers)]
        weights = [1.0 if w is None else w for w in _per_output(
            1.0 if loss_weights is None else loss_weights, names, "loss_weights")]
        compiled_loss = MultiOutputLoss(names, output_losses, weights,
                                        list(loss) if isinstance(loss, dict) else None)
        trackers = [metrics_module.Mean(name=name) for name in compiled_loss.log_names]
    taken = {"loss", *(tracker.name for tracker in trackers)}
    resolved = []
    for identifiers, weighted in ((metrics, False), (weighted_metrics, True)):
        resolved.append(_output_metrics(identifiers, names, true_shapes, pred_shapes, taken,
                                        weighted, with_loss))
    return CompiledOutputs(compiled_loss, trackers, *resolved)


def _output_metrics(identifiers: Any, names: list[str], true_shapes: list, pred_shapes: list,
                    taken: set, weighted: bool, with_loss: list[bool]) -> list[OutputMetric]:
    if identifiers is None:
        return []
    argument = "weighted_metrics" if weighted else "metrics"
    if not isinstance(identifiers, dict) and len(identifiers) != len(names):
        raise ValueError(
            f"Invalid `{argument}`. `{argument}` should either be a dict or a list matching "
            f"the output names of the functional model {names}. Received: "
            f"{argument}={identifiers!r}")
    found = []
    for index, entry in enumerate(flat_outputs(identifiers, names, argument)):
        if entry is None:
            continue
        for identifier in entry if isinstance(entry, (list, tuple)) else [entry]:
            metric = metrics_module.resolve_compile_metric(identifier, true_shapes[index],
                                                           pred_shapes[index])
            log_name = _unique_name(f"{names[index]}_{metric.name}", taken, names[index],
                                    metric.name, weighted)
            found.append(OutputMetric(metric, index, names, log_name, weighted, with_loss))
    return found


def _unique_name(name: str, taken: set, output: str, metric_name: str, weighted: bool) -> str:
    if name in taken and weighted:
        name = f"{output}_weighted_{metric_name}"
    base, count = name, 0
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    taken.add(name)
    return name
