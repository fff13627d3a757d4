"""Sorting, searching, counting and set membership."""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.ops import dtypes
from layerwise.ops.numpy._convert import promote, to_tensor
from layerwise.ops.operation import symbolic_op


@symbolic_op
def sort(x: Any, axis: int = -1) -> jax.Array:
    """`x` sorted along `axis`."""
    return jnp.sort(to_tensor(x), axis=axis)


@symbolic_op
def argsort(x: Any, axis: int = -1) -> jax.Array:
    """Indices that sort `x` along `axis` (int32; ties keep their order)."""
    return jnp.argsort(to_tensor(x), axis=axis, stable=True).astype("int32")


@symbolic_op
def argpartition(x: Any, kth: int, axis: int = -1) -> jax.Array:
    """Indices that put the `kth` element of `x` in its sorted place along `axis`."""
    return jnp.argpartition(to_tensor(x), kth, axis=axis).astype("int32")


@symbolic_op
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> jax.Array:
    """Indices where `values` would be inserted into the 1-D `sorted_sequence` (int32)."""
    if side not in ("left", "right"):
        raise ValueError("Invalid value for argument `side`. Expected 'left' or 'right'. "
                         f"Received: side={side!r}")
    sorted_sequence, values = to_tensor(sorted_sequence), to_tensor(values)
    if sorted_sequence.ndim != 1:
        raise ValueError("`searchsorted` needs a 1-D `sorted_sequence`. Received: "
                         f"sorted_sequence.shape={sorted_sequence.shape}")
    return jnp.searchsorted(sorted_sequence, values, side=side).astype("int32")


@symbolic_op
def digitize(x: Any, bins: Any) -> jax.Array:
    """Index of the bin each element of `x` falls in (int32)."""
    return jnp.digitize(to_tensor(x), to_tensor(bins)).astype("int32")


@symbolic_op
def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> jax.Array:
    """Whether each element of `x1` is in `x2`."""
    x1, x2 = promote(x1, x2)
    return jnp.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def _bincount_spec(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False):
    # The length depends on the largest value: unknown on a symbolic tensor.
    dtype = "int32" if weights is None else dtypes.standardize_dtype(weights.dtype)
    if dtype in ("bool", "int8", "int16", "uint8", "uint16") and weights is None:
        dtype = "int32"
    return (tuple(x.shape[:-1]) + (None,), dtype)


@symbolic_op(output_spec=_bincount_spec)
def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> jax.Array:
    """Number of occurrences (or summed weights) of each non-negative integer in `x`."""
    if sparse:
        raise ValueError("`bincount`: sparse=True is not supported on the JAX backend.")
    x = to_tensor(x)
    if not dtypes.is_int_dtype(x.dtype):
        raise ValueError("`bincount` needs integer inputs. Received: "
                         f"x.dtype={dtypes.standardize_dtype(x.dtype)}")
    if weights is None:
        dtype = "int32"
    else:
        weights = to_tensor(weights)
        dtype = dtypes.standardize_dtype(weights.dtype)
    length = max(int(jnp.max(x)) + 1 if x.size else 0, minlength)
    if x.ndim == 1:
        return jnp.bincount(x, weights, length=length).astype(dtype)
    rows = [jnp.bincount(x[i], None if weights is None else weights[i], length=length)
            for i in range(x.shape[0])]
    return jnp.stack(rows).astype(dtype)


def _histogram_spec(x: Any, bins: int = 10, range: Any = None):
    dtype = dtypes.result_type(x.dtype, float)
    return ((bins,), dtype), ((bins + 1,), dtype)


@symbolic_op(output_spec=_histogram_spec)
def histogram(x: Any, bins: int = 10, range: Any = None) -> tuple:
    """(counts, bin edges) of the 1-D `x` over `bins` equal bins (counts as floats)."""
    x = to_tensor(x)
    if x.ndim != 1:
        raise ValueError("`histogram`: input tensor must be 1-dimensional. Received: "
                         f"input.shape={x.shape}")
    counts, edges = jnp.histogram(x, bins=bins, range=range)
    return counts.astype(edges.dtype), edges


def _nonzero_spec(x: Any):
    return tuple(((None,), "int32") for _ in x.shape)


@symbolic_op(output_spec=_nonzero_spec)
def nonzero(x: Any) -> tuple:
    """Indices of the non-zero elements, one int32 array per axis."""
    return tuple(i.astype("int32") for i in jnp.nonzero(to_tensor(x)))


def _unique_spec(x: Any, sorted: bool = True, return_index: bool = False,
                 return_inverse: bool = False, return_counts: bool = False, axis: Any = None,
                 size: Any = None, fill_value: Any = None):
    length = size
    if axis is None:
        values = ((length,), dtypes.standardize_dtype(x.dtype))
    else:
        shape = list(x.shape)
        shape[axis] = length
        values = (tuple(shape), dtypes.standardize_dtype(x.dtype))
    extras = []
    if return_index:
        extras.append(((length,), "int32"))
    if return_inverse:
        extras.append((tuple(x.shape) if axis is None else (x.shape[axis],), "int32"))
    if return_counts:
        extras.append(((length,), "int32"))
    return (values, *extras) if extras else values


@symbolic_op(output_spec=_unique_spec)
def unique(x: Any, sorted: bool = True, return_index: bool = False,
           return_inverse: bool = False, return_counts: bool = False, axis: Any = None,
           size: Any = None, fill_value: Any = None) -> Any:
    """The distinct values of `x` (sorted), optionally with first indices, inverse, counts."""
    results = jnp.unique(to_tensor(x), return_index=return_index,
                         return_inverse=return_inverse, return_counts=return_counts,
                         axis=axis, size=size, fill_value=fill_value)
    if not isinstance(results, tuple):
        return results
    values, *extras = results
    if return_inverse and axis is None:
        # numpy >= 2 gives the inverse the shape of `x`.
        position = 1 if return_index else 0
        extras[position] = extras[position].reshape(jnp.shape(x))
    return (values, *(e.astype("int32") for e in extras))


def vectorize(pyfunc: Callable, *, excluded: Any = None, signature: str | None = None) -> Callable:
    """`pyfunc` made to map over array elements (or over core dims given by `signature`)."""
    return jnp.vectorize(pyfunc, excluded=excluded or set(), signature=signature)
