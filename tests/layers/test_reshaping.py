"""ZeroPadding, Cropping and UpSampling layers vs real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

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


def _without_name(config: dict) -> dict:
    return {key: value for key, value in config.items() if key != "name"}


@pytest.mark.parametrize("name, arguments, shape", CASES)
def test_forward_config_and_shape_match_keras(name, arguments, shape):
    x = np.random.default_rng(0).normal(size=(2,) + shape).astype("float32")
    theirs = getattr(keras.layers, name)(**arguments)
    ours = getattr(layerwise.layers, name)(**arguments)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5,
                               atol=1e-6)
    assert _without_name(ours.get_config()) == _without_name(theirs.get_config())
    assert tuple(ours.compute_output_shape((None,) + shape)) == tuple(
        theirs.compute_output_shape((None,) + shape))
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="padding"):
        layerwise.layers.ZeroPadding2D(padding=(1, 2, 3))
    with pytest.raises(ValueError, match="cropping.*smaller"):
        layerwise.layers.Cropping2D(cropping=3)(np.ones((1, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match="interpolation"):
        layerwise.layers.UpSampling2D(interpolation="area")
    with pytest.raises(TypeError, match="size"):
        layerwise.layers.UpSampling1D(size=(2,))


def test_reshaping_layers_train_in_fit():
    L = layerwise.layers
    images = np.random.default_rng(1).normal(size=(8, 6, 6, 1)).astype("float32")
    model = layerwise.Sequential([
        layerwise.Input((6, 6, 1)), L.ZeroPadding2D(1), L.Conv2D(2, 3),
        L.UpSampling2D(), L.Cropping2D(((1, 1), (2, 0))), L.Flatten(), L.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(images, np.ones((8, 1)), epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
