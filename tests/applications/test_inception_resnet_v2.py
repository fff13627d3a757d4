"""InceptionResNetV2 against real Keras (slow: 900 layers built in both libraries)."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import inception_resnet_v2
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow
def test_inception_resnet_v2_equals_keras():
    arguments = {"weights": None, "input_shape": (75, 75, 3), "classes": 4}
    theirs = real_keras.applications.InceptionResNetV2(**arguments)
    ours = inception_resnet_v2.InceptionResNetV2(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, inception_resnet_v2.preprocess_input(images(size=75)))


def test_custom_scale_layer_equals_keras():
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    a, b = images(batch=2, size=3), images(batch=2, size=3, seed=1)
    ours, theirs = inception_resnet_v2.CustomScaleLayer(0.17), CustomScaleLayer(0.17)
    np.testing.assert_allclose(np.asarray(ours([a, b])), np.asarray(theirs([a, b])), rtol=1e-6)
    assert ours.get_config()["scale"] == theirs.get_config()["scale"] == 0.17
    with pytest.raises(ValueError, match="at least 75x75"):
        inception_resnet_v2.InceptionResNetV2(weights=None, include_top=False,
                                              input_shape=(60, 80, 3))
