"""Rearranging arrays: reshape, transpose, join, split, pad, repeat, flip, index, select."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.ops import dtypes
from layerwise.ops.numpy._convert import as_operand, canonical_axis, promote, to_tensor
from layerwise.ops.operation import symbolic_op


def _promote_all(xs: Any) -> list[jax.Array]:
    return promote(*xs) if len(xs) else []


# --- shape ------------------------------------------------------------------------------
@symbolic_op
def reshape(x: Any, newshape: Any) -> jax.Array:
    """`x` with shape `newshape` (one entry may be -1)."""
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    return jnp.reshape(to_tensor(x), newshape)


@symbolic_op
def ravel(x: Any) -> jax.Array:
    """`x` flattened to one dimension."""
    return jnp.ravel(to_tensor(x))


@symbolic_op
def expand_dims(x: Any, axis: Any) -> jax.Array:
    """`x` with new size-1 axes at `axis` (an int or a tuple of ints)."""
    return jnp.expand_dims(to_tensor(x), canonical_axis(axis))


@symbolic_op
def squeeze(x: Any, axis: Any = None) -> jax.Array:
    """`x` without its size-1 axes (only those in `axis` when given)."""
    x = to_tensor(x)
    axis = canonical_axis(axis)
    if axis is not None:
        for a in (axis if isinstance(axis, tuple) else (axis,)):
            if x.shape[a] != 1:
                raise ValueError(f"Cannot squeeze axis {a}: it has size {x.shape[a]}, not 1. "
                                 f"Received: x.shape={x.shape}, axis={axis}")
    return jnp.squeeze(x, axis)


@symbolic_op
def transpose(x: Any, axes: Any = None) -> jax.Array:
    """`x` with its axes permuted (reversed when `axes` is None)."""
    return jnp.transpose(to_tensor(x), canonical_axis(axes))


@symbolic_op
def swapaxes(x: Any, axis1: int, axis2: int) -> jax.Array:
    """`x` with `axis1` and `axis2` interchanged."""
    return jnp.swapaxes(to_tensor(x), axis1, axis2)


@symbolic_op
def moveaxis(x: Any, source: Any, destination: Any) -> jax.Array:
    """`x` with the axes `source` moved to positions `destination`."""
    return jnp.moveaxis(to_tensor(x), canonical_axis(source), canonical_axis(destination))


@symbolic_op
def broadcast_to(x: Any, shape: Any) -> jax.Array:
    """`x` broadcast to `shape`."""
    return jnp.broadcast_to(to_tensor(x), tuple(shape))


@symbolic_op
def view(x: Any, dtype: Any = None) -> jax.Array:
    """The bytes of `x` reinterpreted as `dtype`."""
    x = to_tensor(x)
    return x if dtype is None else x.view(dtypes.standardize_dtype(dtype))


@symbolic_op
def ndim(x: Any) -> int:
    """Number of dimensions of `x` (a python int)."""
    return jnp.ndim(to_tensor(x))


@symbolic_op
def size(x: Any) -> int:
    """Number of elements of `x` (a python int)."""
    return jnp.size(to_tensor(x))


# --- joining ----------------------------------------------------------------------------
@symbolic_op
def concatenate(xs: Any, axis: int = 0) -> jax.Array:
    """The arrays `xs` joined along an existing `axis` (None: flattened first)."""
    return jnp.concatenate(_promote_all(xs), axis=axis)


@symbolic_op
def stack(x: Any, axis: int = 0) -> jax.Array:
    """The arrays `x` stacked along a new `axis`."""
    return jnp.stack(_promote_all(x), axis=axis)


@symbolic_op
def hstack(xs: Any) -> jax.Array:
    """The arrays `xs` joined column-wise."""
    return jnp.hstack(_promote_all(xs))


@symbolic_op
def vstack(xs: Any) -> jax.Array:
    """The arrays `xs` joined row-wise."""
    return jnp.vstack(_promote_all(xs))


@symbolic_op
def dstack(xs: Any) -> jax.Array:
    """The arrays `xs` joined along the third axis."""
    return jnp.dstack(_promote_all(xs))


@symbolic_op
def append(x1: Any, x2: Any, axis: int | None = None) -> jax.Array:
    """`x2` appended to `x1` along `axis` (both flattened when None)."""
    return jnp.append(*promote(x1, x2), axis=axis)


# --- splitting --------------------------------------------------------------------------
def _sections(indices_or_sections: Any) -> Any:
    if isinstance(indices_or_sections, (list, tuple)):
        return [int(i) for i in indices_or_sections]
    return indices_or_sections


@symbolic_op
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[jax.Array]:
    """`x` split into equal sections, or at the given indices, along `axis`."""
    return jnp.split(to_tensor(x), _sections(indices_or_sections), axis=axis)


@symbolic_op
def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[jax.Array]:
    """`x` split into `indices_or_sections` sections that may differ in size by one."""
    if not isinstance(indices_or_sections, int):
        raise TypeError("Argument `indices_or_sections` must be of type `int`. Received: "
                        f"indices_or_sections={indices_or_sections}")
    return jnp.array_split(to_tensor(x), _sections(indices_or_sections), axis=axis)


@symbolic_op
def hsplit(x: Any, indices_or_sections: Any) -> list[jax.Array]:
    """`x` split column-wise."""
    return jnp.hsplit(to_tensor(x), _sections(indices_or_sections))


@symbolic_op
def vsplit(x: Any, indices_or_sections: Any) -> list[jax.Array]:
    """`x` split row-wise."""
    return jnp.vsplit(to_tensor(x), _sections(indices_or_sections))


@symbolic_op
def dsplit(x: Any, indices_or_sections: Any) -> list[jax.Array]:
    """`x` split along the third axis."""
    return jnp.dsplit(to_tensor(x), _sections(indices_or_sections))


# --- repeating, padding, flipping -------------------------------------------------------
@symbolic_op
def tile(x: Any, repeats: Any) -> jax.Array:
    """`x` repeated `repeats` times along each axis."""
    return jnp.tile(to_tensor(x), repeats)


@symbolic_op
def repeat(x: Any, repeats: Any, axis: int | None = None) -> jax.Array:
    """Each element of `x` repeated `repeats` times along `axis` (flattened when None)."""
    return jnp.repeat(to_tensor(x), repeats, axis=axis)


_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
              "reflect", "symmetric", "wrap", "empty")


@symbolic_op
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> jax.Array:
    """`x` padded by `pad_width` (per axis `(before, after)` or one value for all)."""
    if mode not in _PAD_MODES:
        raise ValueError(f"Invalid value for argument `mode`. Expected one of {_PAD_MODES}. "
                         f"Received: mode={mode!r}")
    x = to_tensor(x)
    if constant_values is not None:
        if mode != "constant":
            raise ValueError("Argument `constant_values` can only be provided when "
                             f"`mode == 'constant'`. Received: mode={mode!r}")
        return jnp.pad(x, pad_width, mode=mode, constant_values=constant_values)
    return jnp.pad(x, pad_width, mode=mode)


@symbolic_op
def flip(x: Any, axis: Any = None) -> jax.Array:
    """`x` reversed along `axis` (all axes when None)."""
    return jnp.flip(to_tensor(x), canonical_axis(axis))


@symbolic_op
def fliplr(x: Any) -> jax.Array:
    """`x` reversed along axis 1."""
    return jnp.fliplr(to_tensor(x))


@symbolic_op
def flipud(x: Any) -> jax.Array:
    """`x` reversed along axis 0."""
    return jnp.flipud(to_tensor(x))


@symbolic_op
def roll(x: Any, shift: Any, axis: Any = None) -> jax.Array:
    """`x` shifted cyclically by `shift` along `axis` (flattened when None)."""
    return jnp.roll(to_tensor(x), shift, canonical_axis(axis))


@symbolic_op
def rot90(array: Any, k: int = 1, axes: Any = (0, 1)) -> jax.Array:
    """`array` rotated by 90 degrees `k` times in the plane of `axes`."""
    return jnp.rot90(to_tensor(array), k=k, axes=tuple(axes))


# --- diagonals and triangles ------------------------------------------------------------
@symbolic_op
def diag(x: Any, k: int = 0) -> jax.Array:
    """The `k`-th diagonal of a matrix, or a matrix with vector `x` on it."""
    x = to_tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"`diag` needs a 1-D or 2-D input. Received: x.shape={x.shape}")
    return jnp.diag(x, k=k)


@symbolic_op
def diagflat(x: Any, k: int = 0) -> jax.Array:
    """A matrix with the flattened `x` on its `k`-th diagonal."""
    return jnp.diagflat(to_tensor(x), k=k)


@symbolic_op
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> jax.Array:
    """The `offset` diagonal of the sub-arrays in `axis1` and `axis2`."""
    return jnp.diagonal(to_tensor(x), offset=offset, axis1=axis1, axis2=axis2)


@symbolic_op
def tril(x: Any, k: int = 0) -> jax.Array:
    """`x` with the elements above the `k`-th diagonal zeroed."""
    return jnp.tril(to_tensor(x), k=k)


@symbolic_op
def triu(x: Any, k: int = 0) -> jax.Array:
    """`x` with the elements below the `k`-th diagonal zeroed."""
    return jnp.triu(to_tensor(x), k=k)


@symbolic_op
def diff(a: Any, n: int = 1, axis: int = -1) -> jax.Array:
    """The `n`-th discrete difference along `axis`."""
    return jnp.diff(to_tensor(a), n=n, axis=axis)


# --- indexing and selection -------------------------------------------------------------
@symbolic_op
def take(x: Any, indices: Any, axis: int | None = None) -> jax.Array:
    """Elements of `x` at `indices` along `axis` (of the flattened array when None)."""
    x, indices = to_tensor(x), to_tensor(indices)
    if not (dtypes.is_int_dtype(indices.dtype)):
        raise ValueError("`take`: indices must have an integer type. Received: "
                         f"indices.dtype={dtypes.standardize_dtype(indices.dtype)}")
    return jnp.take(x, indices, axis=axis)


@symbolic_op
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> jax.Array:
    """Elements of `x` at `indices`, matched along `axis`."""
    x, indices = to_tensor(x), to_tensor(indices)
    if axis is None:
        x, axis = jnp.ravel(x), 0
    indices = jnp.where(indices < 0, indices + x.shape[axis], indices)
    return jnp.take_along_axis(x, indices, axis=axis, mode="clip")


@symbolic_op
def get_item(x: Any, key: Any) -> jax.Array:
    """`x[key]`."""
    return to_tensor(x)[key]


def _broadcast_shapes(*shapes: tuple) -> tuple:
    """numpy broadcasting of shapes that may hold None (unknown) dims."""
    rank = max((len(shape) for shape in shapes), default=0)
    result = []
    for position in range(rank):
        dims = [shape[len(shape) - rank + position] for shape in shapes
                if len(shape) - rank + position >= 0]
        known = [d for d in dims if d is not None and d != 1]
        if known:
            result.append(known[0])
        elif None in dims:
            result.append(None)
        else:
            result.append(1)
    return tuple(result)


def _where_spec(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    # With only `condition` the output length depends on its values.
    if x1 is None:
        return tuple(((None,), "int32") for _ in condition.shape)
    shapes = [tuple(getattr(v, "shape", ())) for v in (condition, x1, x2)]
    dtype = dtypes.result_type(dtypes.dtype_of(x1), dtypes.dtype_of(x2))
    return (_broadcast_shapes(*shapes), dtype)


@symbolic_op(output_spec=_where_spec)
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """`x1` where `condition` holds, else `x2`; with only `condition`, its non-zero indices."""
    if (x1 is None) != (x2 is None):
        raise ValueError("`where`: `x1` and `x2` must both be given or both be None. "
                         f"Received: x1={x1!r}, x2={x2!r}")
    condition = to_tensor(condition)
    if x1 is None:
        return tuple(i.astype("int32") for i in jnp.nonzero(condition))
    x1, x2 = as_operand(x1), as_operand(x2)
    dtype = dtypes.result_type(dtypes.dtype_of(x1), dtypes.dtype_of(x2))
    # jax.numpy promotes as Keras does (see elementwise._as); cast only where it differs.
    result = jnp.where(condition, x1, x2)
    return result if result.dtype == dtype else result.astype(dtype)


@symbolic_op
def select(condlist: Any, choicelist: Any, default: Any = 0) -> jax.Array:
    """For each element, the choice of the first condition that holds, else `default`."""
    choices = promote(*choicelist, default)
    conditions = [to_tensor(c).astype("bool") for c in condlist]
    return jnp.select(conditions, choices[:-1], choices[-1])


@symbolic_op
def clip(x: Any, x_min: Any, x_max: Any) -> jax.Array:
    """`x` limited to [x_min, x_max]; bool inputs give int32."""
    x = to_tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    x_min, x_max = as_operand(x_min), as_operand(x_max)
    dtype = dtypes.result_type(*(dtypes.dtype_of(v) for v in (x, x_min, x_max)))
    result = jnp.clip(x, x_min, x_max)  # jax.numpy promotes as Keras does; cast if not
    return result if result.dtype == dtype else result.astype(dtype)


@symbolic_op
def unravel_index(indices: Any, shape: Any) -> tuple:
    """The coordinates in an array of `shape` of the flat `indices`."""
    indices = to_tensor(indices)
    return tuple(i.astype(indices.dtype) for i in jnp.unravel_index(indices, tuple(shape)))
