"""layerwise.activations against keras.activations (JAX backend)."""
import subprocess
import sys

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras.src.activations import ALL_OBJECTS_DICT as KERAS_ACTIVATIONS

from layerwise import activations


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [
            rng.normal(size=120) * 3,
            rng.normal(size=40) * 60,  # large |x|: saturation, overflow paths
            [0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 100.0, -100.0, 1e4, -1e4],
        ]
    ).astype("float32")
    columns = [values, -values, 0.1 * values, np.roll(values, 7)]
    return np.stack(columns, axis=1)  # (173, 4): an even last axis, for glu


X = _inputs()
EXTRA_ARGS = {"threshold": {"threshold": 0.3, "default_value": -2.0}}


def _assert_close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-6)


def test_every_keras_activation_exists():
    missing = [name for name in KERAS_ACTIVATIONS if not hasattr(activations, name)]
    assert missing == []
    assert set(KERAS_ACTIVATIONS) <= set(activations.__all__)


# Keras 3.15.1's sparsemax is wrong whenever more than one output is non-zero
# (keras-team/keras#23425); it is checked against a reference implementation below.
KNOWN_KERAS_BUGS = {"sparsemax"}


@pytest.mark.parametrize("name", sorted(set(KERAS_ACTIVATIONS) - KNOWN_KERAS_BUGS))
def test_matches_keras(name):
    kwargs = EXTRA_ARGS.get(name, {})
    ours = getattr(activations, name)(jnp.asarray(X), **kwargs)
    theirs = getattr(keras.activations, name)(X, **kwargs)
    assert ours.dtype == jnp.float32
    _assert_close(ours, theirs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"negative_slope": 0.1},
        {"max_value": 6.0},
        {"max_value": 6},
        {"max_value": 2.5},
        {"threshold": 1.0},
        {"threshold": -0.5, "max_value": 4.0},
        {"negative_slope": 0.3, "threshold": -1.0},
        {"negative_slope": 0.1, "max_value": 6.0},
        {"negative_slope": 0.2, "max_value": 2.0, "threshold": 0.5},
    ],
)
def test_relu_arguments_match_keras(kwargs):
    _assert_close(activations.relu(X, **kwargs), keras.activations.relu(X, **kwargs))


@settings(max_examples=40, deadline=None)
@given(
    negative_slope=st.sampled_from([0.0, 0.01, 0.5]),
    max_value=st.one_of(st.none(), st.floats(0.5, 10.0)),
    threshold=st.sampled_from([0.0, -1.0, 0.7]),
)
def test_relu_any_arguments_match_keras(negative_slope, max_value, threshold):
    kwargs = dict(negative_slope=negative_slope, max_value=max_value, threshold=threshold)
    _assert_close(activations.relu(X, **kwargs), keras.activations.relu(X, **kwargs))


def test_relu_documented_examples():
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    np.testing.assert_array_equal(activations.relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_array_equal(activations.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_array_equal(activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_array_equal(activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])


def test_gelu_forms_and_selu_constants():
    _assert_close(activations.gelu(X, approximate=True), keras.activations.gelu(X, approximate=True))
    # The default is the exact erf form, which differs from the tanh form.
    assert not np.allclose(activations.gelu(X), activations.gelu(X, approximate=True), atol=1e-6)
    np.testing.assert_allclose(activations.selu(jnp.array([1.0])), [1.0507009873554805], rtol=1e-7)
    np.testing.assert_allclose(
        activations.selu(jnp.array([-100.0])), [-1.0507009873554805 * 1.6732632423543772], rtol=1e-6
    )


def test_hard_sigmoid_uses_keras3_slope():
    np.testing.assert_allclose(activations.hard_sigmoid(jnp.array([-3.0, 0.0, 1.5, 3.0])), [0, 0.5, 0.75, 1])


@pytest.mark.parametrize("axis", [0, 1, -1, (0, 1)])
def test_softmax_and_log_softmax_axes(axis):
    x = np.random.default_rng(1).normal(size=(3, 4, 5)).astype("float32") * 5
    _assert_close(activations.softmax(x, axis=axis), keras.activations.softmax(x, axis=axis))
    _assert_close(activations.log_softmax(x, axis=axis), keras.activations.log_softmax(x, axis=axis))


def test_softmax_warns_over_a_size_one_axis():
    with pytest.warns(UserWarning, match="size 1"):
        activations.softmax(jnp.ones((3, 1)))


def _reference_sparsemax(z: np.ndarray) -> np.ndarray:
    """Algorithm 1 of Martins & Astudillo (2016) for one vector, in float64."""
    z = z.astype(np.float64)
    z_sorted = np.sort(z)[::-1]
    cumulative = np.cumsum(z_sorted)
    ranks = np.arange(1, len(z) + 1)
    support_size = ranks[1 + ranks * z_sorted > cumulative][-1]
    tau = (cumulative[support_size - 1] - 1) / support_size
    return np.maximum(z - tau, 0.0)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sparsemax_matches_reference(axis):
    x = np.random.default_rng(2).normal(size=(4, 6, 8)).astype("float32")
    ours = np.asarray(activations.sparsemax(x, axis=axis))
    expected = np.apply_along_axis(_reference_sparsemax, axis, x)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.sum(axis=axis), 1.0, rtol=1e-5)
    assert (ours == 0).any()  # genuinely sparse


def test_sparsemax_known_values_and_keras_agreement_when_one_hot():
    np.testing.assert_allclose(activations.sparsemax(jnp.array([0.0, 0.5, 1.0])), [0, 0.25, 0.75])
    # Where the support is a single entry, Keras's (buggy) formula gives the same answer.
    x = np.random.default_rng(3).normal(size=(5, 7)).astype("float32") * 50
    theirs = np.asarray(keras.activations.sparsemax(x))
    assert ((theirs > 0).sum(axis=-1) == 1).all()
    np.testing.assert_array_equal(activations.sparsemax(x), theirs)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_glu_axes(axis):
    x = np.random.default_rng(2).normal(size=(4, 6, 8)).astype("float32") * 2
    _assert_close(activations.glu(x, axis=axis), keras.activations.glu(x, axis=axis))


def test_glu_rejects_odd_axis():
    with pytest.raises(ValueError, match="even"):
        activations.glu(jnp.ones((2, 3)))


def test_integer_inputs():
    np.testing.assert_array_equal(activations.relu([1, -2, 3]), keras.activations.relu([1, -2, 3]))
    assert activations.tanh(np.array([1, -2])).dtype == jnp.float32
    assert activations.sigmoid(np.array([0])).dtype == jnp.float32


def test_activations_are_jittable_and_differentiable():
    for name in ["relu", "gelu", "softmax", "sparsemax", "mish", "selu"]:
        function = getattr(activations, name)
        jitted = jax.jit(function)(jnp.asarray(X))
        _assert_close(jitted, function(jnp.asarray(X)))
    gradient = jax.grad(lambda x: jnp.sum(activations.silu(x)))(jnp.array([0.0, 1.0]))
    np.testing.assert_allclose(gradient, [0.5, 0.9276705], rtol=1e-6)


# -- get / serialize ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KERAS_ACTIVATIONS))
def test_get_and_serialize_match_keras(name):
    ours = activations.get(name)
    assert ours is getattr(activations, name)
    assert activations.serialize(ours) == keras.activations.serialize(keras.activations.get(name))
    assert activations.get(activations.serialize(ours)) is ours
    assert activations.deserialize(activations.serialize(ours)) is ours


def test_aliases_serialize_under_canonical_name():
    assert activations.swish is activations.silu
    assert activations.serialize(activations.get("swish")) == "silu"
    assert activations.serialize(activations.get("hard_swish")) == "hard_silu"


def test_get_none_callable_and_dict():
    assert activations.get(None) is activations.linear
    custom = lambda x: x * 2  # noqa: E731
    assert activations.get(custom) is custom
    keras_dict = keras.saving.serialize_keras_object(keras.activations.relu)
    assert activations.get(keras_dict) is activations.relu
    assert activations.get({"class_name": "function", "config": "tanh"}) is activations.tanh
    assert activations.get({"class_name": "sigmoid", "config": {}}) is activations.sigmoid


def test_user_function_round_trip():
    def scaled_tanh(x):
        return 2 * jnp.tanh(x)

    assert activations.serialize(scaled_tanh) == "scaled_tanh"
    keras_dict = keras.saving.serialize_keras_object(scaled_tanh)  # as Keras writes it
    custom = {"scaled_tanh": scaled_tanh}
    assert activations.deserialize("scaled_tanh", custom_objects=custom) is scaled_tanh
    assert activations.deserialize(keras_dict, custom_objects=custom) is scaled_tanh


def test_unknown_name_suggests_close_match():
    with pytest.raises(ValueError, match=r"Could not interpret activation function identifier: 'rlu'\. Did you mean 'relu'"):
        activations.get("rlu")
    with pytest.raises(ValueError, match="identifier: 'zzzz'. Valid names are"):
        activations.get("zzzz")
    with pytest.raises(ValueError, match="activation"):  # Keras's type
        activations.get(3)
    with pytest.raises(TypeError, match="activation"):
        activations.serialize("relu")


def test_library_does_not_import_keras():
    code = (
        "import sys, layerwise.activations, layerwise.initializers, layerwise.regularizers, "
        "layerwise.constraints, layerwise.random; "
        "bad = [m for m in ('keras', 'tensorflow', 'torch') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
