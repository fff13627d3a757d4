"""InceptionV3 against real Keras."""
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import inception_v3
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow
def test_inception_v3_equals_keras():
    arguments = {"weights": None, "input_shape": (75, 75, 3), "classes": 7}
    theirs = real_keras.applications.InceptionV3(**arguments)
    ours = inception_v3.InceptionV3(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, inception_v3.preprocess_input(images(size=75)))


def test_inception_v3_input_size_rules_equal_keras():
    with pytest.raises(ValueError, match="at least 75x75"):
        inception_v3.InceptionV3(weights=None, include_top=False, input_shape=(74, 80, 3))
