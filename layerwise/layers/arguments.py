"""Checks of layer arguments shared by the layer families, with Keras's error wording.

Each returns the standardized value or raises a ValueError naming the layer, the argument,
what was expected and what was received.
"""
from __future__ import annotations

import difflib
from typing import Any, Sequence

import numpy as np

from layerwise.engine.layer import Layer


def standardize_tuple(value: Any, n: int, argument: str, owner: str,
                      allow_zero: bool = False) -> tuple[int, ...]:
    """An int or a sequence of `n` ints as a tuple of `n` ints, each positive (or >= 0)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = None
        if values is None or len(values) != n or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
            raise ValueError(
                f"Invalid value for argument `{argument}` of {owner}. Expected an int or a "
                f"tuple of {n} integers. Received: {argument}={value!r}")
        values = tuple(int(v) for v in values)
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in values):
        expected = "non-negative" if allow_zero else "positive"
        raise ValueError(
            f"Invalid value for argument `{argument}` of {owner}. Expected {expected} "
            f"integers. Received: {argument}={value!r}")
    return values


def choose(value: Any, allowed: Sequence[str], argument: str, owner: str) -> str:
    """`value` lower-cased if it is one of `allowed`; else a ValueError naming close ones."""
    if isinstance(value, str) and value.lower() in allowed:
        return value.lower()
    close = difflib.get_close_matches(str(value).lower(), allowed, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"Invalid value for argument `{argument}` of {owner}. Expected one of "
        f"{list(allowed)}. Received: {argument}={value!r}.{hint}")


def standardize_padding(value: Any, owner: str, allow_causal: bool = False) -> str:
    """'valid' or 'same' (or 'causal' where allowed), case-insensitive."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    return choose(value, allowed, "padding", owner)


def standardize_data_format(value: Any, owner: str) -> str:
    """'channels_last' (the default, for None) or 'channels_first'."""
    if value is None:
        return "channels_last"
    return choose(value, ("channels_last", "channels_first"), "data_format", owner)


def positive_int(value: Any, argument: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Invalid value for argument `{argument}` of {owner}. Expected a positive "
            f"integer. Received: {argument}={value!r}")
    return int(value)


def check_rank(layer: Layer, input_shape: Any, ndim: int) -> None:
    """Raise Keras's input-spec error if `input_shape` does not have `ndim` axes."""
    if isinstance(input_shape, tuple) and len(input_shape) != ndim:
        raise ValueError(
            f"Input 0 of layer \"{layer.name}\" is incompatible with the layer: expected "
            f"ndim={ndim}, found ndim={len(input_shape)}. Full shape received: "
            f"{input_shape}")
