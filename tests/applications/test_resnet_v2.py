"""ResNet50V2 (and its deeper siblings, ResNet101/152 v1) against real Keras."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import resnet, resnet_v2
from tests.applications.application_oracle import (assert_keras_files_load,
                                                   assert_same_architecture,
                                                   assert_same_predictions, images)

SMALL = {"weights": None, "include_top": False, "input_shape": (32, 32, 3)}


@pytest.mark.parametrize("pooling", [None, pytest.param("max", marks=pytest.mark.slow)])
def test_resnet50v2_equals_keras(tmp_path, pooling):
    arguments = dict(SMALL, pooling=pooling)
    theirs = real_keras.applications.ResNet50V2(**arguments)
    ours = resnet_v2.ResNet50V2(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, resnet_v2.preprocess_input(images()))
    assert_keras_files_load(resnet_v2.ResNet50V2, arguments, theirs,
                            resnet_v2.preprocess_input(images()), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("module, name", [
    (resnet_v2, "ResNet101V2"), (resnet_v2, "ResNet152V2"), (resnet, "ResNet101"),
    (resnet, "ResNet152")])
def test_deeper_resnets_have_keras_architecture(module, name):
    arguments = dict(SMALL, classes=7, include_top=True)
    assert_same_architecture(getattr(module, name)(**arguments),
                             getattr(real_keras.applications, name)(**arguments))


def test_resnet50v2_classifier_and_preprocessing_equal_keras():
    arguments = {"weights": None, "input_shape": (32, 32, 3), "classes": 5,
                 "classifier_activation": None}
    theirs = real_keras.applications.ResNet50V2(**arguments)
    ours = resnet_v2.ResNet50V2(**arguments)
    assert_same_architecture(ours, theirs)
    x = images(batch=1, size=4)
    np.testing.assert_allclose(resnet_v2.preprocess_input(x),
                               real_keras.applications.resnet_v2.preprocess_input(x.copy()),
                               rtol=1e-6)


def test_pretrained_weights_allow_only_softmax_or_logits():
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations"):
        resnet_v2.ResNet50V2(weights="imagenet", classifier_activation="relu")
