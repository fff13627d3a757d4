"""`keras.ops.linalg`: decompositions, solves, norms and inverses on `jnp.linalg`."""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import jax.scipy as jsp

from layerwise.ops import dtypes
from layerwise.ops.core import convert_to_tensor
from layerwise.ops.operation import symbolic_op

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq", "lu_factor",
    "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
]


def _float(x: Any) -> jax.Array:
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(dtypes.standardize_dtype(None))
    return x


@symbolic_op
def cholesky(x: Any, upper: bool = False) -> jax.Array:
    """The Cholesky factor of Hermitian positive-definite matrices (lower by default)."""
    factor = jnp.linalg.cholesky(_float(x))
    return jnp.conj(jnp.swapaxes(factor, -1, -2)) if upper else factor


@symbolic_op
def cholesky_inverse(x: Any, upper: bool = False) -> jax.Array:
    """The inverse of `A` given its Cholesky factor `x` (`A = L L^H` or `U^H U`)."""
    factor = _float(x)
    lower = jnp.conj(jnp.swapaxes(factor, -1, -2)) if upper else factor
    identity = jnp.broadcast_to(jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    inverse_lower = jsp.linalg.solve_triangular(lower, identity, lower=True)
    return jnp.conj(jnp.swapaxes(inverse_lower, -1, -2)) @ inverse_lower


@symbolic_op
def det(x: Any) -> jax.Array:
    """Determinants of square matrices."""
    return jnp.linalg.det(_float(x))


@symbolic_op
def eig(x: Any) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues and eigenvectors of general square matrices (CPU only in XLA)."""
    return jnp.linalg.eig(_float(x))


@symbolic_op
def eigh(x: Any) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices."""
    return jnp.linalg.eigh(_float(x))


@symbolic_op
def inv(x: Any) -> jax.Array:
    """Inverses of square matrices."""
    return jnp.linalg.inv(_float(x))


@symbolic_op
def lu_factor(x: Any) -> tuple[jax.Array, jax.Array]:
    """LU factorization with partial pivoting: (packed LU, pivot indices)."""
    lu, pivots, _ = jax.lax.linalg.lu(_float(x))
    return lu, pivots


@symbolic_op
def matrix_rank(x: Any, tol: float | None = None) -> jax.Array:
    """The rank of matrices: the number of singular values above `tol`."""
    return jnp.linalg.matrix_rank(_float(x), rtol=None, tol=tol) if tol is not None else \
        jnp.linalg.matrix_rank(_float(x))


@symbolic_op
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Vector or matrix norms (as `numpy.linalg.norm`)."""
    return jnp.linalg.norm(_float(x), ord=ord, axis=axis, keepdims=keepdims)


@symbolic_op
def pinv(x: Any, rcond: float | None = None) -> jax.Array:
    """Moore-Penrose pseudo-inverses."""
    return jnp.linalg.pinv(_float(x), rtol=rcond)


@symbolic_op
def qr(x: Any, mode: str = "reduced") -> tuple[jax.Array, jax.Array]:
    """QR decomposition; `mode` 'reduced' or 'complete'."""
    if mode not in ("reduced", "complete"):
        raise ValueError("Invalid value for argument `mode`. Expected 'reduced' or "
                         f"'complete'. Received: mode={mode!r}")
    return jnp.linalg.qr(_float(x), mode=mode)


@symbolic_op
def solve(a: Any, b: Any) -> jax.Array:
    """`x` with `a @ x = b`."""
    return jnp.linalg.solve(_float(a), _float(b))


@symbolic_op
def solve_triangular(a: Any, b: Any, lower: bool = False) -> jax.Array:
    """`x` with `a @ x = b` for triangular `a`."""
    a, b = _float(a), _float(b)
    if b.ndim == a.ndim - 1:
        return jsp.linalg.solve_triangular(a, b[..., None], lower=lower)[..., 0]
    return jsp.linalg.solve_triangular(a, b, lower=lower)


@symbolic_op
def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition: (u, s, vh), or s alone."""
    return jnp.linalg.svd(_float(x), full_matrices=full_matrices, compute_uv=compute_uv)


@symbolic_op
def lstsq(a: Any, b: Any, rcond: float | None = None) -> jax.Array:
    """The least-squares solution `x` of `a @ x = b`."""
    a, b = _float(a), _float(b)
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


def jvp(fun: Callable, primals: Any, tangents: Any, has_aux: bool = False) -> tuple:
    """(fun(*primals), the Jacobian-vector product with `tangents`)[, aux]."""
    return jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
