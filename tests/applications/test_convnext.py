"""ConvNeXtTiny (and Small to XLarge) against real Keras, and its two layers."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import convnext
from tests.applications.application_oracle import (assert_keras_files_load,
                                                   assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow  # 20-45 s on one core: building the model dominates
def test_convnext_tiny_equals_keras(tmp_path):
    arguments = {"weights": None, "input_shape": (32, 32, 3), "classes": 10,
                 "classifier_activation": None}
    theirs = real_keras.applications.ConvNeXtTiny(**arguments)
    ours = convnext.ConvNeXtTiny(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, convnext.preprocess_input(images()))
    assert_keras_files_load(convnext.ConvNeXtTiny, arguments, theirs,
                            convnext.preprocess_input(images()), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge",
                                  "ConvNeXtXLarge"])
def test_larger_convnexts_have_keras_architecture(name):
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3),
                 "pooling": "max", "include_preprocessing": False}
    assert_same_architecture(getattr(convnext, name)(**arguments),
                             getattr(real_keras.applications, name)(**arguments))


def test_layer_scale_and_stochastic_depth_equal_keras():
    from keras.src.applications.convnext import LayerScale, StochasticDepth

    x = images(batch=4, size=3)
    ours, theirs = convnext.LayerScale(0.5, 3), LayerScale(0.5, 3)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6)
    assert ours.get_config() == {**theirs.get_config(), **{"dtype": ours.get_config()["dtype"]}}
    drop = convnext.StochasticDepth(0.5)
    np.testing.assert_array_equal(np.asarray(drop(x)), x)
    dropped = np.asarray(drop(x, training=True))
    for row, original in zip(dropped, x):
        # Each sample is either zeroed as a whole or scaled by 1 / (1 - rate).
        assert np.allclose(row, 0) or np.allclose(row, 2 * original)
    assert StochasticDepth(0.5).get_config()["drop_path_rate"] == drop.get_config()[
        "drop_path_rate"]
    with pytest.raises(ValueError, match="drop_path_rate"):
        convnext.StochasticDepth(1.5)


def test_imagenet_weights_need_the_variant_in_the_model_name():
    with pytest.raises(ValueError, match="does not match weights variant"):
        convnext.ConvNeXtTiny(weights="imagenet", name="mine")
