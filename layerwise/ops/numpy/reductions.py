"""Reductions over axes: sums, means, extrema, statistics, cumulative sums, arg-extrema.

Dtypes follow Keras: sums and products widen small integers to 32 bits (bool counts as
int32); means, variances and quantiles give floats; extrema keep the input dtype; arg-extrema
and counts give int32.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.ops import dtypes
from layerwise.ops.numpy._convert import canonical_axis, to_float, to_tensor
from layerwise.ops.operation import symbolic_op


def _accumulator_dtype(dtype: Any) -> str:
    """The dtype a sum or product of `dtype` values is returned in."""
    name = dtypes.standardize_dtype(dtype)
    if name == "bool" or name in ("int8", "int16"):
        return "int32"
    if name in ("uint8", "uint16"):
        return "uint32"
    return dtypes.result_type(name)


@symbolic_op
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Sum over `axis` (all axes when None)."""
    x = to_tensor(x)
    return jnp.sum(x, axis=canonical_axis(axis), keepdims=keepdims,
                   dtype=_accumulator_dtype(x.dtype))


@symbolic_op
def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> jax.Array:
    """Product over `axis`."""
    x = to_tensor(x)
    dtype = _accumulator_dtype(x.dtype) if dtype is None else dtypes.standardize_dtype(dtype)
    return jnp.prod(x, axis=canonical_axis(axis), keepdims=keepdims, dtype=dtype)


@symbolic_op
def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Sum over `axis`, NaNs counted as zero."""
    x = to_tensor(x)
    return jnp.nansum(x, axis=canonical_axis(axis), keepdims=keepdims,
                      dtype=_accumulator_dtype(x.dtype))


@symbolic_op
def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Product over `axis`, NaNs counted as one."""
    x = to_tensor(x)
    return jnp.nanprod(x, axis=canonical_axis(axis), keepdims=keepdims,
                       dtype=_accumulator_dtype(x.dtype))


def _cumulative(function: Any, x: Any, axis: Any, dtype: Any) -> jax.Array:
    x = to_tensor(x)
    if dtype is None:
        dtype = "int32" if x.dtype == jnp.bool_ else dtypes.result_type(x.dtype)
    return function(x, axis=axis, dtype=dtypes.standardize_dtype(dtype))


@symbolic_op
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Running sum along `axis` (of the flattened array when None)."""
    return _cumulative(jnp.cumsum, x, axis, dtype)


@symbolic_op
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Running product along `axis` (of the flattened array when None)."""
    return _cumulative(jnp.cumprod, x, axis, dtype)


@symbolic_op
def nancumsum(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Running sum, NaNs counted as zero."""
    return _cumulative(jnp.nancumsum, x, axis, dtype)


@symbolic_op
def nancumprod(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Running product, NaNs counted as one."""
    return _cumulative(jnp.nancumprod, x, axis, dtype)


@symbolic_op
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Arithmetic mean over `axis`; integer inputs give floatx."""
    x = to_float(x)
    return jnp.mean(x, axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Mean over `axis`, ignoring NaNs."""
    return jnp.nanmean(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def var(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Population variance over `axis`."""
    return jnp.var(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Population variance over `axis`, ignoring NaNs."""
    return jnp.nanvar(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def std(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Population standard deviation over `axis`."""
    return jnp.std(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Population standard deviation over `axis`, ignoring NaNs."""
    return jnp.nanstd(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def median(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Median over `axis`."""
    return jnp.median(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Median over `axis`, ignoring NaNs."""
    return jnp.nanmedian(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def average(x: Any, axis: int | None = None, weights: Any = None) -> jax.Array:
    """Mean over `axis`, weighted by `weights` when given."""
    x = to_tensor(x)
    if weights is None:
        return jnp.average(to_float(x), axis=axis)
    weights = to_tensor(weights)
    dtype = dtypes.result_type(x.dtype, weights.dtype, float)
    return jnp.average(x.astype(dtype), axis=axis, weights=weights.astype(dtype))


def _quantile(function: Any, x: Any, q: Any, axis: Any, method: str,
              keepdims: bool) -> jax.Array:
    x = to_float(x)
    q = to_tensor(q).astype(x.dtype) if not isinstance(q, (int, float)) else q
    return function(x, q, axis=canonical_axis(axis), method=method, keepdims=keepdims)


@symbolic_op
def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
             keepdims: bool = False) -> jax.Array:
    """The `q`-th quantiles (q in [0, 1]) over `axis`."""
    return _quantile(jnp.quantile, x, q, axis, method, keepdims)


@symbolic_op
def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                keepdims: bool = False) -> jax.Array:
    """The `q`-th quantiles over `axis`, ignoring NaNs."""
    return _quantile(jnp.nanquantile, x, q, axis, method, keepdims)


@symbolic_op
def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
               keepdims: bool = False) -> jax.Array:
    """The `q`-th percentiles (q in [0, 100]) over `axis`."""
    return _quantile(jnp.percentile, x, q, axis, method, keepdims)


@symbolic_op
def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear",
                  keepdims: bool = False) -> jax.Array:
    """The `q`-th percentiles over `axis`, ignoring NaNs."""
    return _quantile(jnp.nanpercentile, x, q, axis, method, keepdims)


def _extremum(function: Any, x: Any, axis: Any, keepdims: bool, initial: Any) -> jax.Array:
    x = to_tensor(x)
    return function(x, axis=canonical_axis(axis), keepdims=keepdims, initial=initial)


@symbolic_op
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> jax.Array:
    """Largest value over `axis` (at least `initial` when given)."""
    return _extremum(jnp.max, x, axis, keepdims, initial)


@symbolic_op
def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> jax.Array:
    """Smallest value over `axis` (at most `initial` when given)."""
    return _extremum(jnp.min, x, axis, keepdims, initial)


@symbolic_op
def amax(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Largest value over `axis`."""
    return jnp.max(to_tensor(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def amin(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Smallest value over `axis`."""
    return jnp.min(to_tensor(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Largest value over `axis`, ignoring NaNs."""
    return jnp.nanmax(to_tensor(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Smallest value over `axis`, ignoring NaNs."""
    return jnp.nanmin(to_tensor(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Range (max - min) over `axis`."""
    x = to_tensor(x)
    if x.dtype == jnp.bool_:
        raise TypeError("`ptp` does not accept bool inputs. Received: x.dtype=bool")
    return jnp.ptp(x, axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def all(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Whether every element over `axis` is true."""
    return jnp.all(to_tensor(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def any(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Whether some element over `axis` is true."""
    return jnp.any(to_tensor(x), axis=canonical_axis(axis), keepdims=keepdims)


@symbolic_op
def count_nonzero(x: Any, axis: Any = None) -> jax.Array:
    """Number of non-zero elements over `axis` (int32)."""
    return jnp.count_nonzero(to_tensor(x), axis=canonical_axis(axis)).astype("int32")


def _arg_extremum(function: Any, x: Any, axis: Any, keepdims: bool) -> jax.Array:
    return function(to_tensor(x), axis=axis, keepdims=keepdims).astype("int32")


@symbolic_op
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the largest value along `axis` (of the flattened array when None)."""
    return _arg_extremum(jnp.argmax, x, axis, keepdims)


@symbolic_op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the smallest value along `axis` (of the flattened array when None)."""
    return _arg_extremum(jnp.argmin, x, axis, keepdims)


@symbolic_op
def nanargmax(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the largest non-NaN value along `axis`."""
    return _arg_extremum(jnp.nanargmax, x, axis, keepdims)


@symbolic_op
def nanargmin(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the smallest non-NaN value along `axis`."""
    return _arg_extremum(jnp.nanargmin, x, axis, keepdims)


@symbolic_op
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> jax.Array:
    """Sum along the diagonal of the sub-arrays in `axis1` and `axis2`."""
    x = to_tensor(x)
    return jnp.trace(x, offset=offset, axis1=axis1, axis2=axis2,
                     dtype=_accumulator_dtype(x.dtype))
