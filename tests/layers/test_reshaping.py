"""ZeroPadding, Cropping and UpSampling layers vs real Keras, alone and in `fit`."""
import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, check_layer, twins

CASES = [
    ("ZeroPadding1D", dict(), (5, 3)),
    ("ZeroPadding1D", dict(padding=(0, 2), data_format="channels_first"), (3, 5)),
    ("ZeroPadding2D", dict(), (4, 5, 2)),
    ("ZeroPadding2D", dict(padding=(2, 1)), (4, 5, 2)),
    ("ZeroPadding2D", dict(padding=((1, 0), (0, 3)), data_format="channels_first"),
     (2, 4, 5)),
    ("Cropping1D", dict(), (6, 3)),
    ("Cropping1D", dict(cropping=(0, 2)), (6, 3)),
    ("Cropping2D", dict(cropping=1), (5, 6, 2)),
    ("Cropping2D", dict(cropping=((1, 0), (2, 1)), data_format="channels_first"), (2, 5, 6)),
    ("UpSampling1D", dict(size=3), (4, 2)),
    ("UpSampling2D", dict(), (3, 4, 2)),
    ("UpSampling2D", dict(size=(1, 3), data_format="channels_first"), (2, 3, 4)),
    ("UpSampling2D", dict(size=2, interpolation="bilinear"), (3, 4, 2)),
]


@pytest.mark.parametrize("name, arguments, shape", CASES)
def test_layer_contract_matches_keras(name, arguments, shape):
    check_layer(lambda k: getattr(k.layers, name)(**arguments), shape)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="padding"):
        layerwise.layers.ZeroPadding2D(padding=(1, 2, 3))
    with pytest.raises(ValueError, match="cropping.*smaller"):
        layerwise.layers.Cropping2D(cropping=3)(np.ones((1, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match="interpolation"):
        layerwise.layers.UpSampling2D(interpolation="area")
    with pytest.raises(TypeError, match="size"):
        layerwise.layers.UpSampling1D(size=(2,))


def test_reshaping_layers_train_in_fit_like_keras():
    images = np.random.default_rng(1).normal(size=(8, 6, 6, 1)).astype("float32")
    y = np.random.default_rng(2).normal(size=(8, 1)).astype("float32")

    def build(k):
        L = k.layers
        return k.Sequential([
            k.Input((6, 6, 1)), L.ZeroPadding2D(1), L.Conv2D(2, 3),
            L.UpSampling2D(), L.Cropping2D(((1, 1), (2, 0))), L.Flatten(), L.Dense(1)])

    ours, theirs = twins(build, optimizer=lambda k: k.optimizers.SGD(0.01), loss="mse")
    kwargs = dict(epochs=2, batch_size=4, shuffle=False, verbose=0)
    our_history, their_history = ours.fit(images, y, **kwargs), theirs.fit(images, y, **kwargs)
    np.testing.assert_allclose(our_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5)
