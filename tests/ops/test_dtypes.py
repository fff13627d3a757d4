"""Our dtype names and promotion rules against Keras's own (keras.src.backend.common.dtypes)."""
import itertools

import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

import keras
from keras.src.backend.common import dtypes as keras_dtypes

from layerwise.ops import dtypes

STANDARD = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
            "bfloat16", "float16", "float32", "float64", "complex64", "complex128"]
PYTHON = [bool, int, float, complex]


def keras_result(*args):
    try:
        return keras_dtypes.result_type(*args)
    except ValueError:
        return ValueError


def our_result(*args):
    try:
        return dtypes.result_type(*args)
    except ValueError:
        return ValueError


def test_result_type_over_all_pairs_of_standard_and_python_types():
    mismatches = [(a, b, our_result(a, b), keras_result(a, b))
                  for a, b in itertools.product(STANDARD + PYTHON, repeat=2)
                  if our_result(a, b) != keras_result(a, b)]
    assert mismatches == []


def test_result_type_over_some_triples():
    rng = np.random.default_rng(0)
    pool = STANDARD + PYTHON + [None]
    for _ in range(300):
        triple = [pool[i] for i in rng.integers(0, len(pool), size=3)]
        assert our_result(*triple) == keras_result(*triple), triple


@pytest.mark.parametrize("args", [(), (None,), ("int8", None), (int,), (float,), (complex,),
                                  ("string",), ("string", "string"), ("string", "int32"),
                                  ("float8_e4m3fn",), ("float8_e5m2", "float32"),
                                  ("float8_e4m3fn", int)])
def test_result_type_edge_cases(args):
    assert our_result(*args) == keras_result(*args)


DTYPE_LIKES = ["int", "bool", "float64", np.float64, np.int64, jnp.int32, None,
               jnp.dtype("bfloat16"), ml_dtypes.bfloat16, int, float, bool, complex, str,
               "string", np.dtype("float16"), "float8_e4m3fn", jnp.float8_e4m3fn, "uint64",
               np.dtype("int64"), np.dtype("float64"), np.bool_]


@pytest.mark.parametrize("dtype", DTYPE_LIKES, ids=repr)
def test_standardize_dtype_and_predicates(dtype):
    assert dtypes.standardize_dtype(dtype) == keras.backend.standardize_dtype(dtype)
    assert dtypes.is_float_dtype(dtype) == keras.backend.is_float_dtype(dtype)
    assert dtypes.is_int_dtype(dtype) == keras.backend.is_int_dtype(dtype)


@pytest.mark.parametrize("bad", ["foo", "float", "double", "float128", object, 3])
def test_standardize_dtype_rejects_what_keras_rejects(bad):
    with pytest.raises(ValueError, match="Invalid dtype"):
        keras.backend.standardize_dtype(bad)
    with pytest.raises(ValueError, match="Invalid dtype"):
        dtypes.standardize_dtype(bad)


def test_dtype_of_operands():
    assert dtypes.dtype_of(3) is int and dtypes.dtype_of(2.0) is float
    assert dtypes.dtype_of(True) is bool
    assert dtypes.dtype_of(jnp.ones(2, "int8")) == "int8"
    assert dtypes.dtype_of(np.ones(2)) == "float64"
    assert dtypes.result_type(dtypes.dtype_of(np.ones(2)), int) == "float32"
