"""Fuzzing fit/predict with random shapes, dtypes and values.

Whatever comes in, the result is either a clear ValueError/TypeError or an output of
the right shape: never another exception type, never a hang.
"""
import warnings

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import layerwise as keras

_MODEL = None


def _model():
    global _MODEL
    if _MODEL is None:
        keras.utils.set_random_seed(0)
        _MODEL = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                                   keras.layers.Dense(2, activation="softmax")])
        _MODEL.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _MODEL


dtypes = st.sampled_from(["float32", "float64", "int32", "int64", "bool", "uint8", "float16",
                          "U3", "object"])
shapes = st.one_of(
    st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple),
    st.integers(1, 40).map(lambda n: (n, 3)),  # valid inputs for the model
    st.integers(1, 40).map(lambda n: (n,)),    # valid sparse labels
)
special = st.sampled_from([0.0, 1.0, -1.0, np.nan, np.inf, 1e30, 2.0, 7.0])


def _array(shape, dtype, fill):
    if dtype == "U3":
        return np.full(shape, "abc")
    if dtype == "object":
        return np.full(shape, None, dtype=object)
    values = np.random.default_rng(0).normal(size=shape) + (fill if np.isfinite(fill) else 0)
    if not np.isfinite(fill) and values.size:
        values.flat[0] = fill
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return values.astype(dtype)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x_shape=shapes, x_dtype=dtypes, y_shape=shapes, y_dtype=dtypes, fill=special,
       batch_size=st.sampled_from([None, 1, 3, 64]), rows=st.integers(1, 40),
       valid_shapes=st.booleans(), class_labels=st.booleans())
def test_fit_either_trains_or_raises_a_clear_error(x_shape, x_dtype, y_shape, y_dtype, fill,
                                                   batch_size, rows, valid_shapes,
                                                   class_labels):
    if valid_shapes:  # half the cases get shapes the model accepts, so both outcomes occur
        x_shape, y_shape = (rows, 3), (rows,)
    x = _array(x_shape, x_dtype, fill)
    y = _array(y_shape, y_dtype, 0.0)
    if class_labels and y.dtype.kind in "fiu":
        y = np.random.default_rng(1).integers(0, 2, size=y.shape).astype(y.dtype)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = _model().fit(x, y, epochs=1, verbose=0, batch_size=batch_size)
    except (ValueError, TypeError) as error:
        assert "Tracer" not in str(error) and str(error)
        event(f"fit raised {type(error).__name__}")
        return
    event("fit trained")
    assert len(history.history["loss"]) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x_shape=shapes, x_dtype=dtypes, fill=special,
       as_list=st.booleans())
def test_predict_either_returns_the_right_shape_or_raises(x_shape, x_dtype, fill, as_list):
    x = _array(x_shape, x_dtype, fill)
    if as_list:
        x = x.tolist()
    try:
        out = _model().predict(x, verbose=0)
    except (ValueError, TypeError) as error:
        assert "Tracer" not in str(error) and str(error)
        event(f"predict raised {type(error).__name__}")
        return
    event("predict returned")
    assert out.shape == (np.asarray(x).shape[0], 2)
