"""Arrays made from a shape or a range: zeros, ones, full, arange, linspace, eye, windows."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.ops import dtypes
from layerwise.ops.numpy._convert import floatx, to_tensor
from layerwise.ops.operation import symbolic_op


def _dtype_or_floatx(dtype: Any) -> str:
    return floatx() if dtype is None else dtypes.standardize_dtype(dtype)


def _dtype_or_like(x: jax.Array, dtype: Any) -> Any:
    return x.dtype if dtype is None else dtypes.standardize_dtype(dtype)


def _shape(shape: Any) -> tuple:
    return (shape,) if isinstance(shape, int) else tuple(shape)


@symbolic_op
def zeros(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of zeros (floatx by default)."""
    return jnp.zeros(_shape(shape), dtype=_dtype_or_floatx(dtype))


@symbolic_op
def ones(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of ones (floatx by default)."""
    return jnp.ones(_shape(shape), dtype=_dtype_or_floatx(dtype))


@symbolic_op
def empty(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of the given shape (zeros: jax has no uninitialized memory)."""
    return jnp.zeros(_shape(shape), dtype=_dtype_or_floatx(dtype))


@symbolic_op
def full(shape: Any, fill_value: Any, dtype: Any = None) -> jax.Array:
    """An array filled with `fill_value` (floatx unless `dtype` is given)."""
    return jnp.full(_shape(shape), fill_value, dtype=_dtype_or_floatx(dtype))


@symbolic_op
def zeros_like(x: Any, dtype: Any = None) -> jax.Array:
    """Zeros with the shape (and, by default, the dtype) of `x`."""
    x = to_tensor(x)
    return jnp.zeros_like(x, dtype=_dtype_or_like(x, dtype))


@symbolic_op
def ones_like(x: Any, dtype: Any = None) -> jax.Array:
    """Ones with the shape (and, by default, the dtype) of `x`."""
    x = to_tensor(x)
    return jnp.ones_like(x, dtype=_dtype_or_like(x, dtype))


@symbolic_op
def empty_like(x: Any, dtype: Any = None) -> jax.Array:
    """An array with the shape and dtype of `x` (zeros)."""
    x = to_tensor(x)
    return jnp.zeros_like(x, dtype=_dtype_or_like(x, dtype))


@symbolic_op
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> jax.Array:
    """`fill_value` everywhere, with the shape (and, by default, the dtype) of `x`."""
    x = to_tensor(x)
    return jnp.full_like(x, fill_value, dtype=_dtype_or_like(x, dtype))


@symbolic_op
def array(x: Any, dtype: Any = None) -> jax.Array:
    """`x` as an array (python ints give int32, floats floatx)."""
    return to_tensor(x, dtype)


@symbolic_op
def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> jax.Array:
    """Evenly spaced values in [start, stop); one argument means [0, start)."""
    if dtype is None:
        given = [value for value in (start, stop, step) if value is not None]
        dtype = dtypes.result_type(*(dtypes.dtype_of(value) for value in given))
    dtype = dtypes.standardize_dtype(dtype)
    # Only the given bounds: `jnp.arange(n)` alone takes jax's fast iota path.
    bounds = [value for value in (start, stop, step) if value is not None]
    if step is not None and stop is None:
        bounds = [0, start, step]
    return jnp.arange(*bounds, dtype=dtype)


def _spacing_dtype(start: Any, stop: Any, dtype: Any) -> str:
    if dtype is not None:
        return dtypes.standardize_dtype(dtype)
    return dtypes.result_type(dtypes.dtype_of(start), dtypes.dtype_of(stop), float)


@symbolic_op
def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:
    """`num` evenly spaced values from `start` to `stop` (floatx by default)."""
    return jnp.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                        dtype=_spacing_dtype(start, stop, dtype), axis=axis)


@symbolic_op
def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: float = 10,
             dtype: Any = None, axis: int = 0) -> jax.Array:
    """`base ** linspace(start, stop, num)`."""
    return jnp.logspace(start, stop, num, endpoint=endpoint, base=base,
                        dtype=_spacing_dtype(start, stop, dtype), axis=axis)


@symbolic_op
def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> jax.Array:
    """`num` values from `start` to `stop`, evenly spaced on a log scale."""
    return jnp.geomspace(start, stop, num, endpoint=endpoint,
                         dtype=_spacing_dtype(start, stop, dtype), axis=axis)


@symbolic_op
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> jax.Array:
    """An N x M matrix with ones on the `k`-th diagonal."""
    return jnp.eye(N, M, k=k, dtype=_dtype_or_floatx(dtype))


@symbolic_op
def identity(n: int, dtype: Any = None) -> jax.Array:
    """The n x n identity matrix."""
    return jnp.identity(n, dtype=_dtype_or_floatx(dtype))


@symbolic_op
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> jax.Array:
    """Ones at and below the `k`-th diagonal of an N x M matrix."""
    return jnp.tri(N, M, k=k, dtype=_dtype_or_floatx(dtype))


@symbolic_op
def meshgrid(*x: Any, indexing: str = "xy") -> list[jax.Array]:
    """Coordinate grids from 1-D coordinate vectors (`"xy"` or `"ij"` indexing)."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Invalid value for argument `indexing`. Expected 'xy' or 'ij'. "
                         f"Received: indexing={indexing!r}")
    return jnp.meshgrid(*(to_tensor(v) for v in x), indexing=indexing)


def _window(function: Any, x: Any, *args: Any) -> jax.Array:
    return function(x, *args).astype(floatx())


@symbolic_op
def bartlett(x: int) -> jax.Array:
    """The Bartlett (triangular) window of `x` points."""
    return _window(jnp.bartlett, x)


@symbolic_op
def blackman(x: int) -> jax.Array:
    """The Blackman window of `x` points."""
    return _window(jnp.blackman, x)


@symbolic_op
def hamming(x: int) -> jax.Array:
    """The Hamming window of `x` points."""
    return _window(jnp.hamming, x)


@symbolic_op
def hanning(x: int) -> jax.Array:
    """The Hann window of `x` points."""
    return _window(jnp.hanning, x)


@symbolic_op
def kaiser(x: int, beta: float) -> jax.Array:
    """The Kaiser window of `x` points with shape parameter `beta`."""
    return _window(jnp.kaiser, x, beta)
