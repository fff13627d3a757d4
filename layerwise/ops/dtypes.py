"""Keras's dtype names and type-promotion rules.

Keras promotes dtypes on a lattice close to JAX's, with three differences that show in every
op's output dtype: python scalars are *weak* (`int8 + 3` stays `int8`, `int8 + 3.0` becomes
floatx), a weak result resolves to `int32` / floatx / `complex64`, and on JAX without x64 the
64-bit result is narrowed to its 32-bit sibling only after promotion (so `uint64 + int8` is a
float, as it would be with x64 on).
"""
from __future__ import annotations

import functools
from typing import Any

import jax
import numpy as np

# Every dtype name Keras accepts.
ALLOWED_DTYPES = (
    "float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
    "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2",
    "complex64", "complex128",
)
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
COMPLEX_TYPES = ("complex64", "complex128")

# Python scalar types are weak: they adopt the dtype of the array they meet.
_WEAK_INT, _WEAK_FLOAT, _WEAK_COMPLEX = "int*", "float*", "complex*"
_PYTHON_TYPES = {bool: "bool", int: "int32", float: "float32", complex: "complex64",
                 str: "string"}
_WEAK_OF_PYTHON_TYPE = {int: _WEAK_INT, float: _WEAK_FLOAT, complex: _WEAK_COMPLEX}

# Each type's immediate successors; the promotion of two types is their least common successor.
_LATTICE = {
    "bool": (_WEAK_INT,),
    _WEAK_INT: ("uint8", "int8"),
    "uint8": ("uint16", "int16"),
    "uint16": ("uint32", "int32"),
    "uint32": ("uint64", "int64"),
    "uint64": (_WEAK_FLOAT,),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": (_WEAK_FLOAT,),
    _WEAK_FLOAT: ("bfloat16", "float16", _WEAK_COMPLEX),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    _WEAK_COMPLEX: ("complex64",),
    "complex64": ("complex128",),
    "complex128": (),
}

_NARROWED = {"int64": "int32", "uint64": "uint32", "float64": "float32",
             "complex128": "complex64"}


def _floatx() -> str:
    from layerwise import backend  # late: backend imports the engine, which may import ops
    return backend.floatx()


# Op calls standardize dtypes several times each: remember the answers (keyed by type too,
# since numpy dtypes compare equal to python types such as `float`).
_STANDARDIZED: dict = {}


def standardize_dtype(dtype: Any = None) -> str:
    """The Keras name of a dtype-like (`np.float32`, `jnp.dtype('int8')`, `int`, ...); None is floatx."""
    if dtype is None:
        return _floatx()
    try:
        return _STANDARDIZED[type(dtype), dtype]
    except KeyError:
        name = _STANDARDIZED[type(dtype), dtype] = _standardize_uncached(dtype)
        return name
    except TypeError:  # unhashable
        return _standardize_uncached(dtype)


def _standardize_uncached(dtype: Any) -> str:
    # Identity and type checks only: numpy dtypes compare equal to `float`, `"int"`, ...
    if isinstance(dtype, type) and dtype in _PYTHON_TYPES:
        return _PYTHON_TYPES[dtype]
    if isinstance(dtype, str):
        name = "int32" if dtype == "int" else dtype
    elif hasattr(dtype, "name") and isinstance(dtype.name, str):
        name = dtype.name
    elif isinstance(dtype, type) and issubclass(dtype, np.generic):
        name = np.dtype(dtype).name
    elif hasattr(dtype, "dtype") and hasattr(dtype.dtype, "name"):
        name = dtype.dtype.name
    else:
        name = None
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def is_float_dtype(dtype: Any) -> bool:
    """Whether `dtype` is a real floating type (float8 and bfloat16 included)."""
    name = standardize_dtype(dtype)
    return name.startswith("float") or name.startswith("bfloat")


def is_int_dtype(dtype: Any) -> bool:
    """Whether `dtype` is a signed or unsigned integer type (bool is not)."""
    name = standardize_dtype(dtype)
    return name.startswith("int") or name.startswith("uint")


def is_complex_dtype(dtype: Any) -> bool:
    return standardize_dtype(dtype).startswith("complex")


@functools.lru_cache(maxsize=None)
def _successors_of(node: str) -> frozenset:
    """`node` and everything it can promote to."""
    reached = {node}
    for successor in _LATTICE[node]:
        reached |= _successors_of(successor)
    return frozenset(reached)


def _least_common_successor(nodes: tuple) -> str:
    common = frozenset.intersection(*(_successors_of(node) for node in nodes))
    # The least one is the common successor every other common successor is reached from.
    for candidate in common:
        if common <= _successors_of(candidate):
            return candidate
    raise ValueError(f"No common dtype for {nodes}")  # unreachable: complex128 tops the lattice


def _lattice_node(dtype: Any) -> str:
    if isinstance(dtype, type) and dtype in _WEAK_OF_PYTHON_TYPE:
        return _WEAK_OF_PYTHON_TYPE[dtype]
    return standardize_dtype(dtype)


def _resolve(node: str) -> str:
    """A weak result becomes a concrete dtype; 64 bits narrow to 32 on JAX without x64."""
    if node == _WEAK_INT:
        node = "int32"
    elif node == _WEAK_FLOAT:
        node = _floatx()
    elif node == _WEAK_COMPLEX:
        node = "complex64"
    if not jax.config.jax_enable_x64:
        node = _NARROWED.get(node, node)
    return node


@functools.lru_cache(maxsize=4096)
def _promoted(nodes: tuple) -> str:
    # The result depends on x64 only through `_resolve`, which reads it each call.
    return _least_common_successor(nodes)


def result_type(*dtypes: Any) -> str:
    """The dtype Keras gives an op over operands of these dtypes.

    Python types (`int`, `float`, `complex`) stand for python scalars and are weak; `None`
    stands for floatx; no dtypes at all gives floatx.
    """
    if not dtypes:
        return _floatx()
    nodes = tuple(_lattice_node(dtype) for dtype in dtypes)
    if any(node in FLOAT8_TYPES for node in nodes):
        raise ValueError("There is no implicit conversion from float8 dtypes to others; cast "
                         f"explicitly first. Received: dtypes={dtypes}")
    if "string" in nodes:
        if all(node == "string" for node in nodes):
            return "string"
        raise ValueError("dtype='string' is not a valid dtype for Keras type promotion. "
                         f"Received: dtypes={dtypes}")
    return _resolve(_promoted(nodes))


def dtype_of(x: Any) -> Any:
    """What `result_type` should see for an operand: its dtype, or its python type if a scalar."""
    if isinstance(x, (bool, int, float, complex)):
        return type(x)
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return standardize_dtype(dtype)
    return standardize_dtype(np.asarray(x).dtype)
