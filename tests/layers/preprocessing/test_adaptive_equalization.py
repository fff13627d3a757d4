"""ContrastLimitedAdaptiveHistogramEqualization computes Keras's images."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras

CLAHE = "ContrastLimitedAdaptiveHistogramEqualization"
CASES = {
    "default": (dict(), (16, 16, 3)),
    "padded-grid": (dict(tile_grid_size=(3, 4)), (10, 13, 2)),
    "range-first": (dict(value_range=(0, 300), clip_limit=2.0, tile_grid_size=(2, 2),
                         data_format="channels_first"), (3, 9, 7)),
    "unclipped": (dict(clip_limit=0, tile_grid_size=(2, 3)), (8, 9, 1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_equals_keras_in_training_and_inference(name):
    arguments, shape = CASES[name]
    x = np.random.default_rng(0).uniform(0, 255, size=(3,) + shape).astype("float32")
    ours, theirs = (getattr(library.layers, CLAHE)(**arguments) for library in (layerwise, keras))
    for images in (x, x[0]):
        for training in (True, False):
            np.testing.assert_allclose(np.asarray(ours(images, training=training)),
                                       np.asarray(theirs(images, training=training)),
                                       rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("name", ["default", "range-first"])
def test_contract_matches_keras(name):
    arguments, shape = CASES[name]
    check_layer(lambda k: getattr(k.layers, CLAHE)(**arguments), shape, train=False)


def test_flat_image_stays_flat_and_low_contrast_is_stretched():
    layer = getattr(layerwise.layers, CLAHE)(tile_grid_size=(2, 2))
    flat = np.full((1, 8, 8, 1), 100.0, "float32")
    assert np.ptp(np.asarray(layer(flat))) == 0.0
    ramp = np.linspace(100, 110, 64, dtype="float32").reshape(1, 8, 8, 1)
    assert np.ptp(np.asarray(layer(ramp))) > 2 * np.ptp(ramp)  # held back by clip_limit
