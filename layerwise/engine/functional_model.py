"""Functional: a model defined by a graph of layers from `Input`s to outputs."""
from __future__ import annotations

from typing import Any

import jax

from layerwise.engine.functional import (KerasTensor, _is_keras_tensor, run_graph,
                                         topological_nodes)
from layerwise.engine.layer import Layer
from layerwise.engine.model import Model


def _tensor_list(structure: Any, argument: str) -> list[KerasTensor]:
    tensors = jax.tree_util.tree_leaves(structure, is_leaf=_is_keras_tensor)
    for tensor in tensors:
        if not isinstance(tensor, KerasTensor):
            raise TypeError(
                f"Model: all `{argument}` must be symbolic tensors from `keras.Input` or from "
                f"calling layers on them. Received: {tensor!r}")
    return tensors


class Functional(Model):
    """`Model(inputs, outputs)`: runs the recorded layer graph on real arrays."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._inputs_structure = inputs
        self._outputs_structure = outputs
        self.inputs = _tensor_list(inputs, "inputs")
        self.outputs = _tensor_list(outputs, "outputs")
        for tensor in self.inputs:
            if type(tensor._keras_history[0]).__name__ != "InputLayer":
                raise ValueError(f"Model: every input must come straight from `keras.Input`. "
                                 f"Received: {tensor!r}")
        self._nodes = topological_nodes(self.inputs, self.outputs)
        layers: list[Layer] = [t._keras_history[0] for t in self.inputs]
        for node in self._nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        self._layers = layers
        self.built = True
        self._build_input_shape = [t.shape for t in self.inputs] if len(self.inputs) > 1 \
            else self.inputs[0].shape

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def _sublayers(self) -> list[Layer]:
        return list(self._layers)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        values = jax.tree_util.tree_leaves(inputs) if isinstance(
            self._inputs_structure, (list, tuple, dict)) else [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), but it "
                             f"received {len(values)}.")
        return run_graph(self._nodes, self.inputs, values, self._outputs_structure, training)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return jax.tree_util.tree_map(lambda t: t.shape, self._outputs_structure,
                                      is_leaf=_is_keras_tensor)

    def check_input_shape(self, input_shape: Any) -> None:
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
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def get_config(self) -> dict[str, Any]:
        from layerwise.saving.serialization import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> "Functional":
        from layerwise.saving.serialization import functional_from_config

        return functional_from_config(cls, config, custom_objects)
