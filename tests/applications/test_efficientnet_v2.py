"""EfficientNetV2 B0 to B3, S, M, L against real Keras. Building any of them initialises
hundreds of truncated-normal kernels (in both libraries), so all but the argument checks are
marked slow."""
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import efficientnet_v2
from tests.applications.application_oracle import (assert_same_architecture,
                                                   assert_same_predictions, images)


@pytest.mark.slow
def test_efficientnet_v2_b0_equals_keras():
    arguments = {"weights": None, "input_shape": (32, 32, 3), "classes": 5}
    theirs = real_keras.applications.EfficientNetV2B0(**arguments)
    ours = efficientnet_v2.EfficientNetV2B0(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, efficientnet_v2.preprocess_input(images()))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
                                  "EfficientNetV2S", "EfficientNetV2M", "EfficientNetV2L"])
def test_scaled_efficientnet_v2_have_keras_architecture(name):
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3),
                 "pooling": "avg"}
    assert_same_architecture(getattr(efficientnet_v2, name)(**arguments),
                             getattr(real_keras.applications, name)(**arguments))


@pytest.mark.slow
def test_efficientnet_v2_s_rescales_to_minus_one_one_like_keras():
    arguments = {"weights": None, "include_top": False, "input_shape": (32, 32, 3)}
    theirs = real_keras.applications.EfficientNetV2S(**arguments)
    ours = efficientnet_v2.EfficientNetV2S(**arguments)
    # 40 residual blocks: widely randomized normalization would amplify float32 rounding
    # (in either library) past the tolerance, so the statistics stay near 1 here.
    assert_same_predictions(ours, theirs, images(), spread=0.05)


def test_efficientnet_v2_argument_errors_equal_keras():
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        efficientnet_v2.EfficientNetV2B0(weights="imagenet", classes=3)
    with pytest.raises(ValueError, match="The `weights` argument should be either"):
        efficientnet_v2.EfficientNetV2S(weights="nowhere.h5")
