"""`keras.ops` core: conversion, casting, shapes, slicing, scatter and control flow."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from layerwise.engine.functional import KerasTensor
from layerwise.engine.variables import Variable
from layerwise.ops import dtypes
from layerwise.ops.operation import symbolic_op

__all__ = [
    "associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor",
    "custom_gradient", "dtype", "fori_loop", "is_tensor", "map", "saturate_cast", "scan",
    "scatter", "scatter_update", "shape", "slice", "slice_update", "stop_gradient", "switch",
    "unstack", "vectorized_map", "while_loop",
]


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Variable) else x


# -- conversion and dtypes --------------------------------------------------------------
def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None,
                      ragged: bool | None = None) -> Any:
    """A jax array of `x`; python floats become floatx, 64-bit numpy data 32-bit."""
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    if sparse:
        raise ValueError("convert_to_tensor: `sparse=True` is not supported by the JAX "
                         f"backend. Received: sparse={sparse}")
    if ragged:
        raise ValueError("convert_to_tensor: `ragged=True` is not supported by the JAX "
                         f"backend. Received: ragged={ragged}")
    x = _value(x)
    if dtype is not None:
        dtype = dtypes.standardize_dtype(dtype)
    elif isinstance(x, jax.Array):
        return x
    elif isinstance(x, bool) or (isinstance(x, np.ndarray) and x.dtype == bool):
        dtype = "bool"
    elif isinstance(x, int):
        dtype = "int32"
    elif isinstance(x, float):
        dtype = dtypes.standardize_dtype(None)
    elif isinstance(x, (list, tuple)):
        dtype = dtypes.result_type(*[dtypes.dtype_of(v) for v in _leaves(x)]) if _leaves(
            x) else dtypes.standardize_dtype(None)
    elif hasattr(x, "dtype"):
        dtype = dtypes.standardize_dtype(x.dtype)
    if not jax.config.jax_enable_x64:  # 64-bit data becomes 32-bit, as in Keras-JAX
        dtype = _NARROWED.get(dtype, dtype)
    return jnp.asarray(x, dtype=dtype)


_NARROWED = {"int64": "int32", "uint64": "uint32", "float64": "float32",
             "complex128": "complex64"}


def _leaves(values: Any) -> list:
    if isinstance(values, (list, tuple)):
        return [leaf for v in values for leaf in _leaves(v)]
    return [values]


def convert_to_numpy(x: Any) -> np.ndarray:
    """`x` as a numpy array (copied off the device)."""
    return np.array(_value(x))


def is_tensor(x: Any) -> bool:
    """Whether `x` is a backend (jax) array."""
    return isinstance(x, jax.Array)


def shape(x: Any) -> tuple:
    """The shape of `x` as a tuple (None for unknown dims of symbolic tensors)."""
    return tuple(_value(x).shape) if hasattr(_value(x), "shape") else tuple(np.shape(x))


def dtype(x: Any) -> str:
    """The Keras name of `x`'s dtype."""
    x = _value(x)
    return dtypes.standardize_dtype(x.dtype if hasattr(x, "dtype") else
                                    convert_to_tensor(x).dtype)


@symbolic_op
def cast(x: Any, dtype: Any) -> jax.Array:
    """`x` converted to `dtype`."""
    dtype = dtypes.standardize_dtype(dtype)
    return convert_to_tensor(x).astype(dtype)


def _limits(dtype: str) -> Any:
    return jnp.iinfo(dtype) if jnp.issubdtype(jnp.dtype(dtype), jnp.integer) else \
        jnp.finfo(dtype)


@symbolic_op
def saturate_cast(x: Any, dtype: Any) -> jax.Array:
    """Cast that clips values to the range of `dtype` first instead of wrapping around."""
    dtype = dtypes.standardize_dtype(dtype)
    x = convert_to_tensor(x)
    source, target = _limits(x.dtype), _limits(dtype)
    low = np.asarray(max(float(source.min), float(target.min))).astype(x.dtype)
    high = np.asarray(min(float(source.max), float(target.max))).astype(x.dtype)
    # Rounding to the source dtype may step outside the target's range: step back in.
    if float(low) < float(target.min):
        low = np.nextafter(low, np.zeros((), low.dtype))
    if float(high) > float(target.max):
        high = np.nextafter(high, np.zeros((), high.dtype))
    return jnp.clip(x, low, high).astype(dtype)


@symbolic_op
def stop_gradient(variable: Any) -> jax.Array:
    """`variable` with no gradient flowing through it."""
    return lax.stop_gradient(_value(variable))


# -- slicing and scatter ----------------------------------------------------------------
@symbolic_op
def slice(inputs: Any, start_indices: Any, shape: Sequence[int]) -> jax.Array:
    """The block of `inputs` of size `shape` starting at `start_indices`."""
    return lax.dynamic_slice(convert_to_tensor(inputs), _index_list(start_indices),
                             tuple(int(d) for d in shape))


@symbolic_op
def slice_update(inputs: Any, start_indices: Any, updates: Any) -> jax.Array:
    """`inputs` with the block at `start_indices` replaced by `updates`."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, dtype=inputs.dtype)
    return lax.dynamic_update_slice(inputs, updates, _index_list(start_indices))


def _index_list(indices: Any) -> list:
    if isinstance(indices, (list, tuple)):
        return [_value(i) for i in indices]
    indices = convert_to_tensor(indices)
    return [indices[i] for i in range(indices.shape[0])]


@symbolic_op
def scatter(indices: Any, values: Any, shape: Sequence[int]) -> jax.Array:
    """Zeros of `shape` with `values` added at `indices` (repeated indices accumulate)."""
    indices = convert_to_tensor(indices)
    values = convert_to_tensor(values)
    zeros = jnp.zeros(tuple(shape), values.dtype)
    key = tuple(jnp.moveaxis(indices, -1, 0))
    return zeros.at[key].add(values)


@symbolic_op
def scatter_update(inputs: Any, indices: Any, updates: Any,
                   reduction: str | None = None) -> jax.Array:
    """`inputs` with `updates` written (or combined by `reduction`) at `indices`."""
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates, dtype=inputs.dtype)
    target = inputs.at[tuple(jnp.moveaxis(indices, -1, 0))]
    methods = {None: target.set, "add": target.add, "max": target.max, "min": target.min,
               "mul": target.multiply}
    if reduction not in methods:
        raise ValueError("Invalid value for argument `reduction`. Expected one of None, "
                         f"'add', 'max', 'min', 'mul'. Received: reduction={reduction!r}")
    return methods[reduction](updates)


@symbolic_op
def unstack(x: Any, num: int | None = None, axis: int = 0) -> list:
    """The slices of `x` along `axis`, as a list."""
    x = convert_to_tensor(x)
    return [lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis])]


# -- control flow -----------------------------------------------------------------------
@symbolic_op
def cond(pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    """`true_fn()` if `pred` else `false_fn()`, traced both ways."""
    return lax.cond(pred, true_fn, false_fn)


@symbolic_op
def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
    """`branches[index](*operands)`, with `index` clamped to the valid range."""
    return lax.switch(index, branches, *operands)


@symbolic_op
def scan(f: Callable, init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int | bool = 1) -> tuple:
    """`lax.scan`: carry `init` through `f(carry, x)` over the leading axis of `xs`."""
    return lax.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


@symbolic_op
def associative_scan(f: Callable, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """Inclusive prefix scan of `elems` with the associative binary function `f`."""
    return lax.associative_scan(f, elems, reverse=reverse, axis=axis)


@symbolic_op
def map(f: Callable, xs: Any) -> Any:
    """`f` applied to each slice of `xs` along its leading axis, results stacked."""
    return lax.map(f, xs)


@symbolic_op
def vectorized_map(function: Callable, elements: Any) -> Any:
    """`function` applied to each slice of `elements` along axis 0, vectorized."""
    return jax.vmap(function)(elements)


@symbolic_op
def fori_loop(lower: int, upper: int, body_fun: Callable, init_val: Any) -> Any:
    """`for i in range(lower, upper): val = body_fun(i, val)`."""
    return lax.fori_loop(lower, upper, body_fun, init_val)


@symbolic_op
def while_loop(cond: Callable, body: Callable, loop_vars: Any,
               maximum_iterations: int | None = None) -> Any:
    """Run `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`, at most
    `maximum_iterations` times. A single (non-tuple) `loop_vars` is passed unpacked."""
    is_sequence = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)

    def as_tuple(values):
        return tuple(values) if is_sequence else (values,)

    if maximum_iterations is None:
        result = lax.while_loop(lambda s: cond(*s), lambda s: as_tuple(body(*s)), state)
    else:
        def bounded_cond(s):
            return jnp.logical_and(cond(*s[:-1]), s[-1] < maximum_iterations)

        def counted_body(s):
            return as_tuple(body(*s[:-1])) + (s[-1] + 1,)

        result = lax.while_loop(bounded_cond, counted_body, state + (0,))[:-1]
    return result if is_sequence else result[0]


def custom_gradient(f: Callable) -> Callable:
    """Decorator: `f` returns `(output, grad_fn)`; `grad_fn(upstream)` gives input grads."""
    return jax.custom_gradient(f)
