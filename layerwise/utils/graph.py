"""get_source_inputs: the `Input` tensors a symbolic tensor was computed from."""
from __future__ import annotations

from typing import Any

import jax

from layerwise.engine.keras_tensor import is_keras_tensor


def get_source_inputs(tensor: Any) -> list:
    """The model inputs (symbolic tensors from `keras.Input`) that `tensor` depends on, each
    once, in the order a walk up its history meets them; a tensor with no history is its
    own source."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    layer, node_index, _ = history
    nodes = getattr(layer, "_inbound_nodes", None)
    if not nodes:
        return [tensor]
    node = nodes[node_index]
    if node.is_input:
        return jax.tree_util.tree_leaves(node.outputs, is_leaf=is_keras_tensor)
    sources: list = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not known for known in sources):
                sources.append(source)
    return sources
