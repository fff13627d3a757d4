"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax) against real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras


@pytest.mark.parametrize("make", [
    lambda k: k.layers.ReLU(),
    lambda k: k.layers.ReLU(max_value=0.7, negative_slope=0.1, threshold=0.2),
    lambda k: k.layers.ReLU(max_value=6.0),
    lambda k: k.layers.LeakyReLU(),
    lambda k: k.layers.LeakyReLU(negative_slope=0.05),
    lambda k: k.layers.ELU(alpha=0.5),
    lambda k: k.layers.Softmax(),
    lambda k: k.layers.Softmax(axis=1),
    lambda k: k.layers.PReLU(),
    lambda k: k.layers.PReLU(alpha_initializer="ones", shared_axes=[1],
                             alpha_regularizer="l2"),
], ids=["relu", "relu-args", "relu6", "leaky", "leaky-slope", "elu", "softmax",
        "softmax-axis1", "prelu", "prelu-shared"])
def test_matches_keras(make):
    check_layer(make, (3, 5))


def test_prelu_learns_a_nonzero_slope_like_keras():
    layer = check_layer(lambda k: k.layers.PReLU(alpha_initializer="random_uniform",
                                                 shared_axes=[1, 2]), (2, 3, 4))
    assert layer.alpha.shape == (1, 1, 4)


def test_softmax_tuple_axis_and_mask_match_keras():
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    mask = np.random.default_rng(1).random((2, 3, 4)) > 0.4
    mask[0, 0] = False  # a fully masked row gives zeros
    for axis in (-1, (1, 2)):
        ours = layerwise.layers.Softmax(axis=axis)(x, mask=mask)
        theirs = keras.layers.Softmax(axis=axis)(x, mask=mask)
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6)
    assert np.all(np.asarray(layerwise.layers.Softmax()(x, mask=mask))[0, 0] == 0)


def test_leaky_relu_takes_keras2_alpha():
    assert layerwise.layers.LeakyReLU(alpha=0.1).negative_slope == 0.1


@pytest.mark.parametrize("make, message", [
    (lambda: layerwise.layers.ReLU(max_value=-1), "max_value"),
    (lambda: layerwise.layers.ReLU(negative_slope=-1), "negative_slope"),
    (lambda: layerwise.layers.ReLU(threshold=None), "threshold"),
    (lambda: layerwise.layers.LeakyReLU(negative_slope=-0.5), "negative_slope"),
])
def test_bad_arguments_raise_like_keras(make, message):
    with pytest.raises(ValueError, match=message):
        make()
