"""UnitNormalization and RMSNormalization against real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer


@pytest.mark.parametrize("make, shape", [
    (lambda k: k.layers.UnitNormalization(), (3, 4)),
    (lambda k: k.layers.UnitNormalization(axis=[1, 2]), (3, 4)),
    (lambda k: k.layers.RMSNormalization(), (3, 4)),
    (lambda k: k.layers.RMSNormalization(axis=[1, 2], epsilon=1e-3), (3, 4)),
], ids=["unit", "unit-two-axes", "rms", "rms-two-axes"])
def test_contract_matches_keras(make, shape):
    check_layer(make, shape)


def test_unit_normalization_keeps_zero_vectors_zero():
    x = np.zeros((2, 3), "float32")
    assert np.all(np.asarray(layerwise.layers.UnitNormalization()(x)) == 0)
