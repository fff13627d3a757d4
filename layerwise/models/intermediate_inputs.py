"""`Model(inputs, outputs)` whose inputs are intermediate tensors (say the encoded features
of a FeatureSpace) rather than `keras.Input`s: as Keras does, each such tensor is replaced
by a fresh `Input` of its shape, named `<tensor name>CLONE`, and the layers between it and
the outputs are called again on the replacements (new nodes on the same layers, so the
model shares their weights)."""
from __future__ import annotations

from typing import Any

import jax

from layerwise.engine.functional import topological_nodes
from layerwise.engine.input_layer import InputLayer
from layerwise.engine.keras_tensor import KerasTensor, is_keras_tensor


def comes_from_input(tensor: KerasTensor) -> bool:
    history = tensor._keras_history
    return history is not None and isinstance(history[0], InputLayer)


def rebase_on_inputs(inputs: Any, outputs: Any, input_list: list[KerasTensor],
                     output_list: list[KerasTensor]) -> tuple[Any, Any]:
    """(inputs, outputs) structures with every intermediate input replaced by an `Input`."""
    replacements: dict[int, KerasTensor] = {}
    for tensor in input_list:
        if not comes_from_input(tensor):
            name = f"{tensor.name or 'keras_tensor'}CLONE"
            layer = InputLayer(batch_shape=tensor.shape, dtype=tensor.dtype, name=name)
            replacements[id(tensor)] = layer.output

    def substitute(structure: Any) -> Any:
        return jax.tree_util.tree_map(
            lambda leaf: replacements.get(id(leaf), leaf) if isinstance(leaf, KerasTensor)
            else leaf, structure, is_leaf=is_keras_tensor)

    for node in topological_nodes(input_list, output_list):
        if not any(id(parent) in replacements for parent in node.input_tensors):
            continue
        args, kwargs = substitute(node.call_args), substitute(node.call_kwargs)
        new_outputs = node.layer(*args, **kwargs)
        for old, new in zip(jax.tree_util.tree_leaves(node.outputs, is_leaf=is_keras_tensor),
                            jax.tree_util.tree_leaves(new_outputs, is_leaf=is_keras_tensor)):
            replacements[id(old)] = new
    return substitute(inputs), substitute(outputs)
