"""Conv3D, Conv3DTranspose, DepthwiseConv1D and SeparableConv1D against real Keras."""
import pytest

import layerwise
from keras_oracle import check_layer

CASES = {
    "conv3d": (lambda k: k.layers.Conv3D(2, 2), (4, 3, 4, 2)),
    "conv3d-strided-same": (lambda k: k.layers.Conv3D(3, (2, 3, 1), strides=(2, 1, 1),
                                                      padding="same", activation="relu"),
                            (4, 3, 4, 2)),
    "conv3d-dilated-first": (lambda k: k.layers.Conv3D(2, 2, dilation_rate=2,
                                                       data_format="channels_first"),
                             (2, 5, 5, 5)),
    "conv3d-groups": (lambda k: k.layers.Conv3D(4, 2, groups=2), (3, 3, 3, 4)),
    "conv3d-transpose": (lambda k: k.layers.Conv3DTranspose(2, 2, strides=2), (2, 3, 2, 3)),
    "conv3d-transpose-same": (lambda k: k.layers.Conv3DTranspose(3, 3, strides=(1, 2, 1),
                                                                 padding="same"),
                              (2, 3, 2, 2)),
    "depthwise1d": (lambda k: k.layers.DepthwiseConv1D(3), (7, 3)),
    "depthwise1d-multiplier": (lambda k: k.layers.DepthwiseConv1D(
        2, strides=2, depth_multiplier=2, padding="same"), (7, 3)),
    "separable1d": (lambda k: k.layers.SeparableConv1D(4, 3), (7, 3)),
    "separable1d-dilated": (lambda k: k.layers.SeparableConv1D(
        2, 2, dilation_rate=2, depth_multiplier=2, data_format="channels_first"), (3, 7)),
}


# Each case builds and trains models in both libraries: the rest run with -m slow.
FAST_CASES = ("conv3d", "conv3d-transpose", "depthwise1d", "separable1d")


@pytest.mark.parametrize("name", [
    name if name in FAST_CASES else pytest.param(name, marks=pytest.mark.slow)
    for name in sorted(CASES)])
def test_contract_matches_keras(name):
    make, shape = CASES[name]
    check_layer(make, shape, rtol=1e-4, atol=1e-5)


def test_aliases_are_the_same_classes():
    layers = layerwise.layers
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
