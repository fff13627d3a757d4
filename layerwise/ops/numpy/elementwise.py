"""Element-wise math: unary functions, arithmetic, comparisons, logic and bit operations.

Three dtype rules cover most of these ops, as in Keras:
- arithmetic keeps the operands' promoted dtype (`int8 + 3` is int8);
- transcendental functions and true division give floats (an int or bool input becomes floatx);
- comparisons and predicates give bool.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.ops import dtypes
from layerwise.ops.numpy._convert import (as_operand, floatx, promote, promote_to_float,
                                          to_tensor)
from layerwise.ops.operation import symbolic_op


def _promoted_dtype(x1: Any, x2: Any) -> str:
    return dtypes.result_type(dtypes.dtype_of(x1), dtypes.dtype_of(x2))


def _as(result: jax.Array, dtype: str) -> jax.Array:
    """`result` in `dtype`, cast only if jax.numpy chose another dtype (one dispatch saved)."""
    return result if result.dtype == dtype else result.astype(dtype)


def _named(name: str, function: Callable, doc: str) -> Callable:
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return symbolic_op(function)


def _float_unary(name: str, jax_function: Callable) -> Callable:
    """A unary op whose int and bool inputs are computed (and returned) in floatx."""
    def op(x: Any) -> jax.Array:
        x = to_tensor(x)
        if dtypes.is_float_dtype(x.dtype) or dtypes.is_complex_dtype(x.dtype):
            return jax_function(x)
        # jax.numpy gives ints and bools a float result itself, inside the one dispatch.
        return _as(jax_function(x), floatx())
    return _named(name, op, f"Element-wise `{name}`; integer inputs give floatx.")


def _same_dtype_unary(name: str, jax_function: Callable) -> Callable:
    def op(x: Any) -> jax.Array:
        return jax_function(to_tensor(x))
    return _named(name, op, f"Element-wise `{name}`, keeping the input dtype.")


def _bool_unary(name: str, jax_function: Callable) -> Callable:
    def op(x: Any) -> jax.Array:
        return jax_function(to_tensor(x))
    return _named(name, op, f"Element-wise `{name}`: a bool array.")


def _promoting_binary(name: str, jax_function: Callable) -> Callable:
    """An op in the operands' promoted dtype, as jax.numpy promotes them (so does Keras)."""
    def op(x1: Any, x2: Any) -> jax.Array:
        x1, x2 = as_operand(x1), as_operand(x2)
        _promoted_dtype(x1, x2)  # rejects what Keras cannot promote (float8, strings)
        return jax_function(x1, x2)
    return _named(name, op, f"Element-wise `{name}` in the operands' promoted dtype.")


def _float_binary(name: str, jax_function: Callable) -> Callable:
    def op(x1: Any, x2: Any) -> jax.Array:
        return jax_function(*promote_to_float(x1, x2))
    return _named(name, op, f"Element-wise `{name}`; integer operands give floatx.")


def _comparison(name: str, jax_function: Callable) -> Callable:
    def op(x1: Any, x2: Any) -> jax.Array:
        x1, x2 = as_operand(x1), as_operand(x2)
        _promoted_dtype(x1, x2)  # rejects what Keras cannot promote (float8, strings)
        return jax_function(x1, x2)
    return _named(name, op, f"Element-wise `{name}`: a bool array.")


# --- unary, same dtype ------------------------------------------------------------------
abs = _same_dtype_unary("abs", jnp.abs)
absolute = _same_dtype_unary("absolute", jnp.abs)
conj = _same_dtype_unary("conj", jnp.conjugate)
conjugate = _same_dtype_unary("conjugate", jnp.conjugate)
copy = _same_dtype_unary("copy", jnp.array)
real = _same_dtype_unary("real", jnp.real)
imag = _same_dtype_unary("imag", jnp.imag)
trunc = _same_dtype_unary("trunc", jnp.trunc)


def _no_bool(name: str, jax_function: Callable) -> Callable:
    """A same-dtype unary op that, as in Keras, is not defined for bool."""
    def op(x: Any) -> jax.Array:
        x = to_tensor(x)
        if x.dtype == jnp.bool_:
            raise TypeError(f"`{name}` does not accept bool inputs. Received: x.dtype=bool")
        return jax_function(x)
    return _named(name, op, f"Element-wise `{name}`, keeping the input dtype.")


negative = _no_bool("negative", jnp.negative)
sign = _no_bool("sign", jnp.sign)


@symbolic_op
def square(x: Any) -> jax.Array:
    """`x * x`; bool inputs give int32."""
    x = to_tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.square(x)


@symbolic_op
def round(x: Any, decimals: int = 0) -> jax.Array:
    """Round half to even to `decimals` places, keeping the dtype."""
    x = to_tensor(x)
    if x.dtype == jnp.bool_:
        raise TypeError("`round` does not accept bool inputs. Received: x.dtype=bool")
    if dtypes.is_int_dtype(x.dtype) and decimals < 0:
        # Rounding an integer to tens, hundreds, ...: compute in float, come back exactly.
        return jnp.round(x.astype(floatx()), decimals).astype(x.dtype)
    return jnp.round(x, decimals)


@symbolic_op
def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> jax.Array:
    """Replace NaN and infinities with finite numbers."""
    return jnp.nan_to_num(to_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


@symbolic_op
def bitwise_invert(x: Any) -> jax.Array:
    """Bit-wise NOT of an integer or bool array."""
    return jnp.invert(to_tensor(x))


@symbolic_op
def bitwise_not(x: Any) -> jax.Array:
    """Bit-wise NOT of an integer or bool array."""
    return jnp.invert(to_tensor(x))


# --- unary, float results ---------------------------------------------------------------
angle = _float_unary("angle", jnp.angle)
arccos = _float_unary("arccos", jnp.arccos)
arccosh = _float_unary("arccosh", jnp.arccosh)
arcsin = _float_unary("arcsin", jnp.arcsin)
arcsinh = _float_unary("arcsinh", jnp.arcsinh)
arctan = _float_unary("arctan", jnp.arctan)
arctanh = _float_unary("arctanh", jnp.arctanh)
cbrt = _float_unary("cbrt", jnp.cbrt)
ceil = _float_unary("ceil", jnp.ceil)
cos = _float_unary("cos", jnp.cos)
cosh = _float_unary("cosh", jnp.cosh)
deg2rad = _float_unary("deg2rad", jnp.deg2rad)
exp = _float_unary("exp", jnp.exp)
exp2 = _float_unary("exp2", jnp.exp2)
expm1 = _float_unary("expm1", jnp.expm1)
fabs = _float_unary("fabs", jnp.fabs)
floor = _float_unary("floor", jnp.floor)
i0 = _float_unary("i0", jnp.i0)
log = _float_unary("log", jnp.log)
log10 = _float_unary("log10", jnp.log10)
log1p = _float_unary("log1p", jnp.log1p)
log2 = _float_unary("log2", jnp.log2)
rad2deg = _float_unary("rad2deg", jnp.rad2deg)
reciprocal = _float_unary("reciprocal", jnp.reciprocal)
sin = _float_unary("sin", jnp.sin)
sinc = _float_unary("sinc", jnp.sinc)
sinh = _float_unary("sinh", jnp.sinh)
sqrt = _float_unary("sqrt", jnp.sqrt)
tan = _float_unary("tan", jnp.tan)
tanh = _float_unary("tanh", jnp.tanh)

# --- unary predicates -------------------------------------------------------------------
isfinite = _bool_unary("isfinite", jnp.isfinite)
isinf = _bool_unary("isinf", jnp.isinf)
isnan = _bool_unary("isnan", jnp.isnan)
isneginf = _bool_unary("isneginf", jnp.isneginf)
isposinf = _bool_unary("isposinf", jnp.isposinf)
isreal = _bool_unary("isreal", jnp.isreal)
logical_not = _bool_unary("logical_not", jnp.logical_not)
signbit = _bool_unary("signbit", jnp.signbit)

# --- binary arithmetic ------------------------------------------------------------------
add = _promoting_binary("add", jnp.add)
multiply = _promoting_binary("multiply", jnp.multiply)
maximum = _promoting_binary("maximum", jnp.maximum)
minimum = _promoting_binary("minimum", jnp.minimum)
fmax = _promoting_binary("fmax", jnp.fmax)
fmin = _promoting_binary("fmin", jnp.fmin)


@symbolic_op
def subtract(x1: Any, x2: Any) -> jax.Array:
    """`x1 - x2` in the promoted dtype (not defined for two bools)."""
    x1, x2 = promote(x1, x2)
    if x1.dtype == jnp.bool_:
        raise TypeError("`subtract` does not accept two bool inputs; use `logical_xor`.")
    return jnp.subtract(x1, x2)


def _bool_pair_as_int(name: str, jax_function: Callable) -> Callable:
    """A promoting op where two bools are computed as int32."""
    def op(x1: Any, x2: Any) -> jax.Array:
        x1, x2 = promote(x1, x2)
        if x1.dtype == jnp.bool_:
            x1, x2 = x1.astype("int32"), x2.astype("int32")
        return jax_function(x1, x2)
    return _named(name, op, f"Element-wise `{name}` in the promoted dtype (bools as int32).")


floor_divide = _bool_pair_as_int("floor_divide", jnp.floor_divide)
fmod = _bool_pair_as_int("fmod", jnp.fmod)
mod = _bool_pair_as_int("mod", jnp.mod)
power = _bool_pair_as_int("power", jnp.power)

divide = _float_binary("divide", jnp.divide)
true_divide = _float_binary("true_divide", jnp.true_divide)
heaviside = _float_binary("heaviside", jnp.heaviside)
hypot = _float_binary("hypot", jnp.hypot)
nextafter = _float_binary("nextafter", jnp.nextafter)


@symbolic_op
def divide_no_nan(x1: Any, x2: Any) -> jax.Array:
    """`x1 / x2`, with 0 wherever `x2` is 0."""
    x1, x2 = promote_to_float(x1, x2)
    safe = jnp.where(x2 == 0, jnp.ones_like(x2), x2)
    return jnp.where(x2 == 0, jnp.zeros_like(x1 / safe), x1 / safe)


def _float_binary_strong(name: str, jax_function: Callable) -> Callable:
    """A float op whose python scalar operands count at their full default dtype."""
    def op(x1: Any, x2: Any) -> jax.Array:
        x1, x2 = to_tensor(x1), to_tensor(x2)
        dtype = dtypes.result_type(x1.dtype, x2.dtype, float)
        return jax_function(x1.astype(dtype), x2.astype(dtype))
    return _named(name, op, f"Element-wise `{name}`; integer operands give floatx.")


arctan2 = _float_binary_strong("arctan2", jnp.arctan2)
logaddexp = _float_binary_strong("logaddexp", jnp.logaddexp)
logaddexp2 = _float_binary_strong("logaddexp2", jnp.logaddexp2)


@symbolic_op
def ldexp(x1: Any, x2: Any) -> jax.Array:
    """`x1 * 2**x2` for an integer exponent `x2`."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if not dtypes.is_int_dtype(x2.dtype):
        raise TypeError(f"`ldexp` needs an integer exponent `x2`. Received: x2.dtype={x2.dtype}")
    dtype = dtypes.result_type(x1.dtype, float)
    return jnp.ldexp(x1.astype(dtype), x2)


def _integer_binary(name: str, jax_function: Callable, bools_as_int: bool = False) -> Callable:
    """A bit-level op, defined for integer (and bool) operands only."""
    def op(x: Any, y: Any) -> jax.Array:
        x, y = promote(x, y)
        if bools_as_int and x.dtype == jnp.bool_:
            x, y = x.astype("int32"), y.astype("int32")
        if not (dtypes.is_int_dtype(x.dtype) or x.dtype == jnp.bool_):
            raise TypeError(f"`{name}` needs integer or bool operands. Received: "
                            f"dtype={dtypes.standardize_dtype(x.dtype)}")
        return jax_function(x, y)
    op.__name__ = name
    return op


def _bitwise(name: str, jax_function: Callable, bools_as_int: bool = False) -> Callable:
    op = _integer_binary(name, jax_function, bools_as_int)
    return _named(name, op, f"Element-wise `{name}` of integer or bool operands.")


bitwise_and = _bitwise("bitwise_and", jnp.bitwise_and)
bitwise_or = _bitwise("bitwise_or", jnp.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", jnp.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", jnp.left_shift, bools_as_int=True)
bitwise_right_shift = _bitwise("bitwise_right_shift", jnp.right_shift, bools_as_int=True)
left_shift = _bitwise("left_shift", jnp.left_shift, bools_as_int=True)
right_shift = _bitwise("right_shift", jnp.right_shift, bools_as_int=True)


def _integer_only(name: str, jax_function: Callable) -> Callable:
    def op(x1: Any, x2: Any) -> jax.Array:
        x1, x2 = promote(x1, x2)
        if not dtypes.is_int_dtype(x1.dtype):
            raise TypeError(f"`{name}` needs integer operands. Received: "
                            f"dtype={dtypes.standardize_dtype(x1.dtype)}")
        return jax_function(x1, x2)
    return _named(name, op, f"Element-wise `{name}` of integer operands.")


gcd = _integer_only("gcd", jnp.gcd)
lcm = _integer_only("lcm", jnp.lcm)

# --- comparisons and logic --------------------------------------------------------------
equal = _comparison("equal", jnp.equal)
not_equal = _comparison("not_equal", jnp.not_equal)
greater = _comparison("greater", jnp.greater)
greater_equal = _comparison("greater_equal", jnp.greater_equal)
less = _comparison("less", jnp.less)
less_equal = _comparison("less_equal", jnp.less_equal)
logical_and = _comparison("logical_and", jnp.logical_and)
logical_or = _comparison("logical_or", jnp.logical_or)
logical_xor = _comparison("logical_xor", jnp.logical_xor)


@symbolic_op
def isclose(x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> jax.Array:
    """Where `|x1 - x2| <= atol + rtol * |x2|`."""
    x1, x2 = promote(x1, x2)
    return jnp.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


@symbolic_op
def allclose(x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> jax.Array:
    """Whether `isclose` holds everywhere (a bool scalar)."""
    x1, x2 = promote(x1, x2)
    return jnp.allclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)
