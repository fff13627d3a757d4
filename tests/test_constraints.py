"""layerwise.constraints against keras.constraints (JAX backend)."""
import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras.src.constraints import ALL_OBJECTS_DICT as KERAS_CONSTRAINTS

from layerwise import constraints

W = jnp.asarray(np.random.default_rng(1).normal(size=(6, 4)).astype("float32") * 3)
W_CONV = jnp.asarray(np.random.default_rng(2).normal(size=(3, 3, 2, 5)).astype("float32"))

CASES = [
    ("MaxNorm", {}, W),
    ("MaxNorm", {"max_value": 1.5, "axis": 1}, W),
    ("MaxNorm", {"max_value": 1.5, "axis": [0, 1, 2]}, W_CONV),
    ("MinMaxNorm", {}, W),
    ("MinMaxNorm", {"min_value": 2.0, "max_value": 4.0, "rate": 0.7, "axis": 1}, W),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.0, "axis": (0, 1, 2)}, W_CONV),
    ("NonNeg", {}, W),
    ("UnitNorm", {}, W),
    ("UnitNorm", {"axis": [0, 1, 2]}, W_CONV),
]


@pytest.mark.parametrize("name, kwargs, w", CASES)
def test_matches_keras(name, kwargs, w):
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    result = ours(w)
    assert result.shape == w.shape and result.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(result), np.asarray(theirs(w)), rtol=1e-6, atol=1e-7)
    assert ours.get_config() == theirs.get_config()
    assert constraints.serialize(ours) == keras.constraints.serialize(theirs)


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(1e-3, 1e3),
    max_value=st.floats(0.1, 10.0),
    axis=st.sampled_from([0, 1]),
)
def test_max_norm_any_scale_matches_keras(scale, max_value, axis):
    w = W * scale
    ours = constraints.MaxNorm(max_value, axis)(w)
    theirs = keras.constraints.MaxNorm(max_value, axis)(w)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-7)


def test_properties():
    norms = np.linalg.norm(np.asarray(constraints.MaxNorm(1.0)(W)), axis=0)
    assert (norms <= 1.0 + 1e-6).all()
    np.testing.assert_allclose(np.linalg.norm(np.asarray(constraints.UnitNorm(axis=1)(W)), axis=1), 1.0, rtol=1e-6)
    assert (np.asarray(constraints.NonNeg()(W)) >= 0).all()
    # All-zero weights stay zero instead of dividing by zero.
    np.testing.assert_array_equal(constraints.UnitNorm()(jnp.zeros((3, 2))), 0.0)
    assert constraints.Constraint()(W) is W


def test_jittable():
    result = jax.jit(constraints.MinMaxNorm(0.5, 2.0))(W)
    np.testing.assert_allclose(result, constraints.MinMaxNorm(0.5, 2.0)(W), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(KERAS_CONSTRAINTS))
def test_get_by_every_keras_name(name):
    ours = constraints.get(name)
    theirs = keras.constraints.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_config() == theirs.get_config()
    if hasattr(keras.constraints, name):
        assert getattr(constraints, name) is type(ours)


@pytest.mark.parametrize("name, kwargs, w", CASES)
def test_round_trips(name, kwargs, w):
    original = getattr(constraints, name)(**kwargs)
    keras_dict = keras.constraints.serialize(getattr(keras.constraints, name)(**kwargs))
    for rebuilt in [
        constraints.deserialize(constraints.serialize(original)),
        constraints.get(keras_dict),
        constraints.get({"class_name": name, "config": original.get_config()}),  # Keras 2 form
        type(original).from_config(original.get_config()),
    ]:
        assert type(rebuilt) is type(original)
        assert rebuilt.get_config() == original.get_config()


def test_get_other_identifiers():
    assert constraints.get(None) is None
    assert constraints.serialize(None) is None
    instance = constraints.MaxNorm(3)
    assert constraints.get(instance) is instance
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)

    def clip(w):
        return jnp.clip(w, -1, 1)

    assert constraints.get(clip) is clip
    assert constraints.deserialize(constraints.serialize(clip), {"clip": clip}) is clip


def test_errors():
    with pytest.raises(ValueError, match=r"Could not interpret constraint identifier: 'maxnorm'\. Did you mean 'max_norm'"):
        constraints.get("maxnorm")
    with pytest.raises(ValueError, match="constraint"):  # Keras's type
        constraints.get(3)
    with pytest.raises(TypeError, match="config"):
        constraints.deserialize(["MaxNorm"])
