"""Core layers: Dense (every activation, vs Keras), Dropout, Activation, Flatten, Reshape."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from keras_oracle import check_layer, copy_weights, keras, twins
from layerwise.engine.registry import SafeModeScope

ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "softplus",
               "softsign", "gelu", "swish", "silu", "leaky_relu", "relu6", "hard_sigmoid",
               "exponential", "log_softmax", "mish", "hard_silu"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_stack_forward_matches_keras(activation):
    x = np.random.default_rng(0).normal(scale=2.0, size=(16, 5)).astype("float32")

    def build(k):
        return k.Sequential([k.Input((5,)), k.layers.Dense(7, activation=activation),
                             k.layers.Dense(3, activation=activation)])

    theirs, ours = build(keras), build(layerwise)
    copy_weights(theirs, ours)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6,
                               atol=1e-6)


CONTRACT_CASES = {
    "dense-relu": (lambda k: k.layers.Dense(3, activation="relu", name="d"), (5,)),
    "dense-softmax-rank-3": (lambda k: k.layers.Dense(
        4, activation="softmax", bias_initializer="ones"), (3, 5)),
    "dense-no-bias-regularized": (lambda k: k.layers.Dense(
        2, use_bias=False, kernel_regularizer="l2", bias_constraint="non_neg"), (5,)),
    "dropout": (lambda k: k.layers.Dropout(0.3, seed=2), (5,)),
    "dropout-noise-shape": (lambda k: k.layers.Dropout(0.5, noise_shape=(None, 1, 4)),
                            (3, 4)),
    "activation": (lambda k: k.layers.Activation("tanh"), (3,)),
    "flatten": (lambda k: k.layers.Flatten(), (2, 3)),
    "flatten-channels-first": (lambda k: k.layers.Flatten(data_format="channels_first"),
                               (2, 3, 4)),
    "reshape": (lambda k: k.layers.Reshape((3, 2)), (6,)),
    "reshape-inferred-axis": (lambda k: k.layers.Reshape((-1, 2)), (2, 3)),
}


@pytest.mark.parametrize("make, input_shape", CONTRACT_CASES.values(), ids=CONTRACT_CASES)
def test_layer_contract_matches_keras(make, input_shape):
    check_layer(make, input_shape)


def test_dense_with_an_activity_regularizer_contract_matches_keras():
    check_layer(lambda k: k.layers.Dense(2, activity_regularizer="l1"), (5,))


def test_lambda_matches_keras(tmp_path):
    # Not `check_layer`: the config holds the function's marshalled bytecode, whose bytes
    # change on a round trip (marshal's reference flags), and loading it needs
    # safe_mode=False. So the function is compared by what it computes.
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    ours, theirs = twins(lambda k: k.layers.Lambda(lambda t: t * 2.0 + 1.0))
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6)
    assert ours.compute_output_shape((None, 3)) == tuple(theirs.compute_output_shape((None, 3)))
    config, their_config = ours.get_config(), theirs.get_config()
    assert sorted(config) == sorted(their_config)
    assert config["function"]["class_name"] == "__lambda__"
    assert {**config, "name": None, "function": None} == \
        {**their_config, "name": None, "function": None}
    with pytest.raises(ValueError, match="safe_mode"):
        type(ours).from_config(config)
    with SafeModeScope(False):
        rebuilt = type(ours).from_config(config)
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(ours(x)), rtol=1e-6)

    model = layerwise.Sequential([layerwise.Input((3,)), ours])
    model.save(tmp_path / "lambda.keras")
    loaded = keras.saving.load_model(tmp_path / "lambda.keras", safe_mode=False)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_dense_on_rank_3_inputs():
    layer = layerwise.layers.Dense(4)
    assert layer(np.ones((2, 3, 5))).shape == (2, 3, 4)
    assert layer.compute_output_shape((None, 3, 5)) == (None, 3, 4)


def test_dense_get_config_matches_keras_keys_and_values():
    ours = layerwise.layers.Dense(16, activation="relu", name="dense_x").get_config()
    theirs = keras.layers.Dense(16, activation="relu", name="dense_x").get_config()
    assert sorted(ours) == sorted(theirs)
    for key in ["name", "units", "activation", "use_bias", "trainable", "kernel_regularizer"]:
        assert ours[key] == theirs[key]
    assert ours["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert ours["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                             "config": {"name": "float32"}, "registered_name": None}


def test_dropout_only_active_in_training():
    layer = layerwise.layers.Dropout(0.5, seed=1)
    x = np.ones((200, 10), "float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    dropped = np.asarray(layer(x, training=True))
    assert set(np.unique(dropped)) <= {0.0, 2.0}
    assert 0.35 < (dropped == 0).mean() < 0.65
    again = np.asarray(layer(x, training=True))
    assert not np.array_equal(dropped, again)  # the seed stream advances


def test_dropout_masks_equal_keras_for_the_same_seed():
    x = np.ones((8, 6), "float32")
    ours, theirs = layerwise.layers.Dropout(0.4, seed=3), keras.layers.Dropout(0.4, seed=3)
    for _ in range(3):
        np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                                   np.asarray(theirs(x, training=True)), rtol=1e-6)


def test_reshape_infers_the_free_axis():
    assert layerwise.layers.Reshape((-1, 2)).compute_output_shape((None, 6)) == (None, 3, 2)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.integers(1, 6))
def test_dense_output_shape_property(input_dims, units):
    layer = layerwise.layers.Dense(units)
    shape = (None,) + tuple(input_dims)
    expected = (None,) + tuple(input_dims[:-1]) + (units,)
    assert layer.compute_output_shape(shape) == expected
    x = np.zeros((2,) + tuple(input_dims), "float32")
    assert layer(x).shape == (2,) + expected[1:]
