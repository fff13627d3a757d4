"""MobileNetV3Small and MobileNetV3Large against real Keras."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import mobilenet_v3
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


def test_mobilenet_v3_small_equals_keras():
    arguments = {"weights": None, "input_shape": (32, 32, 3), "classes": 10}
    theirs = real_keras.applications.MobileNetV3Small(**arguments)
    ours = mobilenet_v3.MobileNetV3Small(**arguments)
    assert_same_architecture(ours, theirs)
    # The [-1, 1] rescaling is inside the model: it takes raw pixels.
    assert_same_predictions(ours, theirs, mobilenet_v3.preprocess_input(images()))


@pytest.mark.slow
@pytest.mark.parametrize("name, arguments", [
    ("MobileNetV3Large", {"include_top": False, "pooling": "avg", "alpha": 0.75}),
    ("MobileNetV3Large", {"minimalistic": True, "classes": 5, "include_preprocessing": False}),
    ("MobileNetV3Small", {"alpha": 1.5, "dropout_rate": 0.0, "classes": 3}),
])
def test_mobilenet_v3_variants_equal_keras(name, arguments):
    arguments = dict(arguments, weights=None, input_shape=(40, 33, 3))
    theirs = getattr(real_keras.applications, name)(**arguments)
    ours = getattr(mobilenet_v3, name)(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, images(size=40)[:, :, :33])


def test_mobilenet_v3_input_rules_equal_keras():
    model = mobilenet_v3.MobileNetV3Small(weights=None, include_top=False)
    assert tuple(model.inputs[0].shape) == (None, None, None, 3)
    with pytest.raises(ValueError, match="at least 32x32"):
        mobilenet_v3.MobileNetV3Small(weights=None, input_shape=(16, 40, 3))
    with pytest.raises(ValueError, match="alpha can be one of"):
        mobilenet_v3.MobileNetV3Large(weights="imagenet", alpha=0.5)
    x = images(batch=1, size=4)
    np.testing.assert_array_equal(mobilenet_v3.preprocess_input(x), x)
