"""Symbolic tensors and the layer graph: `Input`, calling layers on it, `Model(inputs, outputs)`.

Calling a layer on a `KerasTensor` does no arithmetic: it works out the output shape and
records a `Node` (layer, inputs, outputs). A `Functional` model replays its nodes in
order on real arrays.
"""
from __future__ import annotations

from typing import Any

import jax

from layerwise.engine.layer import Layer, _is_shape


class KerasTensor:
    """A placeholder for an array of known shape (batch axis `None`) and dtype."""

    def __init__(self, shape: tuple, dtype: str = "float32", history: tuple | None = None,
                 name: str | None = None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        # (layer, node index, output index): where this tensor comes from.
        self._keras_history = history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


class Node:
    """One call of a layer on symbolic inputs."""

    def __init__(self, layer: Layer, call_args: Any, call_kwargs: dict, outputs: Any):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs

    @property
    def input_tensors(self) -> list[KerasTensor]:
        leaves = jax.tree_util.tree_leaves((self.call_args, self.call_kwargs),
                                           is_leaf=lambda v: isinstance(v, KerasTensor))
        return [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]


def _is_keras_tensor(value: Any) -> bool:
    return isinstance(value, KerasTensor)


def call_symbolically(layer: Layer, inputs: Any, args: tuple, kwargs: dict) -> Any:
    """Record `layer(inputs, *args, **kwargs)` in the graph and return symbolic outputs."""
    input_shapes = jax.tree_util.tree_map(lambda t: t.shape, inputs, is_leaf=_is_keras_tensor)
    if not layer.built:
        layer.build_for_shape(input_shapes)
    layer.check_input_shape(input_shapes)
    kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    if args or kwargs:
        # Further arguments (a second tensor, a mask, a flag such as
        # return_attention_scores) may shape the output: trace the whole call.
        output_shapes = _traced_output_shapes(layer, inputs, args, kwargs)
    else:
        output_shapes = layer.compute_output_shape(input_shapes)
    node_index = len(getattr(layer, "_inbound_nodes", []))
    output_leaves, treedef = jax.tree_util.tree_flatten(output_shapes, is_leaf=_is_shape)
    output_tensors = [
        KerasTensor(shape, "float32", history=(layer, node_index, i),
                    name=layer.name if len(output_leaves) == 1 else f"{layer.name}_{i}")
        for i, shape in enumerate(output_leaves)
    ]
    outputs = jax.tree_util.tree_unflatten(treedef, output_tensors)
    node = Node(layer, (inputs,) + tuple(args), kwargs, outputs)
    if not hasattr(layer, "_inbound_nodes"):
        layer._inbound_nodes = []
    layer._inbound_nodes.append(node)
    return outputs


def _traced_output_shapes(layer: Layer, inputs: Any, args: tuple, kwargs: dict) -> Any:
    """Output shapes of `layer(inputs, *args, **kwargs)`, found by abstract evaluation."""
    from layerwise.engine.layer import _ABSTRACT_BATCH

    def spec(tensor: KerasTensor) -> jax.ShapeDtypeStruct:
        shape = tuple(_ABSTRACT_BATCH if d is None else d for d in tensor.shape)
        return jax.ShapeDtypeStruct(shape, tensor.dtype)

    leaves, treedef = jax.tree_util.tree_flatten((inputs, args, kwargs),
                                                 is_leaf=_is_keras_tensor)
    tensor_positions = [i for i, leaf in enumerate(leaves) if _is_keras_tensor(leaf)]
    first = leaves[tensor_positions[0]]
    batch_unknown = len(first.shape) > 0 and first.shape[0] is None

    def call(tensor_values: list) -> Any:
        # Only the tensors are traced; flags such as return_attention_scores stay Python.
        values = list(leaves)
        for position, value in zip(tensor_positions, tensor_values):
            values[position] = value
        call_inputs, call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, values)
        return layer(call_inputs, *call_args, training=False, **call_kwargs)

    # Assignments made while tracing (a stateful layer's update) go to a scope that is
    # then dropped, so no abstract value is left in a variable.
    from layerwise.engine.variables import StatelessScope

    with StatelessScope():
        output = jax.eval_shape(call, [spec(leaves[i]) for i in tensor_positions])

    def restore(array):
        shape = tuple(array.shape)
        if batch_unknown and shape and shape[0] == _ABSTRACT_BATCH:
            shape = (None,) + shape[1:]
        return shape

    return jax.tree_util.tree_map(restore, output)


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,
          sparse: bool | None = None, batch_shape: Any = None, name: str | None = None,
          tensor: Any = None, optional: bool = False) -> KerasTensor:
    """A symbolic input of the given shape (without the batch axis)."""
    from layerwise.layers.core import InputLayer

    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output


def topological_nodes(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """The nodes between `inputs` and `outputs`, each after the nodes it depends on."""
    ordered: list[Node] = []
    visited: set[int] = set()
    input_ids = {id(t) for t in inputs}

    def visit(tensor: KerasTensor) -> None:
        if id(tensor) in input_ids:
            return
        history = tensor._keras_history
        if history is None:
            raise ValueError(f"{tensor} does not come from an `Input`; cannot build the graph.")
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if id(node) in visited:
            return
        for parent in node.input_tensors:
            visit(parent)
        visited.add(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)
    return ordered


def run_graph(nodes: list[Node], inputs: list[KerasTensor], input_values: list[Any],
              outputs: Any, training: Any) -> Any:
    """Evaluate the graph on real arrays."""
    values = {id(t): v for t, v in zip(inputs, input_values)}

    def substitute(structure):
        return jax.tree_util.tree_map(
            lambda leaf: values[id(leaf)] if isinstance(leaf, KerasTensor) else leaf,
            structure, is_leaf=_is_keras_tensor)

    for node in nodes:
        if type(node.layer).__name__ == "InputLayer":
            continue
        call_args = substitute(node.call_args)
        call_kwargs = substitute(node.call_kwargs)
        result = node.layer(*call_args, training=training, **call_kwargs)
        for tensor, value in zip(
            jax.tree_util.tree_leaves(node.outputs, is_leaf=_is_keras_tensor),
            jax.tree_util.tree_leaves(result),
        ):
            values[id(tensor)] = value
    return substitute(outputs)
