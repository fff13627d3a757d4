"""Layers that hold layers (an RNN's cell, a wrapper's layer): building the inner one."""
from __future__ import annotations

from typing import Any

from layerwise.engine.layer import Layer
from layerwise.engine.name_scope import layer_scope


def build_inside(parent: Layer, child: Any, input_shape: Any) -> None:
    """Build `child` for `input_shape` as part of `parent`, if it is an unbuilt layer.

    The weights it creates get paths under the parent's name ("lstm/lstm_cell/kernel"),
    as Keras names a weight after every layer whose build created it.
    """
    if not isinstance(child, Layer) or child.built:
        return
    with layer_scope(parent):
        child.build_for_shape(input_shape)
