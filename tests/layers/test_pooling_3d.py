"""3-D pooling layers against real Keras."""
import pytest

import layerwise
from keras_oracle import check_layer


@pytest.mark.parametrize("make, shape", [
    (lambda k: k.layers.MaxPooling3D(), (4, 4, 4, 2)),
    (lambda k: k.layers.MaxPooling3D((2, 1, 3), strides=1, padding="same"), (4, 3, 5, 2)),
    (lambda k: k.layers.AveragePooling3D(2, data_format="channels_first"), (2, 4, 4, 4)),
    (lambda k: k.layers.AveragePooling3D(3, strides=2, padding="same"), (5, 4, 5, 2)),
    (lambda k: k.layers.GlobalMaxPooling3D(), (3, 2, 4, 2)),
    (lambda k: k.layers.GlobalAveragePooling3D(keepdims=True, data_format="channels_first"),
     (2, 3, 2, 4)),
], ids=["max", "max-same", "average-first", "average-same", "global-max", "global-average"])
def test_contract_matches_keras(make, shape):
    check_layer(make, shape)


def test_aliases_are_the_same_classes():
    layers = layerwise.layers
    assert layers.MaxPool3D is layers.MaxPooling3D
    assert layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
