"""Xception against real Keras."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import xception
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow  # 20-45 s on one core: building the model dominates
def test_xception_equals_keras():
    arguments = {"weights": None, "include_top": True, "classes": 4, "input_shape": (71, 71, 3)}
    theirs = real_keras.applications.Xception(**arguments)
    ours = xception.Xception(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, xception.preprocess_input(images(size=71)))


def test_xception_input_size_rules_equal_keras():
    with pytest.raises(ValueError, match="at least 71x71"):
        xception.Xception(weights=None, include_top=False, input_shape=(70, 80, 3))
    model = xception.Xception(weights=None)
    assert tuple(model.inputs[0].shape) == (None, 299, 299, 3)
    x = images(batch=1, size=4)
    np.testing.assert_allclose(xception.preprocess_input(x),
                               real_keras.applications.xception.preprocess_input(x.copy()),
                               rtol=1e-6)
