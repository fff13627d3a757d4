"""Raw strings into `fit`, `evaluate` and `predict`: a model whose front layers run on the
host (StringLookup, TextVectorization, Hashing, ...) gets them applied to the data first,
eagerly with numpy, and only the rest of the model runs in the compiled program.

The host layers' outputs travel as `HostOutputs`, a tuple the model's `call` recognizes:
it then starts its graph from those tensors instead of from its `Input`s. Keras 3 on JAX
cannot do this (its string layers need TensorFlow and its compiled steps take no strings).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

from layerwise.engine.functional import is_keras_tensor, run_graph
from layerwise.engine.keras_tensor import KerasTensor, Node, any_symbolic
from layerwise.models.data_adapters import is_stream
from layerwise.utils.py_dataset import PyDataset


@jax.tree_util.register_pytree_node_class
class HostOutputs(tuple):
    """The host layers' outputs for a batch: what the compiled part of the model takes."""

    def tree_flatten(self) -> tuple:
        return tuple(self), None

    @classmethod
    def tree_unflatten(cls, aux_data: Any, children: Any) -> "HostOutputs":
        return cls(children)


@dataclasses.dataclass(frozen=True)
class HostSplit:
    """A functional model cut in two: host nodes, then device nodes fed by `boundary`."""
    host_nodes: list[Node]
    boundary: list[KerasTensor]
    device_nodes: list[Node]


def runs_on_host(layer: Any) -> bool:
    return bool(getattr(layer, "runs_on_host", False))


def _outputs_of(node: Node) -> list[KerasTensor]:
    return jax.tree_util.tree_leaves(node.outputs, is_leaf=is_keras_tensor)


def _host_part(model: Any) -> set[int]:
    """The ids of the nodes to run on the host: the host layers' nodes and every node they
    depend on (a numeric layer such as Discretization feeding a HashedCrossing runs
    eagerly on the host too).

    Raises:
        ValueError: a host layer depends on a layer with trainable weights.
    """
    by_output = {id(tensor): node for node in model._nodes for tensor in _outputs_of(node)}
    part: set[int] = set()
    pending = [node for node in model._nodes if runs_on_host(node.layer)]
    while pending:
        node = pending.pop()
        if id(node) in part or node.is_input:
            continue
        if not runs_on_host(node.layer) and node.layer.trainable_weights:
            raise ValueError(
                f"Layer '{node.layer.name}' has trainable weights but feeds a layer that runs "
                "on the host (numpy); in layerwise the host layers (StringLookup, "
                "TextVectorization, Hashing, ...) must come first in a model, fed by its "
                f"inputs. Model '{model.name}' has them after a trained layer.")
        part.add(id(node))
        pending.extend(by_output[id(parent)] for parent in node.input_tensors
                       if id(parent) in by_output)
    return part


def split_graph(model: Any) -> HostSplit | None:
    """Where a functional model's host part ends; None if it has no host layers.

    Raises:
        ValueError: a host layer depends on a layer with trainable weights.
    """
    cached = model.__dict__.get("_host_split", False)
    if cached is not False:
        return cached
    part = _host_part(model)
    split = None
    if part:
        host_nodes = [node for node in model._nodes if id(node) in part]
        device_nodes = [node for node in model._nodes
                        if id(node) not in part and not node.is_input]
        host_made = {id(tensor) for tensor in model.inputs} | {
            id(tensor) for node in host_nodes for tensor in _outputs_of(node)}
        boundary: dict[int, KerasTensor] = {}
        consumers = [parent for node in device_nodes for parent in node.input_tensors]
        for tensor in consumers + list(model.outputs):
            if id(tensor) in host_made:
                boundary.setdefault(id(tensor), tensor)
        split = HostSplit(host_nodes, list(boundary.values()), device_nodes)
    model.__dict__["_host_split"] = split
    return split


def host_layer_count(model: Any) -> int:
    """How many of a Sequential model's first layers run on the host."""
    count = 0
    for layer in model.layers:
        if not runs_on_host(layer):
            break
        count += 1
    return count


def _host_array(value: Any) -> np.ndarray:
    if hasattr(value, "to_numpy") and callable(value.to_numpy):  # pandas
        value = value.to_numpy()
    return np.asarray(value)


def has_host_part(model: Any) -> bool:
    if not getattr(model, "built", False):
        return False
    if hasattr(model, "_nodes"):
        return split_graph(model) is not None
    # A subclassed model's `call` is its own: only a Sequential is cut at its front.
    return getattr(model, "runs_layers_in_order", False) and host_layer_count(model) > 0


class HostMappedDataset(PyDataset):
    """A PyDataset whose batches' `x` go through a model's host layers when indexed."""

    def __init__(self, model: Any, source: PyDataset):
        super().__init__(source.workers, source.use_multiprocessing, source.max_queue_size)
        self.model = model
        self.source = source

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> Any:
        return _mapped_batch(self.model, self.source[index])

    def on_epoch_end(self) -> None:
        self.source.on_epoch_end()


def _mapped_batch(model: Any, batch: Any) -> Any:
    if isinstance(batch, tuple):
        return (prepare(model, batch[0]),) + batch[1:]
    # A lone x goes in a 1-tuple: HostOutputs, a tuple itself, would read as (x, y, ...).
    return (prepare(model, batch),)


def prepare(model: Any, x: Any) -> Any:
    """`x` with the model's host layers applied (as `HostOutputs`; a dataset or generator
    of batches is mapped batch by batch), or `x` itself when the model has none."""
    if x is None or isinstance(x, HostOutputs) or not has_host_part(model):
        return x
    if isinstance(x, PyDataset):
        return HostMappedDataset(model, x)
    if is_stream(x):
        return (_mapped_batch(model, batch) for batch in x)
    if hasattr(model, "_nodes"):
        split = split_graph(model)
        if split is None:
            return x
        values = [_with_rank(value, tensor) for value, tensor in
                  zip(_input_values(model, x), model.inputs)]
        outputs = run_graph(split.host_nodes, model.inputs, values, split.boundary,
                            training=False)
        return HostOutputs(np.asarray(output) for output in outputs)
    count = host_layer_count(model)
    value = _host_array(x)
    for layer in model.layers[:count]:
        value = layer(value)
    return HostOutputs((np.asarray(value),))


def _with_rank(value: np.ndarray, tensor: KerasTensor) -> np.ndarray:
    # A column given flat, `(batch,)`, for an `Input(shape=(1,))`: Keras adds the axis.
    if value.ndim == len(tensor.shape) - 1 and tensor.shape[-1] == 1:
        return value[..., None]
    return value


def prepare_call(model: Any, inputs: Any) -> Any:
    """A model's eager call inputs with its host layers applied (symbolic inputs, and
    models without host layers, pass through)."""
    if any_symbolic(inputs) or is_stream(inputs):
        return inputs
    return prepare(model, inputs)


def prepare_validation(model: Any, validation_data: Any) -> Any:
    """`validation_data` (a tuple whose first item is x, or a dataset) with its x prepared."""
    if is_stream(validation_data):
        return prepare(model, validation_data)
    if isinstance(validation_data, (tuple, list)) and validation_data:
        return (prepare(model, validation_data[0]),) + tuple(validation_data[1:])
    return validation_data


def _input_values(model: Any, x: Any) -> list:
    """The model's input arrays, in the order of `model.inputs`."""
    if isinstance(x, dict):
        if isinstance(model._inputs_structure, dict):
            # model.inputs lists a dict's tensors by sorted key, as jax flattens dicts.
            return [_host_array(x[key]) for key in sorted(model._inputs_structure)]
        return [_host_array(value) for value in model._inputs_by_name(x)]
    if len(model.inputs) == 1:
        return [_host_array(x)]
    return [_host_array(value) for value in x]


def run_device_part(model: Any, inputs: HostOutputs, training: Any) -> Any:
    """The compiled part of a functional model, from the host layers' outputs."""
    split = split_graph(model)
    return run_graph(split.device_nodes, split.boundary, list(inputs),
                     model._outputs_structure, training)
