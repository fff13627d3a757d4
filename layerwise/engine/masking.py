"""Masks travelling with arrays through a model call, as Keras attaches `_keras_mask`.

JAX arrays (and tracers) cannot carry attributes, so during the outermost layer call a
table maps each array's id to the mask of the steps it holds; the arrays are kept
alive in the table, so an id cannot be reused while it stands. A layer whose `call`
takes `mask=` receives the mask of its first input; a layer that `supports_masking`
gives its outputs the mask `compute_mask` returns. The table is dropped when the
outermost call returns, so masks do not outlive one model (or layer) call.
"""
from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

import jax

_masks: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "layerwise_masks", default=None)


@contextlib.contextmanager
def mask_scope() -> Iterator[None]:
    """Open a table of masks unless one is open already (an outer call's)."""
    if _masks.get() is not None:
        yield
        return
    token = _masks.set({})
    try:
        yield
    finally:
        _masks.reset(token)


def mask_of(value: Any) -> Any:
    """The mask attached to `value` (or to each array in a list of them), or None."""
    table = _masks.get()
    if not table:
        return None
    if isinstance(value, (list, tuple)):
        masks = [_lookup(table, item) for item in value]
        return None if all(mask is None for mask in masks) else masks
    return _lookup(table, value)


def _lookup(table: dict, value: Any) -> Any:
    entry = table.get(id(value))
    return None if entry is None else entry[1]


def attach(outputs: Any, masks: Any) -> None:
    """Record `masks` (one per output array, or one for all) for `outputs`."""
    table = _masks.get()
    if table is None or masks is None:
        return
    leaves = jax.tree_util.tree_leaves(outputs)
    mask_leaves = masks if isinstance(masks, (list, tuple)) else [masks] * len(leaves)
    for output, mask in zip(leaves, mask_leaves):
        if mask is not None and id(output) not in table:
            table[id(output)] = (output, mask)
