"""EfficientNetB0 (and B1 to B7) against real Keras."""
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import efficientnet
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow  # 20-45 s on one core: building the model dominates
def test_efficientnet_b0_equals_keras():
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3),
                 "pooling": "avg"}
    theirs = real_keras.applications.EfficientNetB0(**arguments)
    ours = efficientnet.EfficientNetB0(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, efficientnet.preprocess_input(images()))


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["B1", "B2", "B3", "B4", "B5", "B6", "B7"])
def test_scaled_efficientnets_have_keras_architecture(variant):
    arguments = {"weights": None, "input_shape": (32, 32, 3), "classes": 6}
    name = f"EfficientNet{variant}"
    ours = getattr(efficientnet, name)(**arguments)
    assert_same_architecture(ours, getattr(real_keras.applications, name)(**arguments))
    assert ours.get_layer("top_dropout").rate == {"B1": 0.2, "B2": 0.3, "B3": 0.3, "B4": 0.4,
                                                  "B5": 0.4, "B6": 0.5, "B7": 0.5}[variant]


@pytest.mark.slow
def test_default_input_sizes_follow_the_variant():
    model = efficientnet.EfficientNetB3(weights=None)
    assert tuple(model.inputs[0].shape) == (None, 300, 300, 3)
    assert efficientnet.EfficientNetB3.__name__ == "EfficientNetB3"
