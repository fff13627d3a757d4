"""`keras.ops.rearrange`: einops-style axis rearrangement ("b (h w) c -> b h w c")."""
from __future__ import annotations

import math
import re
from typing import Any

import jax
import jax.numpy as jnp

from layerwise.ops.core import convert_to_tensor
from layerwise.ops.operation import symbolic_op

__all__ = ["rearrange"]


def _parse_side(side: str) -> list[list[str]]:
    """Axes of one side of a pattern; each is a group of elementary axis names."""
    axes, group = [], None
    for token in re.findall(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+", side):
        if token == "(":
            if group is not None:
                raise ValueError(f"rearrange: nested parentheses in pattern side {side!r}")
            group = []
        elif token == ")":
            if group is None:
                raise ValueError(f"rearrange: unbalanced parentheses in {side!r}")
            axes.append(group)
            group = None
        elif group is not None:
            group.append(token)
        else:
            axes.append([token])
    if group is not None:
        raise ValueError(f"rearrange: unbalanced parentheses in {side!r}")
    return axes


@symbolic_op
def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> jax.Array:
    """Reshape and transpose `tensor` as the einops `pattern` says.

    Args:
        pattern: "input axes -> output axes"; parentheses group axes that share one
            dimension, e.g. "b (h w) -> b h w".
        axes_lengths: sizes of grouped axes that cannot be inferred, e.g. h=4.
    """
    if "->" not in pattern:
        raise ValueError(f"rearrange: the pattern must contain '->'. Received: {pattern!r}")
    tensor = convert_to_tensor(tensor)
    left, right = (_parse_side(side) for side in pattern.split("->"))
    if len(left) != tensor.ndim:
        raise ValueError(f"rearrange: the pattern {pattern!r} names {len(left)} axes, but the "
                         f"tensor has {tensor.ndim} (shape {tensor.shape}).")
    sizes = dict(axes_lengths)
    for group, dim in zip(left, tensor.shape):
        unknown = [name for name in group if name not in sizes]
        known = math.prod(sizes[name] for name in group if name in sizes)
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of {unknown}; pass them as "
                             "keyword arguments.")
        if unknown:
            sizes[unknown[0]] = dim // known
    elementary = [name for group in left for name in group]
    output_names = [name for group in right for name in group]
    if sorted(elementary) != sorted(output_names):
        raise ValueError(f"rearrange: both sides of {pattern!r} must name the same axes.")
    expanded = tensor.reshape([sizes[name] for name in elementary])
    moved = jnp.transpose(expanded, [elementary.index(name) for name in output_names])
    return moved.reshape([math.prod(sizes[name] for name in group) for group in right])
