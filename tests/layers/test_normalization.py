"""BatchNormalization and LayerNormalization vs real Keras, in and out of `fit`."""
import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, check_layer, twins


def _pair(name, arguments, shape, seed=0):
    """The layer from both libraries, built, with the same random weights."""
    def make(k):
        layer = getattr(k.layers, name)(**arguments)
        layer.build((None,) + shape)
        return layer

    ours, theirs = twins(make)
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.5, 1.5, size=w.shape).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return ours, theirs


BATCH_NORM_CASES = [
    (dict(), (5,)),
    (dict(momentum=0.9, epsilon=1e-5), (4, 3)),
    (dict(axis=1), (3, 4, 4)),  # channels-first images
    (dict(axis=-1, center=False), (4, 4, 2)),
    (dict(scale=False, momentum=0.5), (6,)),
]


@pytest.mark.parametrize("arguments, shape", BATCH_NORM_CASES)
def test_batch_normalization_training_and_inference_match_keras(arguments, shape):
    check_layer(lambda k: k.layers.BatchNormalization(**arguments), shape)
    ours, theirs = _pair("BatchNormalization", arguments, shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in theirs.weights]
    rng = np.random.default_rng(1)
    for step in range(3):
        x = rng.normal(loc=step, scale=2.0, size=(8,) + shape).astype("float32")
        np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                                   np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-5)
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-6, atol=1e-6)
    x = rng.normal(size=(4,) + shape).astype("float32")
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(ours(x, training=False)),
                               np.asarray(theirs(x, training=False)), rtol=1e-5, atol=1e-5)


def test_frozen_batch_normalization_uses_and_keeps_moving_statistics():
    ours, theirs = _pair("BatchNormalization", {}, (3,))
    ours.trainable = theirs.trainable = False
    x = np.random.default_rng(2).normal(size=(6, 3)).astype("float32")
    before = ours.get_weights()
    np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                               np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-5)
    for a, b in zip(before, ours.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_normalization_in_fit_matches_keras_with_a_partial_last_batch():
    x = np.random.default_rng(3).normal(size=(30, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")

    def build(k):
        return k.Sequential([k.Input((4,)), k.layers.Dense(5, activation="relu"),
                             k.layers.BatchNormalization(momentum=0.8),
                             k.layers.Dense(1)])

    ours, theirs = twins(build, optimizer=lambda k: k.optimizers.SGD(0.1), loss="mse")
    assert layerwise.layers.BatchNormalization.mixes_samples is True
    for model in (theirs, ours):
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-4, atol=1e-5)


def test_batch_normalization_bad_arguments():
    with pytest.raises(TypeError, match="axis"):
        layerwise.layers.BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match="synchronized"):
        layerwise.layers.BatchNormalization(synchronized=True)
    with pytest.raises(NotImplementedError, match="renorm"):
        layerwise.layers.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="out of bounds"):
        layerwise.layers.BatchNormalization(axis=3)(np.ones((2, 3), "float32"))
    layer = layerwise.layers.BatchNormalization()
    layer(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="incompatible"):
        layer(np.ones((2, 4), "float32"))


LAYER_NORM_CASES = [
    (dict(), (5,)),
    (dict(epsilon=1e-6), (4, 6)),
    (dict(axis=[1, 2]), (4, 3)),
    (dict(axis=1, center=False), (4, 3)),
    (dict(axis=(-2, -1), scale=False), (2, 4, 3)),
]


@pytest.mark.parametrize("arguments, shape", LAYER_NORM_CASES)
def test_layer_normalization_matches_keras(arguments, shape):
    check_layer(lambda k: k.layers.LayerNormalization(**arguments), shape)
    ours, theirs = _pair("LayerNormalization", arguments, shape)
    x = np.random.default_rng(4).normal(loc=1.0, scale=3.0, size=(3,) + shape).astype(
        "float32")
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5,
                               atol=1e-5)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]


def test_layer_normalization_config_before_build_and_bad_axis():
    assert layerwise.layers.LayerNormalization().get_config()["axis"] == -1
    with pytest.raises(TypeError, match="axis"):
        layerwise.layers.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="out of bounds"):
        layerwise.layers.LayerNormalization(axis=2)(np.ones((2, 3), "float32"))


def test_normalization_layers_train_in_fit_like_keras():
    images = np.random.default_rng(5).normal(size=(20, 6, 6, 2)).astype("float32")
    y = np.random.default_rng(6).normal(size=(20, 1)).astype("float32")

    def build(k):
        L = k.layers
        return k.Sequential([
            # No bias before BatchNormalization: its gradient is rounding noise, which Adam
            # would scale up to full steps differently in each library.
            k.Input((6, 6, 2)), L.Conv2D(3, 3, use_bias=False), L.BatchNormalization(),
            L.LayerNormalization(axis=[1, 2, 3]), L.Flatten(), L.Dense(1)])

    ours, theirs = twins(build, optimizer="adam", loss="mse")
    kwargs = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    our_history, their_history = ours.fit(images, y, **kwargs), theirs.fit(images, y, **kwargs)
    np.testing.assert_allclose(our_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5)
    moving_mean = ours.layers[1].moving_mean.numpy()
    assert np.any(moving_mean != 0)  # the moving statistics were updated by fit
