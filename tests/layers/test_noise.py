"""Noise and regularization layers: identity at inference, Keras's draws in training."""
import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, check_layer, copy_weights, keras

LAYERS = {
    "gaussian-noise": (lambda k: k.layers.GaussianNoise(0.3, seed=7), (3, 4)),
    "gaussian-dropout": (lambda k: k.layers.GaussianDropout(0.4, seed=7), (3, 4)),
    "alpha-dropout": (lambda k: k.layers.AlphaDropout(0.3, seed=7), (3, 4)),
    "alpha-dropout-noise-shape": (
        lambda k: k.layers.AlphaDropout(0.3, noise_shape=(None, 1, 4), seed=7), (3, 4)),
    "spatial-1d": (lambda k: k.layers.SpatialDropout1D(0.5, seed=7), (6, 8)),
    "spatial-2d": (lambda k: k.layers.SpatialDropout2D(0.5, seed=7), (3, 3, 8)),
    "spatial-2d-first": (
        lambda k: k.layers.SpatialDropout2D(0.5, seed=7, data_format="channels_first"),
        (8, 3, 3)),
    "spatial-3d": (lambda k: k.layers.SpatialDropout3D(0.5, seed=7), (2, 3, 2, 8)),
    "activity": (lambda k: k.layers.ActivityRegularization(l1=0.01, l2=0.1), (3, 4)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_contract_matches_keras(name):
    make, shape = LAYERS[name]
    check_layer(make, shape)


@pytest.mark.parametrize("name", sorted(set(LAYERS) - {"activity"}))
def test_training_draws_equal_keras(name):
    make, shape = LAYERS[name]
    x = np.random.default_rng(0).normal(size=(4,) + shape).astype("float32")
    ours, theirs = make(layerwise), make(keras)
    for _ in range(3):  # the generator advances between calls, as Keras's does
        a, b = ours(x, training=True), theirs(x, training=True)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)
        assert not np.allclose(np.asarray(a), x)


def _noisy_model(library, layer_name):
    library.utils.set_random_seed(3)
    layers = library.layers
    middle = {"gaussian-noise": layers.GaussianNoise(0.5),
              "gaussian-dropout": layers.GaussianDropout(0.3),
              "alpha-dropout": layers.AlphaDropout(0.2),
              "spatial-1d": layers.SpatialDropout1D(0.3),
              "activity": layers.ActivityRegularization(l1=0.05, l2=0.2)}[layer_name]
    return library.Sequential([library.Input((5, 6)), layers.Dense(6, activation="tanh"),
                               middle, layers.Flatten(), layers.Dense(1)])


@pytest.mark.parametrize("name", ["gaussian-noise", "gaussian-dropout", "alpha-dropout",
                                  "spatial-1d", "activity"])
def test_fit_from_same_weights_and_seed_equals_keras(name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5, 6)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    ours, theirs = _noisy_model(layerwise, name), _noisy_model(keras, name)
    copy_weights(theirs, ours)
    histories = []
    for model, library in ((ours, layerwise), (theirs, keras)):
        model.compile(library.optimizers.SGD(0.05), "mse")
        histories.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-5)
    assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5)


def test_activity_penalty_is_part_of_the_training_loss():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 5, 6)).astype("float32"), np.zeros((16, 1), "float32")
    model = _noisy_model(layerwise, "activity")
    model.compile(layerwise.optimizers.SGD(0.0), "mse")
    trained = model.fit(x, y, batch_size=16, epochs=1, verbose=0).history["loss"][0]
    hidden = np.asarray(model.layers[0](x))
    penalty = (0.05 * np.abs(hidden).sum() + 0.2 * np.square(hidden).sum()) / 16
    data_loss = np.mean(np.square(np.asarray(model.predict(x, verbose=0))))
    np.testing.assert_allclose(trained, data_loss + penalty, rtol=1e-5)


@pytest.mark.parametrize("make", [
    lambda k: k.layers.GaussianNoise(1.5), lambda k: k.layers.GaussianDropout(-0.1),
    lambda k: k.layers.AlphaDropout(2), lambda k: k.layers.SpatialDropout2D(1.2)])
def test_bad_rates_raise(make):
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        make(layerwise)


def test_spatial_dropout_checks_rank():
    with pytest.raises(ValueError, match="expected ndim=3"):
        layerwise.layers.SpatialDropout1D(0.3)(np.ones((2, 3), "float32"))
