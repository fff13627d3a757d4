"""VGG19 against real Keras."""
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import vgg19
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


def test_vgg19_equals_keras():
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3),
                 "pooling": "max"}
    theirs = real_keras.applications.VGG19(**arguments)
    ours = vgg19.VGG19(**arguments)
    assert_same_architecture(ours, theirs)


@pytest.mark.slow
def test_vgg19_predictions_equal_keras():
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3)}
    theirs = real_keras.applications.VGG19(**arguments)
    ours = vgg19.VGG19(**arguments)
    assert_same_predictions(ours, theirs, vgg19.preprocess_input(images()))
