"""layerwise.regularizers against keras.regularizers (JAX backend)."""
import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras.src.regularizers import ALL_OBJECTS_DICT as KERAS_REGULARIZERS

from layerwise import regularizers

# Keras receives JAX arrays, as it does in training (its NumPy path normalizes differently).
W = jnp.asarray(np.random.default_rng(1).normal(size=(6, 4)).astype("float32") * 3)
W_CONV = jnp.asarray(np.random.default_rng(2).normal(size=(3, 3, 2, 5)).astype("float32"))

CASES = [
    ("L1", {}),
    ("L1", {"l1": 0.3}),
    ("L2", {}),
    ("L2", {"l2": 1e-4}),
    ("L1L2", {}),
    ("L1L2", {"l1": 0.1, "l2": 0.2}),
    ("L1L2", {"l2": 0.05}),
    ("OrthogonalRegularizer", {}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
]


@pytest.mark.parametrize("name, kwargs", CASES)
def test_penalty_matches_keras(name, kwargs):
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    inputs = [W, W.T] + ([W_CONV] if name != "OrthogonalRegularizer" else [])
    for x in inputs:
        value = ours(x)
        assert value.shape == () and value.dtype == jnp.float32
        np.testing.assert_allclose(float(value), float(theirs(x)), rtol=1e-6, atol=1e-7)
    assert ours.get_config() == theirs.get_config()
    assert regularizers.serialize(ours) == keras.regularizers.serialize(theirs)


@settings(max_examples=25, deadline=None)
@given(
    l1=st.floats(0, 10, allow_nan=False),
    l2=st.floats(0, 10, allow_nan=False),
    scale=st.floats(1e-3, 1e3),
)
def test_l1l2_any_factors_match_keras(l1, l2, scale):
    x = W * scale
    ours = regularizers.L1L2(l1=l1, l2=l2)(x)
    theirs = keras.regularizers.L1L2(l1=l1, l2=l2)(x)
    np.testing.assert_allclose(float(ours), float(theirs), rtol=1e-6, atol=1e-7)


def test_known_values():
    x = jnp.array([[1.0, -2.0], [3.0, 0.0]])
    assert float(regularizers.L1(0.5)(x)) == pytest.approx(3.0)
    assert float(regularizers.L2(0.5)(x)) == pytest.approx(7.0)  # no factor 1/2
    orthogonal = jnp.array([[1.0, 0.0], [0.0, 2.0]])
    assert float(regularizers.OrthogonalRegularizer(1.0)(orthogonal)) == 0.0
    parallel = jnp.array([[1.0, 1.0], [2.0, 2.0]])
    assert float(regularizers.OrthogonalRegularizer(1.0)(parallel)) == pytest.approx(1.0, rel=1e-6)


def test_differentiable_under_jit():
    gradient = jax.jit(jax.grad(regularizers.L1L2(l1=0.1, l2=0.2)))(jnp.array([1.0, -2.0]))
    np.testing.assert_allclose(gradient, [0.1 + 0.4, -0.1 - 0.8], rtol=1e-6)


def test_float32_rounded_configs_like_keras():
    # Keras stores `l1` and `factor` as float32 tensors; its configs show the rounding.
    assert regularizers.L1().get_config() == {"l1": 0.009999999776482582}
    assert regularizers.L2().get_config() == {"l2": 0.01}


@pytest.mark.parametrize("name", sorted(KERAS_REGULARIZERS))
def test_get_by_every_keras_name(name):
    ours = regularizers.get(name)
    assert type(ours).__name__ == KERAS_REGULARIZERS[name].__name__
    assert ours.get_config() == keras.regularizers.get(name).get_config() if name not in (
        "Regularizer", "regularizer") else True


def test_string_identifiers():
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get("l1l2").get_config() == {"l1": 0.0, "l2": 0.0}
    # Keras 2's "l1_l2" string means both factors 0.01 (Keras 3.15 no longer accepts it).
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert regularizers.l1_l2 is regularizers.L1L2


@pytest.mark.parametrize("name, kwargs", CASES)
def test_round_trips(name, kwargs):
    original = getattr(regularizers, name)(**kwargs)
    keras_dict = keras.regularizers.serialize(getattr(keras.regularizers, name)(**kwargs))
    for rebuilt in [
        regularizers.deserialize(regularizers.serialize(original)),
        regularizers.get(keras_dict),
        regularizers.get({"class_name": name, "config": original.get_config()}),  # Keras 2 form
        type(original).from_config(original.get_config()),
    ]:
        assert type(rebuilt) is type(original)
        assert rebuilt.get_config() == original.get_config()


def test_get_other_identifiers():
    assert regularizers.get(None) is None
    assert regularizers.serialize(None) is None
    instance = regularizers.L2(0.3)
    assert regularizers.get(instance) is instance
    assert isinstance(regularizers.get(regularizers.L1), regularizers.L1)

    def penalty(x):
        return jnp.sum(x) * 0.0

    assert regularizers.get(penalty) is penalty
    assert regularizers.serialize(penalty)["config"] == "penalty"
    assert regularizers.deserialize(regularizers.serialize(penalty), {"penalty": penalty}) is penalty


def test_errors():
    with pytest.raises(ValueError, match=r"Could not interpret regularizer identifier: 'l22'\. Did you mean 'l2'"):
        regularizers.get("l22")
    with pytest.raises(ValueError, match="`l2`.*Received: l2=-1"):
        regularizers.L2(-1)
    with pytest.raises(ValueError, match="`l1`"):
        regularizers.L1(float("nan"))
    with pytest.raises(ValueError, match="`l1`"):
        regularizers.L1L2(l1="a")
    with pytest.raises(ValueError, match="`mode`.*Did you mean 'rows'"):
        regularizers.OrthogonalRegularizer(mode="row")
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(W_CONV)
    with pytest.raises(ValueError, match="regularizer"):  # Keras's type
        regularizers.get(3)
