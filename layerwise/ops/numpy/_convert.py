"""Turning op arguments into arrays with the dtypes Keras gives them."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.ops import dtypes

# A python scalar becomes an array of Keras's default dtype for its type.
_SCALAR_DTYPES = {bool: "bool", int: "int32", complex: "complex64"}


def floatx() -> str:
    return dtypes.result_type(float)


def to_tensor(x: Any, dtype: Any = None) -> jax.Array:
    """`x` as a jax array: python scalars take Keras's defaults, 64-bit inputs narrow to 32."""
    if dtype is not None:
        dtype = dtypes.standardize_dtype(dtype)
        if isinstance(x, jax.Array) and x.dtype == dtype:
            return x  # already right: skip a conversion dispatch
        return jnp.asarray(x, dtype=dtype)
    if isinstance(x, jax.Array):
        return x
    if type(x) in _SCALAR_DTYPES:
        return jnp.asarray(x, dtype=_SCALAR_DTYPES[type(x)])
    if isinstance(x, float):
        return jnp.asarray(x, dtype=floatx())
    return jnp.asarray(x)


def as_operand(x: Any) -> Any:
    """Arrays and python scalars as they are (jax.numpy takes them); anything else as an array."""
    if isinstance(x, (jax.Array, np.ndarray, bool, int, float, complex)):
        return x
    return to_tensor(x)


def dtype_of(x: Any) -> str:
    """The Keras dtype name of an array-like (python scalars: their default array dtype)."""
    if isinstance(x, (bool, int, float, complex)):
        return dtypes.result_type(type(x))
    dtype = getattr(x, "dtype", None)
    return dtypes.standardize_dtype(to_tensor(x).dtype if dtype is None else dtype)


def promote(*xs: Any) -> list[jax.Array]:
    """The operands as arrays of their Keras result type (python scalars count as weak)."""
    dtype = dtypes.result_type(*(dtypes.dtype_of(x) for x in xs))
    return [to_tensor(x, dtype) for x in xs]


def promote_to_float(*xs: Any) -> list[jax.Array]:
    """As `promote`, but an integer or bool result type becomes floatx (as for `divide`)."""
    dtype = dtypes.result_type(*(dtypes.dtype_of(x) for x in xs))
    if not (dtypes.is_float_dtype(dtype) or dtypes.is_complex_dtype(dtype)):
        dtype = floatx()
    return [to_tensor(x, dtype) for x in xs]


def to_float(x: Any) -> jax.Array:
    """`x` as an array, integers and bools cast to floatx; float and complex dtypes are kept."""
    x = to_tensor(x)
    dtype = dtypes.standardize_dtype(x.dtype)
    if dtypes.is_float_dtype(dtype) or dtypes.is_complex_dtype(dtype):
        return x
    return x.astype(floatx())


def is_floating(x: Any) -> bool:
    return dtypes.is_float_dtype(dtype_of(x))


def is_integer(x: Any) -> bool:
    return dtypes.is_int_dtype(dtype_of(x))


def canonical_axis(axis: Any) -> Any:
    """Axes given as lists become tuples (jax wants hashable axes)."""
    return tuple(axis) if isinstance(axis, list) else axis
