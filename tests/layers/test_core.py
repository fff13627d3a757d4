"""Core layers: Dense (every activation, vs Keras), Dropout, Activation, Flatten, Reshape."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from keras_oracle import copy_weights, keras

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


def check_layer(make, input_shape, keras_make=None, train=True):
    """Build, config round trip, forward vs Keras (if given), and a training step."""
    layer = make(layerwise)
    x = np.random.default_rng(1).normal(size=(4,) + input_shape).astype("float32")
    y = layer(x)
    rebuilt = type(layer).from_config(layer.get_config())
    assert rebuilt.get_config()["name"] == layer.get_config()["name"]
    assert {k: v for k, v in rebuilt.get_config().items()} == layer.get_config()
    if keras_make is not None:
        theirs = keras_make(keras)
        their_y = theirs(x)
        theirs.set_weights(layer.get_weights()) if layer.weights else None
        their_y = theirs(x)
        np.testing.assert_allclose(np.asarray(y), np.asarray(their_y), rtol=1e-6, atol=1e-6)
        assert sorted(layer.get_config()) == sorted(
            k for k in theirs.get_config() if k != "quantization_config"
        ) or set(layer.get_config()) >= set(theirs.get_config()) - {"quantization_config"}
    if train:
        model = layerwise.Sequential([layerwise.Input(input_shape), make(layerwise),
                                      layerwise.layers.Flatten(),
                                      layerwise.layers.Dense(1)])
        model.compile("sgd", "mse")
        history = model.fit(x, np.ones((4, 1)), verbose=0, epochs=2)
        assert np.all(np.isfinite(history.history["loss"]))
    return layer


def test_dense_contract():
    check_layer(lambda k: k.layers.Dense(3, activation="relu", name="d"), (5,),
                lambda k: k.layers.Dense(3, activation="relu", name="d"))


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


def test_activation_flatten_reshape():
    check_layer(lambda k: k.layers.Activation("tanh"), (3,),
                lambda k: k.layers.Activation("tanh"))
    check_layer(lambda k: k.layers.Flatten(), (2, 3), lambda k: k.layers.Flatten())
    check_layer(lambda k: k.layers.Reshape((3, 2)), (6,), lambda k: k.layers.Reshape((3, 2)))
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
