"""DenseNet121 (and 169, 201) against real Keras."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from layerwise.applications import densenet
from tests.applications.application_oracle import (assert_keras_files_load,
                                                   assert_same_architecture,
                                                   assert_same_predictions, images)

SMALL = {"weights": None, "include_top": False, "input_shape": (32, 32, 3)}


def test_densenet121_equals_keras(tmp_path):
    arguments = dict(SMALL, pooling="avg")
    theirs = real_keras.applications.DenseNet121(**arguments)
    ours = densenet.DenseNet121(**arguments)
    assert_same_architecture(ours, theirs)
    assert_same_predictions(ours, theirs, densenet.preprocess_input(images()))
    assert_keras_files_load(densenet.DenseNet121, arguments, theirs,
                            densenet.preprocess_input(images()), tmp_path)
    x = images(batch=1, size=4)
    np.testing.assert_allclose(densenet.preprocess_input(x),
                               real_keras.applications.densenet.preprocess_input(x.copy()),
                               rtol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["DenseNet169", "DenseNet201"])
def test_deeper_densenets_have_keras_architecture(name):
    arguments = dict(SMALL, include_top=True, classes=3)
    assert_same_architecture(getattr(densenet, name)(**arguments),
                             getattr(real_keras.applications, name)(**arguments))
