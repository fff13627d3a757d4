"""NASNetMobile and NASNetLarge against real Keras (slow: hundreds of layers in both)."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import nasnet
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow
def test_nasnet_mobile_equals_keras():
    arguments = {"weights": None, "input_shape": (32, 32, 3), "classes": 3}
    theirs = real_keras.applications.NASNetMobile(**arguments)
    ours = nasnet.NASNetMobile(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, nasnet.preprocess_input(images()))


@pytest.mark.slow
def test_nasnet_large_has_keras_architecture():
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3)}
    assert_same_architecture(nasnet.NASNetLarge(**arguments),
                             real_keras.applications.NASNetLarge(**arguments))


def test_nasnet_argument_rules_equal_keras():
    with pytest.raises(ValueError, match="must be static"):
        nasnet.NASNetMobile(weights="imagenet", include_top=False, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        nasnet.NASNetLarge(weights="imagenet", classes=10)
    x = images(batch=1, size=4)
    np.testing.assert_allclose(nasnet.preprocess_input(x),
                               real_keras.applications.nasnet.preprocess_input(x.copy()),
                               rtol=1e-6)
