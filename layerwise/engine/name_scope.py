"""The layers whose build or call is running, outermost first: a weight's path names them.

Keras names a weight after every layer whose build or call created it
("transformer_block/multi_head_attention/query/kernel"), so a layer made inside another
layer carries the outer layer's name in its weights' paths.
"""
from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

# (id of the layer, its name) for each open scope, outermost first.
_open_scopes: contextvars.ContextVar[tuple] = contextvars.ContextVar("open_scopes", default=())


@contextlib.contextmanager
def layer_scope(layer: Any) -> Iterator[None]:
    """Open `layer`'s scope (once: a layer already innermost is not named twice)."""
    scopes = _open_scopes.get()
    if scopes and scopes[-1][0] == id(layer):
        yield
        return
    token = _open_scopes.set(scopes + ((id(layer), layer.name),))
    try:
        yield
    finally:
        _open_scopes.reset(token)


def path_of(layer: Any) -> str:
    """`layer`'s place among the open scopes: "outer/.../layer"."""
    scopes = _open_scopes.get()
    names = [name for _, name in scopes]
    if not scopes or scopes[-1][0] != id(layer):
        names.append(layer.name)
    return "/".join(names)
