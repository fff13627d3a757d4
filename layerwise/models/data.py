"""Turning user data (numpy, lists, pandas, jax arrays) into validated arrays for the device."""
from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, (list, tuple, dict)) or _is_numeric_list(value)


def _is_numeric_list(value: Any) -> bool:
    """A (nested) list of numbers is one array, not a structure of inputs."""
    if not isinstance(value, (list, tuple)) or not value:
        return isinstance(value, (list, tuple))
    first = value[0]
    return isinstance(first, (int, float, bool, np.number)) or _is_numeric_list(first)


def to_array(value: Any, argument: str, method: str) -> np.ndarray | jax.Array:
    """One array argument as a numeric array; float64 and ints become float32 as in Keras.

    Raises:
        TypeError: the data is not numeric (strings, objects, mixed lists).
        ValueError: the data is empty or a scalar.
    """
    if type(value) is np.ndarray and value.dtype == np.float32 and value.ndim \
            and value.shape[0]:
        return value  # the common case, checked cheaply: predict is latency-bound
    if hasattr(value, "to_numpy") and callable(value.to_numpy):  # pandas
        value = value.to_numpy()
    if type(value).__module__.startswith("scipy.sparse"):  # scipy is not a dependency
        value = value.toarray()
    if isinstance(value, jax.Array):
        array = value
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise TypeError(
                f"{method}: `{argument}` must be a numeric array; could not convert the "
                f"{type(value).__name__} given ({error})"
            ) from None
        if array.dtype == object or not (
            np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
            or jax.dtypes.issubdtype(array.dtype, np.floating)  # bfloat16 and the like
        ):
            raise TypeError(
                f"{method}: `{argument}` must be numeric. Received an array of dtype "
                f"{array.dtype}"
            )
        if np.issubdtype(array.dtype, np.complexfloating):
            raise TypeError(f"{method}: `{argument}` must be real-valued. Received dtype "
                            f"{array.dtype}")
    if array.ndim == 0:
        raise ValueError(
            f"{method}: `{argument}` must have a batch axis. Received a scalar: {array!r}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{method}: `{argument}` is empty (shape {tuple(array.shape)}).")
    if array.dtype != np.float32:
        array = array.astype(np.float32)
    return array


def to_arrays(structure: Any, argument: str, method: str, optional: bool = False) -> Any:
    """Convert every array in a (possibly nested list/dict) structure."""
    if structure is None:
        if optional:
            return None
        raise ValueError(f"{method}: `{argument}` is required. Received: {argument}=None")
    if _is_leaf(structure):
        return to_array(structure, argument, method)
    return jax.tree_util.tree_map(
        lambda leaf: to_array(leaf, argument, method), structure, is_leaf=_is_leaf)


def num_samples(structure: Any) -> int:
    return int(jax.tree_util.tree_leaves(structure)[0].shape[0])


def check_same_length(method: str, **named: Any) -> int:
    """All arrays share the same first dimension; return it."""
    lengths = {}
    for name, structure in named.items():
        if structure is None:
            continue
        for leaf in jax.tree_util.tree_leaves(structure):
            lengths.setdefault(name, set()).add(int(leaf.shape[0]))
    sizes = {name: sorted(found) for name, found in lengths.items()}
    distinct = {size for found in sizes.values() for size in found}
    if len(distinct) > 1:
        described = ", ".join(f"{name}: {found if len(found) > 1 else found[0]}"
                              for name, found in sizes.items())
        raise ValueError(
            f"{method}: data cardinality is ambiguous. Make sure all arrays contain the same "
            f"number of samples. Received sizes {described}"
        )
    return distinct.pop()


def check_finite(method: str, **named: Any) -> None:
    """A ValueError naming the count and first position of NaN/inf values, if any."""
    for name, structure in named.items():
        if structure is None:
            continue
        for leaf in jax.tree_util.tree_leaves(structure):
            if isinstance(leaf, jax.Array):
                continue  # checking device arrays would cost a transfer; trust them
            bad = ~np.isfinite(leaf)
            count = int(bad.sum())
            if count:
                first = tuple(int(i) for i in np.argwhere(bad)[0])
                raise ValueError(
                    f"{method}: `{name}` contains {count} NaN or infinite value(s); the first "
                    f"is at index {first}. Clean the data, or pass `check_finite=False` to "
                    f"train on it anyway."
                )


def split_for_validation(structures: tuple, validation_split: float) -> tuple[tuple, tuple]:
    """The last `validation_split` fraction of the samples, taken before any shuffling."""
    n = num_samples(structures[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"fit: validation_split={validation_split} leaves "
            f"{'no training' if split_at == 0 else 'no validation'} samples out of {n}. "
            "Use a larger or smaller split, or more data."
        )
    train = tuple(None if s is None else jax.tree_util.tree_map(lambda a: a[:split_at], s)
                  for s in structures)
    validation = tuple(None if s is None else jax.tree_util.tree_map(lambda a: a[split_at:], s)
                       for s in structures)
    return train, validation


def labelled_arrays(method: str, x: Any, y: Any, sample_weight: Any) -> tuple[tuple, int]:
    """`(x, y, sample_weight)` as arrays of one length, and that length: every method's
    first step with labelled data."""
    x = to_arrays(x, "x", method)
    y = to_arrays(y, "y", method)
    sample_weight = to_arrays(sample_weight, "sample_weight", method, optional=True)
    n = check_same_length(method, x=x, y=y, sample_weight=sample_weight)
    return (x, y, sample_weight), n


def check_batch_size(method: str, batch_size: Any) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(
            f"{method}: invalid value for argument `batch_size`. Expected a positive integer. "
            f"Received: batch_size={batch_size!r}"
        )
    return int(batch_size)
