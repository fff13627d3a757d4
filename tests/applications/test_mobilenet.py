"""MobileNet (v1) against real Keras."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import mobilenet
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.parametrize("arguments", [
    {"input_shape": (32, 32, 3), "classes": 10},
    pytest.param({"input_shape": (40, 33, 3), "alpha": 0.5, "depth_multiplier": 2,
                  "include_top": False, "pooling": "max"}, marks=pytest.mark.slow),
])
def test_mobilenet_equals_keras(arguments):
    arguments = dict(arguments, weights=None)
    theirs = real_keras.applications.MobileNet(**arguments)
    ours = mobilenet.MobileNet(**arguments)
    assert_same_architecture(ours, theirs)
    x = mobilenet.preprocess_input(images(size=40)[:, :arguments["input_shape"][0],
                                                   :arguments["input_shape"][1]])
    assert_same_predictions(ours, theirs, x)


def test_mobilenet_imagenet_rules_equal_keras():
    with pytest.raises(ValueError, match="depth multiplier must be 1"):
        mobilenet.MobileNet(weights="imagenet", depth_multiplier=2)
    with pytest.raises(ValueError, match="alpha can be one of"):
        mobilenet.MobileNet(weights="imagenet", alpha=0.3)
    assert mobilenet.MobileNet(weights=None, input_shape=(160, 160, 3)).name == \
        "mobilenet_1.00_160"
    x = images(batch=1, size=4)
    np.testing.assert_allclose(mobilenet.preprocess_input(x),
                               real_keras.applications.mobilenet.preprocess_input(x.copy()),
                               rtol=1e-6)
