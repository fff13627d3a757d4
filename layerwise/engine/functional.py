"""Symbolic tensors and the layer graph: `Input`, calling layers on it, `Model(inputs, outputs)`.

Calling a layer on a `KerasTensor` does no arithmetic: it works out the output shape and
records a `Node` (layer, inputs, outputs). A `Functional` model replays its nodes in
order on real arrays.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jax

from layerwise.engine.keras_tensor import (ABSTRACT_BATCH, KerasTensor, Node, is_keras_tensor,
                                           is_shape)
from layerwise.engine.name_scope import layer_scope
from layerwise.engine.variables import ShapeScope

if TYPE_CHECKING:
    from layerwise.engine.layer import Layer

__all__ = ["KerasTensor", "Node", "call_symbolically", "is_keras_tensor", "run_graph",
           "topological_nodes"]


def call_symbolically(layer: "Layer", inputs: Any, args: tuple, kwargs: dict) -> Any:
    """Record `layer(inputs, *args, **kwargs)` in the graph and return symbolic outputs."""
    with layer_scope(layer):  # layers its call makes name their weights after it
        return _recorded_call(layer, inputs, args, kwargs)


def _recorded_call(layer: "Layer", inputs: Any, args: tuple, kwargs: dict) -> Any:
    input_shapes = jax.tree_util.tree_map(lambda t: t.shape, inputs, is_leaf=is_keras_tensor)
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
    output_leaves, treedef = jax.tree_util.tree_flatten(output_shapes, is_leaf=is_shape)
    output_tensors = [
        KerasTensor(shape, layer.compute_dtype, history=(layer, node_index, i),
                    name=layer.name if len(output_leaves) == 1 else f"{layer.name}_{i}")
        for i, shape in enumerate(output_leaves)
    ]
    outputs = jax.tree_util.tree_unflatten(treedef, output_tensors)
    node = Node(layer, (inputs,) + tuple(args), kwargs, outputs)
    if not hasattr(layer, "_inbound_nodes"):
        layer._inbound_nodes = []
    layer._inbound_nodes.append(node)
    return outputs


def _traced_output_shapes(layer: "Layer", inputs: Any, args: tuple, kwargs: dict) -> Any:
    """Output shapes of `layer(inputs, *args, **kwargs)`, found by abstract evaluation.

    Unknown input dimensions are traced twice, with two stand-in sizes: an output
    dimension that differs between the traces depends on an unknown one and is unknown.
    """
    leaves, treedef = jax.tree_util.tree_flatten((inputs, args, kwargs),
                                                 is_leaf=is_keras_tensor)
    tensor_positions = [i for i, leaf in enumerate(leaves) if is_keras_tensor(leaf)]
    tensors = [leaves[i] for i in tensor_positions]

    def call(tensor_values: list) -> Any:
        # Only the tensors are traced; flags such as return_attention_scores stay Python.
        values = list(leaves)
        for position, value in zip(tensor_positions, tensor_values):
            values[position] = value
        call_inputs, call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, values)
        return layer(call_inputs, *call_args, training=False, **call_kwargs)

    def trace(stand_in: int) -> Any:
        specs = [jax.ShapeDtypeStruct(tuple(stand_in if d is None else d for d in t.shape),
                                      t.dtype) for t in tensors]
        # Assignments made while tracing (a stateful layer's update) go to a scope that
        # is then dropped, so no abstract value is left in a variable.
        with ShapeScope():
            return jax.eval_shape(call, specs)

    first = trace(ABSTRACT_BATCH)
    if not any(d is None for t in tensors for d in t.shape):
        return jax.tree_util.tree_map(lambda array: tuple(array.shape), first)
    try:
        second = trace(_SECOND_STAND_IN)
    except (ValueError, TypeError):
        # A layer that accepts only some sizes: keep the first trace, whose leading
        # dimension is the batch when it shows the stand-in.
        batch_unknown = bool(tensors[0].shape) and tensors[0].shape[0] is None
        return jax.tree_util.tree_map(
            lambda array: _batch_restored(tuple(array.shape), batch_unknown), first)
    return jax.tree_util.tree_map(
        lambda a, b: tuple(d if d == e else None for d, e in zip(a.shape, b.shape)),
        first, second)


# The second stand-in for unknown dimensions: odd, and different from ABSTRACT_BATCH.
_SECOND_STAND_IN = 11


def _batch_restored(shape: tuple, batch_unknown: bool) -> tuple:
    if batch_unknown and shape and shape[0] == ABSTRACT_BATCH:
        return (None,) + shape[1:]
    return shape


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
            structure, is_leaf=is_keras_tensor)

    for node in nodes:
        if node.is_input:
            continue
        call_args = substitute(node.call_args)
        call_kwargs = substitute(node.call_kwargs)
        result = node.layer(*call_args, training=training, **call_kwargs)
        for tensor, value in zip(
            jax.tree_util.tree_leaves(node.outputs, is_leaf=is_keras_tensor),
            jax.tree_util.tree_leaves(result),
        ):
            values[id(tensor)] = value
    return substitute(outputs)
