"""Functional: a model defined by a graph of layers from `Input`s to outputs."""
from __future__ import annotations

from typing import Any

import jax

from layerwise.engine.functional import (KerasTensor, is_keras_tensor, run_graph,
                                         topological_nodes)
from layerwise.engine.layer import Layer
from layerwise.models import host_prefix
from layerwise.models.intermediate_inputs import comes_from_input, rebase_on_inputs
from layerwise.models.functional_config import functional_config, functional_from_config
from layerwise.models.model import Model


def _tensor_list(structure: Any, argument: str) -> list[KerasTensor]:
    tensors = jax.tree_util.tree_leaves(structure, is_leaf=is_keras_tensor)
    for tensor in tensors:
        if not isinstance(tensor, KerasTensor):
            raise TypeError(
                f"Model: all `{argument}` must be symbolic tensors from `keras.Input` or from "
                f"calling layers on them. Received: {tensor!r}")
    return tensors


def _layers_in_keras_order(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Layer]:
    """The model's layers in Keras's order: deepest first (depth counted from the outputs),
    ties broken by the order a depth-first walk from the outputs first meets them.

    Saved files name same-class layers "dense", "dense_1", ... in this order, so it must be
    Keras's exactly for weight files to move between the two libraries.
    """
    first_seen: dict[int, int] = {}
    postorder: list = []
    finished: set[int] = set()

    def visit(tensor: KerasTensor) -> None:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        first_seen.setdefault(id(layer), len(first_seen))
        for parent in node.input_tensors:
            visit(parent)
        finished.add(id(node))
        postorder.append(node)

    for output in outputs:
        visit(output)
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers_by_id: dict[int, Layer] = {}
    for node in reversed(postorder):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers_by_id[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in node.input_tensors:
            parent_layer, parent_index, _ = parent._keras_history
            parent_node = parent_layer._inbound_nodes[parent_index]
            node_depth[id(parent_node)] = max(depth + 1, node_depth.get(id(parent_node), 0))
    for tensor in inputs:  # inputs that no output depends on
        layer = tensor._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], first_seen[id(layer)] = 0, -1
            layers_by_id[id(layer)] = layer
    ordered = sorted(layer_depth, key=lambda key: (-layer_depth[key], first_seen[key]))
    return [layers_by_id[key] for key in ordered]


def _is_operation(layer: Any) -> bool:
    # Op calls are graph nodes like layer calls, but Keras lists them only in `operations`.
    return hasattr(layer, "keras_class_identity") or any(
        cls.__name__ == "Operation" and cls.__module__ == "layerwise.ops.operation"
        for cls in type(layer).__mro__)


class Functional(Model):
    """`Model(inputs, outputs)`: runs the recorded layer graph on real arrays."""

    # The graph takes its inputs as given (in its Inputs' dtype, as Keras's Functional
    # does); each layer casts them to its own compute dtype.
    input_dtype = "float32"

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any):
        super().__init__(name=name, trainable=trainable, **kwargs)
        input_list = _tensor_list(inputs, "inputs")
        output_list = _tensor_list(outputs, "outputs")
        for tensor in input_list:
            if tensor._keras_history is None:
                raise ValueError("Model: every input must come from `keras.Input` or from "
                                 f"calling layers on one. Received: {tensor!r}")
        if not all(comes_from_input(tensor) for tensor in input_list):
            inputs, outputs = rebase_on_inputs(inputs, outputs, input_list, output_list)
        self._inputs_structure = inputs
        self._outputs_structure = outputs
        self.inputs = _tensor_list(inputs, "inputs")
        self.outputs = _tensor_list(outputs, "outputs")
        self._nodes = topological_nodes(self.inputs, self.outputs)
        self._layers = _layers_in_keras_order(self.inputs, self.outputs)
        self.built = True
        self._build_input_shape = [t.shape for t in self.inputs] if len(self.inputs) > 1 \
            else self.inputs[0].shape

    def _structure_key(self) -> tuple:
        # The graph is fixed at construction and its layers are built.
        return (id(self),)

    @property
    def layers(self) -> list[Layer]:
        return [layer for layer in self._layers if not _is_operation(layer)]

    @property
    def operations(self) -> list[Layer]:
        """Layers and op calls (`keras.ops.relu(x)`) of the graph, in Keras's order."""
        return list(self._layers)

    def _sublayers(self) -> list[Layer]:
        return list(self._layers)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if isinstance(inputs, host_prefix.HostOutputs):
            return host_prefix.run_device_part(self, inputs, training)
        if isinstance(inputs, dict) and not isinstance(self._inputs_structure, dict):
            inputs = self._inputs_by_name(inputs)
        values = jax.tree_util.tree_leaves(inputs) if isinstance(
            self._inputs_structure, (list, tuple, dict)) else [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), but it "
                             f"received {len(values)}.")
        return run_graph(self._nodes, self.inputs, values, self._outputs_structure, training)

    def _inputs_by_name(self, inputs: dict) -> list:
        """A dict of arrays keyed by the names of the model's `Input`s, in input order."""
        names = [tensor._keras_history[0].name for tensor in self.inputs]
        missing = [name for name in names if name not in inputs]
        if missing:
            raise ValueError(f"Model '{self.name}': the input dict has no entry for the "
                             f"input(s) {missing}. Its keys: {sorted(inputs)}; the model's "
                             f"inputs are {names}.")
        return [inputs[name] for name in names]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return jax.tree_util.tree_map(lambda t: t.shape, self._outputs_structure,
                                      is_leaf=is_keras_tensor)

    def check_input_shape(self, input_shape: Any) -> None:
        if isinstance(input_shape, host_prefix.HostOutputs):
            return  # the host layers' outputs, not the model's inputs
        if isinstance(input_shape, dict) and not isinstance(self._inputs_structure, dict):
            input_shape = self._inputs_by_name(input_shape)  # matched by name, as in call
        shapes = [input_shape] if isinstance(input_shape, tuple) and all(
            d is None or isinstance(d, int) for d in input_shape) else list(
            jax.tree_util.tree_leaves(input_shape, is_leaf=lambda s: isinstance(s, tuple)))
        for index, (tensor, shape) in enumerate(zip(self.inputs, shapes)):
            expected = tensor.shape
            compatible = len(shape) == len(expected) and all(
                e is None or e == g for e, g in zip(expected[1:], shape[1:]))
            if not compatible:
                raise ValueError(
                    f"Input {index} of layer \"{self.name}\" is incompatible with the layer: "
                    f"expected shape={expected}, found shape={tuple(shape)}")

    @property
    def output_names(self) -> list[str]:
        """The names of the layers that make the outputs, in output order."""
        return [tensor._keras_history[0].name for tensor in self.outputs]

    @property
    def input(self) -> Any:
        """The model's inputs, in the structure the model was built with."""
        return self._inputs_structure

    @property
    def output(self) -> Any:
        """The model's outputs, in the structure the model was built with."""
        return self._outputs_structure

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def get_config(self) -> dict[str, Any]:
        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> "Functional":
        return functional_from_config(cls, config, custom_objects)
