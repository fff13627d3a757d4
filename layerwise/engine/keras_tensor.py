"""Symbolic tensors and the nodes that record which layer call made them.

This module is the bottom of the graph machinery: it imports nothing from layerwise, so
`Layer` can test for symbolic inputs and the graph code can replay nodes without either
importing the other.
"""
from __future__ import annotations

from typing import Any

import jax


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

    def __init__(self, layer: Any, call_args: Any, call_kwargs: dict, outputs: Any,
                 is_input: bool = False):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        # An input layer's node computes nothing: graph replays skip it.
        self.is_input = is_input

    @property
    def input_tensors(self) -> list[KerasTensor]:
        leaves = jax.tree_util.tree_leaves((self.call_args, self.call_kwargs),
                                           is_leaf=lambda v: isinstance(v, KerasTensor))
        return [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return jax.tree_util.tree_leaves(self.outputs, is_leaf=is_keras_tensor)


# A stand-in batch size for abstract tracing; its odd value makes accidental reliance on
# it visible in shapes.
ABSTRACT_BATCH = 7


def is_keras_tensor(value: Any) -> bool:
    return isinstance(value, KerasTensor)


def any_symbolic(value: Any) -> bool:
    """Whether `value` (or anything nested in it) is a symbolic tensor."""
    return any(isinstance(leaf, KerasTensor) for leaf in
               jax.tree_util.tree_leaves(value, is_leaf=is_keras_tensor))


def is_shape(value: Any) -> bool:
    """Whether `value` is one shape (a tuple of ints and Nones) rather than a structure."""
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)
