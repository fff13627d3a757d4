"""Every numpy-style op of real Keras, against ours: same values, same dtype, same errors.

The op names are enumerated from the installed Keras, so an op we lack fails here. Each op is
called on a small table of inputs (several shapes and dtypes, python scalars in binary ops);
where Keras raises we must raise too.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import keras
from keras import ops as keras_ops

from layerwise import ops

KERAS_NUMPY_NAMES = sorted(
    name for name in dir(keras_ops)
    if not name.startswith("_")
    and getattr(getattr(keras_ops, name), "__module__", None) == "keras.src.ops.numpy")

# Ops checked by their own tests below rather than by the input table, and why.
NOT_IN_TABLE = {
    "vectorize": "takes and returns a python function; test_vectorize",
    "empty": "contents are unspecified in Keras; test_empty_shapes_and_dtypes",
    "empty_like": "contents are unspecified in Keras; test_empty_shapes_and_dtypes",
}

_rng = np.random.default_rng(0)


def _floats(shape, dtype="float32"):
    return jnp.asarray(_rng.uniform(-2, 2, size=shape).astype("float32"), dtype=dtype)


def _ints(shape, dtype="int32", low=-3, high=4):
    return jnp.asarray(_rng.integers(low, high, size=shape), dtype=dtype)


F = _floats((2, 3))
F_ROW = _floats((3,))
F16 = _floats((2, 3), "float16")
BF16 = _floats((2, 3), "bfloat16")
POSITIVE = jnp.asarray(_rng.uniform(0.1, 3, size=(2, 3)), "float32")
UNIT = jnp.asarray(_rng.uniform(-0.9, 0.9, size=(2, 3)), "float32")
I = _ints((2, 3))
I_ROW = _ints((3,))
I8 = _ints((2, 3), "int8")
U8 = _ints((2, 3), "uint8", 0, 5)
NATURAL = _ints((2, 3), "int32", 0, 5)
B = jnp.asarray(_rng.integers(0, 2, size=(2, 3)), bool)
V = _floats((4,))
WITH_NAN = jnp.asarray([[1.0, np.nan, -2.0], [np.inf, 0.5, -np.inf]], "float32")
SQUARE = _floats((3, 3))

# Kept small on purpose: each new (shape, dtype) costs an XLA compile per primitive.
UNARY_INPUTS = [F, I, B, F16, I8.reshape(6)]
BINARY_PAIRS = [(F, F), (I, F_ROW), (B, I), (I8, U8), (F16, F), (B, B), (I, 2), (I8, 1.5),
                (F16, 1.5), (2, I), (B, True)]
INT_PAIRS = [(I, NATURAL), (I8, U8), (B, B), (U8, 2), (F, I)]
REDUCTION_CALLS = [(F, {}), (F, {"axis": 1}), (I, {"axis": 0, "keepdims": True}), (B, {}),
                   (F16, {"axis": 1}), (U8, {}), (I8, {"axis": (0, 1)}), (WITH_NAN, {"axis": 1})]

UNARY = """abs absolute angle arccos arccosh arcsin arcsinh arctan arctanh array bitwise_invert
bitwise_not cbrt ceil conj conjugate copy corrcoef cos cosh deg2rad diagflat exp exp2 expm1 fabs
floor i0 imag isfinite isinf isnan isneginf isposinf isreal log log10 log1p log2 logical_not
nan_to_num negative ones_like rad2deg ravel real reciprocal sign signbit sin sinc sinh sqrt
square tan tanh trunc zeros_like fliplr flipud rot90 tril triu transpose diff sort argsort
round ndim size nonzero""".split()
BINARY = """add allclose append arctan2 divide divide_no_nan equal floor_divide fmax fmin fmod
greater greater_equal heaviside hypot isclose isin ldexp less less_equal logaddexp logaddexp2
logical_and logical_or logical_xor maximum minimum mod multiply nextafter not_equal outer power
subtract true_divide kron""".split()
INTEGER_BINARY = """bitwise_and bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift
left_shift right_shift gcd lcm""".split()
REDUCTIONS = """all any amax amin max min mean median nanmax nanmean nanmedian nanmin nanprod
nanstd nansum nanvar prod ptp std sum var""".split()
ARG_REDUCTIONS = "argmax argmin nanargmax nanargmin".split()
CUMULATIVE = "cumsum cumprod nancumsum nancumprod".split()


def _calls(name):
    """(args, kwargs) pairs to call op `name` with."""
    if name in UNARY:
        inputs = UNARY_INPUTS
        if name in ("arccos", "arcsin", "arctanh"):
            inputs = inputs + [UNIT]
        if name in ("log", "log10", "log2", "sqrt", "arccosh", "reciprocal"):
            inputs = inputs + [POSITIVE]
        if name in ("nan_to_num", "isfinite", "isinf", "isnan", "isneginf", "isposinf"):
            inputs = inputs + [WITH_NAN]
        if name in ("fliplr", "flipud", "rot90", "tril", "triu", "corrcoef"):
            inputs = [x for x in inputs if x.ndim == 2]
        return [((x,), {}) for x in inputs]
    if name in BINARY:
        pairs = BINARY_PAIRS
        if name == "ldexp":
            pairs = [(F, I), (F16, I8), (I, I), (F, 2), (F, F), (B, I)]
        if name in ("allclose", "isclose"):
            return [((a, b), {}) for a, b in pairs] + [((F, F + 1e-3), {"atol": 1e-2})]
        return [((a, b), {}) for a, b in pairs]
    if name in INTEGER_BINARY:
        return [((a, b), {}) for a, b in INT_PAIRS]
    if name in REDUCTIONS:
        return [((x,), kw) for x, kw in REDUCTION_CALLS]
    if name in ARG_REDUCTIONS:
        return [((F,), {}), ((I,), {"axis": 1}), ((B,), {"axis": 0, "keepdims": True}),
                ((WITH_NAN,), {"axis": 1})]
    if name in CUMULATIVE:
        return [((F,), {}), ((I,), {"axis": 1}), ((B,), {"axis": 0}), ((U8,), {"axis": 1}),
                ((F16,), {"axis": 0, "dtype": "float32"})]
    return SPECIAL[name]()


def _each(xs, **kwargs):
    return [((x,), dict(kwargs)) for x in xs]


SPECIAL = {
    "arange": lambda: [((5,), {}), ((5.0,), {}), ((1, 7, 2), {}), ((0, 1, 0.25), {}),
                       ((5,), {"dtype": "int8"}), ((2, 8), {"dtype": "float16"})],
    "average": lambda: [((F,), {}), ((I,), {"axis": 1}), ((F,), {"axis": 1, "weights": F_ROW}),
                        ((I8,), {"axis": 1, "weights": I_ROW}), ((F16,), {"axis": 0}),
                        ((F16,), {"axis": 1, "weights": jnp.ones(3, "int8")})],
    "bartlett": lambda: _each([1, 5, 6]),
    "blackman": lambda: _each([1, 5, 6]),
    "hamming": lambda: _each([1, 5, 6]),
    "hanning": lambda: _each([1, 5, 6]),
    "kaiser": lambda: [((5, 3.0), {}), ((6, 0.5), {})],
    "bincount": lambda: [((jnp.asarray([0, 1, 1, 4]),), {}),
                         ((jnp.asarray([0, 1, 1, 4]),), {"minlength": 7}),
                         ((jnp.asarray([0, 1, 1], "uint8"),), {"weights": jnp.asarray([1., 2, 3])}),
                         ((jnp.asarray([0, 1, 1]),), {"weights": jnp.asarray([1, 2, 3], "int8")})],
    "broadcast_to": lambda: [((F_ROW, (2, 3)), {}), ((I, (4, 2, 3)), {}), ((B, [1, 2, 3]), {})],
    "clip": lambda: [((x, lo, hi), {}) for x in (F, I, B, I8, U8, F16)
                     for lo, hi in ((0, 1), (-0.5, 1.5), (False, True))],
    "concatenate": lambda: [(([F, F],), {}), (([I, F],), {"axis": 1}), (([I8, U8],), {}),
                            (([B, B],), {"axis": -1}), (([F, I],), {"axis": None})],
    "correlate": lambda: [((a, b), {"mode": m}) for a, b in ((V, F_ROW), (I_ROW, I_ROW),
                                                             (V.astype("float16"), I_ROW))
                          for m in ("valid", "same", "full")],
    "count_nonzero": lambda: [((x,), kw) for x in (I, B, F) for kw in ({}, {"axis": 1},
                                                                      {"axis": (0, 1)})],
    "cross": lambda: [((_floats((2, 3)), _floats((2, 3))), {}),
                      ((_ints((3,)), _ints((3,), "int8")), {}),
                      ((_floats((3, 2)), _floats((3, 2))), {"axis": 0}),
                      ((_floats((2, 2)), _floats((2, 3))), {})],
    "diag": lambda: [((x,), {"k": k}) for x in (F, V, I_ROW) for k in (0, 1, -1)],
    "diagonal": lambda: [((x,), kw) for x in (F, _floats((2, 3, 4)))
                         for kw in ({}, {"offset": 1}, {"axis1": 1, "axis2": 0, "offset": -1})],
    "digitize": lambda: [((F, jnp.asarray([-1.0, 0.0, 1.0])), {}),
                         ((I, jnp.asarray([0, 2])), {})],
    "dot": lambda: [((F, F.T), {}), ((I8, U8.T), {}), ((V, V), {}), ((F, F_ROW), {}),
                    ((F, 2.0), {}), ((B, B.T), {}), ((I8, I8.T), {})],
    "einsum": lambda: [(("ij,kj->ik", F, F), {}), (("ij,kj->ik", I8, U8), {}),
                       (("ij,kj->ik", I8, I8), {}), (("ij->j", I8), {}), (("ij->j", B), {}),
                       (("ij,j->i", I, F_ROW), {}), (("ii", SQUARE), {}),
                       (("ij,jk,kl->il", F, F.T, F), {})],
    "expand_dims": lambda: [((F, 0), {}), ((I, -1), {}), ((B, (0, 2)), {}), ((F, [1]), {})],
    "eye": lambda: [((3,), {}), ((3, 4), {"k": 1}), ((2,), {"dtype": "int32"})],
    "flip": lambda: [((x,), kw) for x in (F, I) for kw in ({}, {"axis": 1}, {"axis": (0, 1)})],
    "full": lambda: [(((2, 3), 3), {}), (((2,), 1.5), {"dtype": "int32"}), ((4, True), {}),
                     (((2, 2), 2), {"dtype": "bool"})],
    "full_like": lambda: [((I8, 3.5), {}), ((F, 2), {}), ((B, 3), {}),
                          ((I, 1.5), {"dtype": "float32"})],
    "geomspace": lambda: [((1, 10), {"num": 5}), ((1.0, 1000.0, 4), {"endpoint": False}),
                          ((1, 8), {"num": 4, "dtype": "int32"})],
    "get_item": lambda: [((F, 0), {}), ((F, (0, slice(1, None))), {}),
                         ((I, (slice(None), None, 1)), {}), ((V, slice(None, None, -1)), {})],
    "histogram": lambda: [((V,), {}), ((V,), {"bins": 3}), ((V,), {"bins": 4, "range": (-1, 1)})],
    "identity": lambda: [((3,), {}), ((2,), {"dtype": "int8"})],
    "inner": lambda: [((a, b), {}) for a, b in ((F, F), (I8, U8), (V, V), (B, B), (F, 2.0))],
    "linspace": lambda: [((0, 1), {"num": 5}), ((0, 10, 5), {"dtype": "int32"}),
                         ((0, 1, 4), {"endpoint": False}), ((0, 1, 5), {"retstep": True}),
                         ((F_ROW, 2.0, 3), {}), ((F_ROW, 2.0, 3), {"axis": 1})],
    "logspace": lambda: [((0, 1), {"num": 5}), ((0, 2, 3), {"base": 2}),
                         ((0.0, 1.0, 4), {"endpoint": False})],
    "matmul": lambda: [((a, b), {}) for a, b in
                       ((F, F.T), (I8, U8.T), (I8, I8.T), (B, B.T), (U8, U8.T), (I, F.T),
                        (F16, F.T), (_floats((2, 2, 3)), _floats((3, 4))), (V, V),
                        (F_ROW, F.T))],
    "meshgrid": lambda: [((V, F_ROW), {}), ((V, I_ROW), {"indexing": "ij"}),
                         ((V, F_ROW, I_ROW), {})],
    "moveaxis": lambda: [((_floats((2, 3, 4)), 0, -1), {}), ((_floats((2, 3, 4)), (0, 1), (2, 0)), {})],
    "ones": lambda: [((3,), {}), (((2, 3),), {"dtype": "int8"}), (([2, 1],), {"dtype": "bool"})],
    "zeros": lambda: [((3,), {}), (((2, 3),), {"dtype": "int8"}), (([2, 1],), {"dtype": "bool"})],
    "pad": lambda: [((I8, 1), {}), ((I8, ((1, 0), (0, 2))), {"constant_values": 3}),
                    ((F, 1), {"mode": "reflect"}), ((F, ((0, 1), (2, 2))), {"mode": "symmetric"}),
                    ((B, 1), {}), ((F, 2), {"mode": "edge"}), ((F, 1), {"mode": "wrap"}),
                    ((F, 1), {"mode": "maximum"})],
    "quantile": lambda: [((x, q), kw) for x in (F, I, F16) for q in (0.5, jnp.asarray([0.2, 0.9]))
                         for kw in ({}, {"axis": 1, "keepdims": True}, {"method": "nearest"})],
    "percentile": lambda: [((x, q), kw) for x in (F, I) for q in (50, jnp.asarray([20.0, 90.0]))
                           for kw in ({}, {"axis": 1}, {"method": "higher"})],
    "nanquantile": lambda: [((x, 0.3), kw) for x in (WITH_NAN, F, I) for kw in ({}, {"axis": 1})],
    "nanpercentile": lambda: [((x, 30), kw) for x in (WITH_NAN, F, I) for kw in ({}, {"axis": 1})],
    "repeat": lambda: [((I8, 2), {}), ((I8, 2), {"axis": 1}), ((F, [1, 2]), {"axis": 0})],
    "reshape": lambda: [((F, (3, 2)), {}), ((I, (-1,)), {}), ((B, [1, -1, 3]), {}), ((V, 4), {})],
    "roll": lambda: [((F, 1), {}), ((I, -1), {"axis": 1}), ((F, (1, 2)), {"axis": (0, 1)})],
    "searchsorted": lambda: [((jnp.asarray([1.0, 2.0, 3.0]), F), {}),
                             ((jnp.asarray([1, 2, 3]), I), {"side": "right"}),
                             ((jnp.asarray([1, 3]), jnp.asarray([2.5])), {})],
    "select": lambda: [(([B, ~B], [I8, F16]), {}), (([B], [I8]), {"default": 2.0}),
                       (([F > 0, F < -1], [F, I]), {"default": -1})],
    "slogdet": lambda: [((SQUARE,), {}), ((jnp.eye(3, dtype="int32"),), {}),
                        ((_floats((2, 3, 3)),), {})],
    "split": lambda: [((jnp.arange(6), 3), {}), ((jnp.arange(6), [2, 3]), {}),
                      ((F, 3), {"axis": 1})],
    "array_split": lambda: [((jnp.arange(7), 3), {}), ((F, [1]), {"axis": 1})],
    "hsplit": lambda: [((F, 3), {}), ((_floats((4, 4)), [1, 3]), {})],
    "vsplit": lambda: [((F, 2), {}), ((_floats((4, 4)), [1, 3]), {})],
    "dsplit": lambda: [((_floats((2, 2, 4)), 2), {}), ((_floats((2, 2, 4)), [1]), {})],
    "squeeze": lambda: [((_floats((1, 2, 1)),), {}), ((_floats((1, 2, 1)),), {"axis": 0}),
                        ((_ints((1, 2, 1)),), {"axis": (0, 2)}), ((F,), {"axis": 0})],
    "stack": lambda: [(([F, F],), {}), (([I8, F16],), {"axis": 1}), (([B, I],), {"axis": -1})],
    "hstack": lambda: [(([F, I],), {}), (([I8, U8],), {}), (([V, V],), {})],
    "vstack": lambda: [(([F, I],), {}), (([B, I8],), {}), (([V, V],), {})],
    "dstack": lambda: [(([F, I],), {}), (([I8, F16],), {})],
    "swapaxes": lambda: [((F, 0, 1), {}), ((_floats((2, 3, 4)), -1, 0), {})],
    "take": lambda: [((F, jnp.asarray([0, 1])), {}), ((F, jnp.asarray([[0, 2]])), {"axis": 1}),
                     ((F, 1), {"axis": 0}), ((F, jnp.asarray([-1, 0])), {"axis": 1}),
                     ((F, jnp.asarray([0.0, 1.0])), {"axis": 1}), ((I8, [3, 0]), {})],
    "take_along_axis": lambda: [((F, jnp.asarray([[0], [2]])), {"axis": 1}),
                                ((F, jnp.asarray([[1, 0, 1]])), {"axis": 0}),
                                ((F, jnp.asarray([-1, 0])), {"axis": None})],
    "tensordot": lambda: [((F, F), {}), ((I8, U8), {"axes": ([1], [1])}),
                          ((B, B), {"axes": ([1], [1])}), ((F, F.T), {"axes": 1}),
                          ((F, 2.0), {})],
    "tile": lambda: [((I8, 2), {}), ((I8, (2, 1, 1)), {}), ((F, [1, 2]), {})],
    "trace": lambda: [((x,), kw) for x in (F, I8, B, _floats((2, 3, 4)))
                      for kw in ({}, {"offset": 1}, {"axis1": 1, "axis2": 0})],
    "trapezoid": lambda: [((I8,), {}), ((F16,), {}), ((F,), {"dx": 0.5, "axis": 0}),
                          ((F, F_ROW), {}), ((I, I_ROW), {})],
    "tri": lambda: [((3,), {}), ((3, 4), {"k": 1}), ((2,), {"dtype": "int32"})],
    "unique": lambda: [((jnp.asarray([3, 1, 1, 2]),), {}),
                       ((jnp.asarray([3.0, 1.0, 1.0]),),
                        {"return_counts": True, "return_inverse": True, "return_index": True}),
                       ((jnp.asarray([3, 1, 1, 2]),), {"size": 5, "fill_value": -1}),
                       ((jnp.asarray([[1, 2], [1, 2], [0, 1]]),), {"axis": 0})],
    "unravel_index": lambda: [((jnp.asarray([1, 4]), (2, 3)), {}),
                              ((jnp.asarray([0, 5], "int8"), (2, 3)), {})],
    "vander": lambda: [((x,), kw) for x in (F_ROW, I_ROW, I_ROW.astype("int8"), B[0])
                       for kw in ({}, {"N": 2, "increasing": True})],
    "vdot": lambda: [((a, b), {}) for a, b in ((F, F), (I8, U8), (B, B), (V, V), (F, 2.0))],
    "view": lambda: [((F, "int32"), {}), ((I, "float32"), {}), ((F,), {}),
                     ((U8, "int8"), {})],
    "where": lambda: [((B, I8, F16), {}), ((B, I8, 3), {}), ((B, I8, 3.0), {}), ((B, 1, 2), {}),
                      ((B, 1.0, 2), {}), ((B,), {}), ((I, B, B), {}), ((B, I8, None), {})],
    "argpartition": lambda: [((F, 1), {}), ((I, 0), {"axis": 0}), ((V, 2), {})],
}


def _tree_leaves(result):
    if isinstance(result, (list, tuple)):
        return [leaf for item in result for leaf in _tree_leaves(item)]
    return [result]


def _assert_same(ours, theirs, context):
    our_leaves, their_leaves = _tree_leaves(ours), _tree_leaves(theirs)
    assert len(our_leaves) == len(their_leaves), context
    for our, their in zip(our_leaves, their_leaves):
        their_dtype = keras.backend.standardize_dtype(np.asarray(their).dtype
                                                      if not hasattr(their, "dtype")
                                                      else their.dtype)
        our_dtype = keras.backend.standardize_dtype(getattr(our, "dtype", np.asarray(our).dtype))
        assert our_dtype == their_dtype, f"{context}: dtype {our_dtype} != {their_dtype}"
        our_array, their_array = np.asarray(our), np.asarray(their)
        assert our_array.shape == their_array.shape, f"{context}: shape"
        if our_dtype in ("float16", "bfloat16"):
            tolerance = {"rtol": 1e-2, "atol": 1e-2}
        else:
            tolerance = {"rtol": 1e-6, "atol": 1e-6}
        if np.issubdtype(their_array.dtype, np.inexact) or our_dtype == "bfloat16":
            np.testing.assert_allclose(our_array.astype("float64"),
                                       their_array.astype("float64"),
                                       equal_nan=True, err_msg=context, **tolerance)
        else:
            np.testing.assert_array_equal(our_array, their_array, err_msg=context)


def _describe(value):
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return f"{value.dtype}{list(value.shape)}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_describe(v) for v in value) + "]"
    return repr(value)


def test_we_have_every_keras_numpy_op():
    missing = [name for name in KERAS_NUMPY_NAMES if not hasattr(ops, name)]
    assert missing == []
    assert len(KERAS_NUMPY_NAMES) > 200


def test_every_op_is_in_the_table_or_explained():
    tabled = set(UNARY + BINARY + INTEGER_BINARY + REDUCTIONS + ARG_REDUCTIONS + CUMULATIVE
                 + list(SPECIAL))
    unexplained = [n for n in KERAS_NUMPY_NAMES if n not in tabled and n not in NOT_IN_TABLE]
    assert unexplained == []


TABLE_NAMES = [n for n in KERAS_NUMPY_NAMES if n not in NOT_IN_TABLE]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_op_matches_keras(name):
    assert hasattr(ops, name), f"layerwise.ops lacks {name}"
    calls = _calls(name)
    assert calls, name
    for args, kwargs in calls:
        context = f"{name}({', '.join(_describe(a) for a in args)}, {kwargs})"
        try:
            theirs = getattr(keras_ops, name)(*args, **kwargs)
        except Exception:  # noqa: BLE001 - whatever Keras rejects, we must reject too
            with pytest.raises(Exception):
                getattr(ops, name)(*args, **kwargs)
            continue
        ours = getattr(ops, name)(*args, **kwargs)
        _assert_same(ours, theirs, context)


def test_vectorize():
    ours = ops.vectorize(lambda a, b: a * b + 1)
    theirs = keras_ops.vectorize(lambda a, b: a * b + 1)
    _assert_same(ours(F, F_ROW), theirs(F, F_ROW), "vectorize")
    ours = ops.vectorize(lambda v: jnp.sum(v), signature="(n)->()")
    theirs = keras_ops.vectorize(lambda v: jnp.sum(v), signature="(n)->()")
    _assert_same(ours(F), theirs(F), "vectorize with signature")


@pytest.mark.parametrize("name", ["empty", "empty_like"])
def test_empty_shapes_and_dtypes(name):
    for args, kwargs in {"empty": [(((2, 3),), {}), ((3,), {"dtype": "int8"})],
                         "empty_like": [((I8,), {}), ((F,), {"dtype": "int32"})]}[name]:
        ours = getattr(ops, name)(*args, **kwargs)
        theirs = getattr(keras_ops, name)(*args, **kwargs)
        assert ours.shape == theirs.shape
        assert str(ours.dtype) == str(theirs.dtype)


# --- symbolic tensors: the same table on KerasTensors gives Keras's output specs ----------
def _symbolic(value, tensor_class):
    if isinstance(value, jax.Array):
        return tensor_class(tuple(value.shape), keras.backend.standardize_dtype(value.dtype))
    if isinstance(value, list):
        return [_symbolic(v, tensor_class) for v in value]
    return value


def _specs(result):
    """(shape, dtype) of each output; a python int output counts as an int32 scalar."""
    return [(tuple(leaf.shape), keras.backend.standardize_dtype(leaf.dtype))
            if hasattr(leaf, "shape") else ((), "int32") for leaf in _tree_leaves(result)]


# Ops Keras cannot run symbolically on every table input (its spec raises or needs values).
SYMBOLIC_SKIPS = {"vectorize", "empty", "empty_like"}

# Where Keras's symbolic output spec disagrees with what its own eager op returns (dtype
# or shape), we follow the eager result, so a symbolic graph and an eager call agree.
KERAS_SPEC_DIFFERS_FROM_EAGER = {
    "bincount": "weighted counts: spec int32, eager the weights' dtype",
    "bitwise_left_shift": "two bools: spec bool, eager int32",
    "bitwise_right_shift": "two bools: spec bool, eager int32",
    "left_shift": "two bools: spec bool, eager int32",
    "right_shift": "two bools: spec bool, eager int32",
    "floor_divide": "two bools: spec bool, eager int32",
    "power": "two bools: spec bool, eager int32",
    "heaviside": "two bools: spec bool, eager float32",
    "hypot": "two bools: spec bool, eager float32",
    "clip": "int array, float bounds: spec int32, eager float32",
    "corrcoef": "spec keeps the input shape, eager is (rows, rows)",
    "kron": "spec shape differs from eager's for inputs of different ranks",
    "logaddexp": "float16 and a python float: spec float16, eager float32",
    "logaddexp2": "float16 and a python float: spec float16, eager float32",
    "nextafter": "float16 and a python float: spec float32, eager float16",
    "reciprocal": "float16: spec float32, eager float16",
    "meshgrid": "spec gives every grid the first input's dtype, eager keeps each input's",
    "ndim": "spec is a float32 tensor of shape (rank,), eager a python int",
    "select": "spec takes the first choice's dtype, eager promotes all choices",
    "slogdet": "integer input: spec int32, eager float32",
    "gcd": "uint8 and a python int: spec int32, eager uint8",
    "lcm": "uint8 and a python int: spec int32, eager uint8",
    "vstack": "1-D inputs: spec concatenates to (8,), eager stacks rows to (2, 4)",
    "where": "condition only: spec is one tensor shaped like the condition, eager a tuple",
}


# Known failures of the shared symbolic machinery (operation.py, owned by ops-core).
SYMBOLIC_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=SYMBOLIC_XFAIL[n]))
    if n in SYMBOLIC_XFAIL else n
    for n in TABLE_NAMES if n not in SYMBOLIC_SKIPS])
def test_op_on_symbolic_tensors_matches_keras_output_spec(name):
    import layerwise

    checked, keras_disagrees = 0, False
    for args, kwargs in _calls(name):
        if not any(isinstance(a, jax.Array) or (isinstance(a, list) and a
                                                and isinstance(a[0], jax.Array))
                   for a in args):
            continue  # nothing symbolic to pass
        try:
            eager = _specs(getattr(keras_ops, name)(*args, **kwargs))
            spec = _specs(getattr(keras_ops, name)(
                *[_symbolic(a, keras.KerasTensor) for a in args], **kwargs))
        except Exception:  # noqa: BLE001 - Keras rejects these inputs; nothing to compare
            continue
        ours = getattr(ops, name)(*[_symbolic(a, layerwise.KerasTensor) for a in args],
                                  **kwargs)
        context = f"{name}({', '.join(_describe(a) for a in args)}, {kwargs})"
        ours = _specs(ours)
        if len(spec) != len(eager):  # Keras's spec has the wrong structure (`where`)
            keras_disagrees = True
            assert [(len(shape), dtype) for shape, dtype in ours] == [
                (len(shape), dtype) for shape, dtype in eager], context
            checked += 1
            continue
        assert len(ours) == len(eager), context
        for our, eager_leaf, spec_leaf in zip(ours, eager, spec):
            (spec_shape, spec_dtype), (eager_shape, eager_dtype) = spec_leaf, eager_leaf
            # Dtypes follow eager Keras; shapes follow the spec, whose unknown dims (None)
            # stand for value-dependent sizes.
            expected_shape = tuple(e if s_ is not None else None
                                   for s_, e in zip(spec_shape, eager_shape))
            if len(spec_shape) != len(eager_shape):
                expected_shape = eager_shape
            keras_disagrees |= (spec_dtype != eager_dtype
                                or expected_shape != tuple(spec_shape))
            assert our == (expected_shape, eager_dtype), context
        checked += 1
    assert checked or name in ("arange", "bartlett", "blackman", "eye", "full", "geomspace",
                               "hamming", "hanning", "identity", "kaiser", "linspace",
                               "logspace", "ones", "tri", "zeros")
    assert keras_disagrees == (name in KERAS_SPEC_DIFFERS_FROM_EAGER), name


# --- symbolic shapes: our ops trace abstractly to Keras's output spec -------------------
SYMBOLIC_CASES = [
    ("add", [(None, 3), (3,)]), ("matmul", [(None, 4, 3), (3, 5)]), ("mean", [(None, 3)]),
    ("concatenate", None), ("reshape", None), ("transpose", [(None, 2, 3)]),
    ("expand_dims", None), ("sum", [(None, 3)]), ("argmax", [(None, 3)]),
    ("einsum", None), ("where", [(None, 3), (None, 3), (3,)]), ("cumsum", [(None, 3)]),
]


def _symbolic_inputs(name):
    if name == "concatenate":
        return ([keras.KerasTensor((None, 3)), keras.KerasTensor((None, 3), "int8")],), {"axis": 0}
    if name == "reshape":
        return (keras.KerasTensor((None, 6)), (-1, 2, 3)), {}
    if name == "expand_dims":
        return (keras.KerasTensor((None, 6), "int8"), 1), {}
    if name == "einsum":
        return ("bij,jk->bik", keras.KerasTensor((None, 2, 3)), keras.KerasTensor((3, 4))), {}
    return None


@pytest.mark.parametrize("name,shapes", SYMBOLIC_CASES)
def test_abstract_trace_matches_keras_output_spec(name, shapes):
    """What ops-core's `symbolic_op` relies on: the body traces under `jax.eval_shape`."""
    custom = _symbolic_inputs(name)
    if custom is None:
        args = tuple(keras.KerasTensor(s, "bool" if name == "where" and i == 0 else "float32")
                     for i, s in enumerate(shapes))
        kwargs = {}
    else:
        args, kwargs = custom
    theirs = getattr(keras_ops, name)(*args, **kwargs)

    def concrete(size):
        def swap(v):
            if isinstance(v, keras.KerasTensor):
                return jax.ShapeDtypeStruct(tuple(size if d is None else d for d in v.shape),
                                            jnp.dtype(v.dtype))
            if isinstance(v, list):
                return [swap(x) for x in v]
            return v
        return [swap(a) for a in args]

    traced = []
    for size in (7, 11):
        struct_args = concrete(size)
        leaves = [a for a in jax.tree_util.tree_leaves(struct_args)
                  if isinstance(a, jax.ShapeDtypeStruct)]

        def run(*arrays, struct_args=struct_args):
            it = iter(arrays)
            filled = jax.tree_util.tree_map(
                lambda v: next(it) if isinstance(v, jax.ShapeDtypeStruct) else v, struct_args)
            return getattr(ops, name)(*filled, **kwargs)

        traced.append(jax.eval_shape(run, *leaves))
    # A dim that changes with the stand-in size is unknown (None), as in Keras's spec.
    merged = tuple(a if a == b else None for a, b in zip(traced[0].shape, traced[1].shape))
    assert merged == tuple(theirs.shape)
    assert jnp.dtype(traced[0].dtype).name == theirs.dtype


# --- shape properties (traced abstractly: no compiles) -----------------------------------
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def _shape_of(function, *shapes_and_dtypes):
    structs = [jax.ShapeDtypeStruct(shape, dtype) for shape, dtype in shapes_and_dtypes]
    return jax.eval_shape(function, *structs)


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data())
def test_transpose_and_reshape_shapes(shape, data):
    permutation = data.draw(st.permutations(range(len(shape))))
    inverse = np.argsort(permutation).tolist()
    moved = _shape_of(lambda x: ops.transpose(x, permutation), (shape, "float32"))
    assert moved.shape == tuple(shape[p] for p in permutation)
    back = _shape_of(lambda x: ops.transpose(ops.transpose(x, permutation), inverse),
                     (shape, "int8"))
    assert back.shape == shape and back.dtype == jnp.int8
    flat = _shape_of(lambda x: ops.reshape(x, (-1,)), (shape, "float32"))
    assert flat.shape == (int(np.prod(shape)),)


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data())
def test_expand_dims_then_squeeze_and_split_then_concatenate(shape, data):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    expanded = _shape_of(lambda x: ops.expand_dims(x, axis), (shape, "float32"))
    assert len(expanded.shape) == len(shape) + 1 and expanded.shape[axis] == 1
    squeezed = _shape_of(lambda x: ops.squeeze(ops.expand_dims(x, axis), axis),
                         (shape, "float32"))
    assert squeezed.shape == shape
    split_axis = data.draw(st.integers(0, len(shape) - 1))
    pieces = _shape_of(lambda x: ops.split(x, shape[split_axis], axis=split_axis),
                       (shape, "float32"))
    assert len(pieces) == shape[split_axis]
    joined = _shape_of(lambda x: ops.concatenate(ops.split(x, shape[split_axis], axis=split_axis),
                                                 axis=split_axis), (shape, "float32"))
    assert joined.shape == shape


@settings(max_examples=30, deadline=None)
@given(shape=shapes, keepdims=st.booleans(), data=st.data())
def test_reduction_shapes(shape, keepdims, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    expected = tuple(1 if i == axis else d for i, d in enumerate(shape)) if keepdims else \
        tuple(d for i, d in enumerate(shape) if i != axis)
    for op in (ops.sum, ops.mean, ops.max, ops.std, ops.any):
        result = _shape_of(lambda x: op(x, axis=axis, keepdims=keepdims), (shape, "float32"))
        assert result.shape == expected


@settings(max_examples=30, deadline=None)
@given(left=shapes, data=st.data())
def test_binary_ops_broadcast_like_numpy(left, data):
    right = data.draw(st.lists(st.sampled_from([1, None]), min_size=1,
                               max_size=len(left)).map(tuple))
    right = tuple(d if d == 1 else left[len(left) - len(right) + i] for i, d in enumerate(right))
    result = _shape_of(ops.add, (left, "int8"), (right, "uint8"))
    assert result.shape == np.broadcast_shapes(left, right)
    assert result.dtype == jnp.int16


def test_numpy_arrays_python_lists_and_variables_as_inputs():
    import layerwise

    variable = layerwise.Variable(np.arange(6, dtype="float32").reshape(2, 3))
    their_variable = keras.Variable(np.arange(6, dtype="float32").reshape(2, 3))
    cases = [("add", (np.ones((2, 3)), 1), (np.ones((2, 3)), 1)),
             ("multiply", (np.arange(3), 1.5), (np.arange(3), 1.5)),
             ("sum", ([[1, 2], [3, 4]],), ([[1, 2], [3, 4]],)),
             ("mean", ([1, 2, 4],), ([1, 2, 4],)),
             ("matmul", (variable, np.ones((3, 2), "float32")),
              (their_variable, np.ones((3, 2), "float32"))),
             ("add", (variable, 1), (their_variable, 1)),
             ("concatenate", ([variable, np.zeros((1, 3), "int32")],),
              ([their_variable, np.zeros((1, 3), "int32")],))]
    for name, our_args, their_args in cases:
        _assert_same(getattr(ops, name)(*our_args), getattr(keras_ops, name)(*their_args), name)


def test_dtypes_follow_a_changed_floatx():
    """Ops whose Keras dtype follows floatx. Keras itself is not consistent here: under
    floatx="float16" its mean, std, median, quantile, sqrt, divide, heaviside, linspace,
    correlate, corrcoef and trapezoid of integers still give float32 (ours give floatx)."""
    import layerwise

    calls = [("add", (I8, 1.5)), ("zeros", ((2,),)), ("sin", (I,)), ("ceil", (I,)),
             ("arctan2", (I, I)), ("arange", (0.0, 2.0)), ("full", ((2,), 3)), ("eye", (2,)),
             ("hamming", (3,)), ("var", (I,)), ("average", (I,))]
    layerwise.backend.set_floatx("float16")
    keras.config.set_floatx("float16")
    try:
        for name, args in calls:
            _assert_same(getattr(ops, name)(*args), getattr(keras_ops, name)(*args), name)
    finally:
        layerwise.backend.set_floatx("float32")
        keras.config.set_floatx("float32")
