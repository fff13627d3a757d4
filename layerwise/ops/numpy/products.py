"""Products and contractions: matmul, dot, einsum, tensordot, outer, kron, cross, correlate."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.ops.numpy._convert import promote, promote_to_float, to_float, to_tensor
from layerwise.ops.operation import symbolic_op


def _all_int8(arrays: Any) -> bool:
    return all(a.dtype == jnp.int8 for a in arrays)


@symbolic_op
def matmul(x1: Any, x2: Any) -> jax.Array:
    """Matrix product of the last two axes, broadcasting the rest; int8 x int8 gives int32."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if _all_int8((x1, x2)):
        # Accumulate in int32 so products of int8 do not wrap around.
        return jnp.matmul(x1, x2, preferred_element_type="int32")
    return jnp.matmul(*promote(x1, x2))


@symbolic_op
def dot(x1: Any, x2: Any) -> jax.Array:
    """numpy's `dot`: sum product over the last axis of `x1` and second-to-last of `x2`."""
    return jnp.dot(*promote(x1, x2))


@symbolic_op
def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> jax.Array:
    """Einstein summation over `operands` as written in `subscripts`."""
    arrays = [to_tensor(a) for a in operands]
    if _all_int8(arrays):
        return jnp.einsum(subscripts, *arrays, preferred_element_type="int32", **kwargs)
    return jnp.einsum(subscripts, *promote(*arrays), **kwargs)


@symbolic_op
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> jax.Array:
    """Sum product over the given axes of `x1` and `x2` (the last/first `axes` if an int)."""
    x1, x2 = promote(to_tensor(x1), to_tensor(x2))
    return jnp.tensordot(x1, x2, axes=axes)


@symbolic_op
def inner(x1: Any, x2: Any) -> jax.Array:
    """Sum product over the last axes."""
    return jnp.inner(*promote(x1, x2))


@symbolic_op
def outer(x1: Any, x2: Any) -> jax.Array:
    """Outer product of the flattened inputs."""
    return jnp.outer(*promote(x1, x2))


@symbolic_op
def vdot(x1: Any, x2: Any) -> jax.Array:
    """Dot product of the flattened inputs (the first conjugated)."""
    x1, x2 = promote(to_tensor(x1), to_tensor(x2))
    return jnp.vdot(x1, x2)


@symbolic_op
def kron(x1: Any, x2: Any) -> jax.Array:
    """Kronecker product."""
    x1, x2 = promote(x1, x2)
    if x1.dtype == jnp.bool_:
        raise TypeError("`kron` does not accept two bool inputs.")
    return jnp.kron(x1, x2)


@symbolic_op
def cross(x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> jax.Array:
    """Cross product of 3-vectors (or 2-vectors) along the given axes."""
    x1, x2 = promote(to_tensor(x1), to_tensor(x2))
    if x1.dtype == jnp.bool_:
        raise TypeError("`cross` does not accept two bool inputs.")
    return jnp.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


@symbolic_op
def correlate(x1: Any, x2: Any, mode: str = "valid") -> jax.Array:
    """Cross-correlation of two 1-D arrays; integer inputs give floatx."""
    if mode not in ("valid", "same", "full"):
        raise ValueError("Invalid value for argument `mode`. Expected 'valid', 'same' or "
                         f"'full'. Received: mode={mode!r}")
    return jnp.correlate(*promote_to_float(x1, x2), mode=mode)


@symbolic_op
def corrcoef(x: Any) -> jax.Array:
    """Pearson correlation coefficients of the rows of `x`."""
    return jnp.corrcoef(to_float(x))


@symbolic_op
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> jax.Array:
    """Integral of `y` along `axis` by the trapezoidal rule (at `x`, or `dx` apart)."""
    if x is None:
        return jnp.trapezoid(to_float(y), dx=dx, axis=axis)
    y, x = promote_to_float(to_tensor(y), to_tensor(x))
    return jnp.trapezoid(y, x, axis=axis)


@symbolic_op
def vander(x: Any, N: int | None = None, increasing: bool = False) -> jax.Array:
    """The Vandermonde matrix of the 1-D `x` (columns are powers of `x`)."""
    x = to_tensor(x)
    if x.dtype == jnp.bool_:
        raise TypeError("`vander` does not accept bool inputs. Received: x.dtype=bool")
    return jnp.vander(x, N=N, increasing=increasing)


@symbolic_op
def slogdet(x: Any) -> tuple:
    """(sign, log|det|) of square matrices."""
    sign, logdet = jnp.linalg.slogdet(to_float(x))
    return sign, logdet
