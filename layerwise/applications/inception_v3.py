"""InceptionV3: a stem of plain convolutions, then Inception modules (parallel branches of
1x1, factorised 3x3 / 7x7 convolutions and pooling, concatenated), for 299x299 images."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (average_pool_top, check_weights_argument,
                                                   decode_predictions, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.models.functional import Functional

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
_FILES = ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
          "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")


def conv2d_bn(x: Any, filters: int, rows: int, columns: int, padding: str = "same",
              strides: int = 1) -> Any:
    """Convolution (no bias), batch normalization (no scale), ReLU; Keras leaves all three
    unnamed, so they get automatic names."""
    x = layers.Conv2D(filters, (rows, columns), strides=strides, padding=padding,
                      use_bias=False)(x)
    x = layers.BatchNormalization(axis=3, scale=False)(x)
    return layers.Activation("relu")(x)


def _pooled_branch(x: Any, filters: int) -> Any:
    return conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), filters, 1, 1)


def _module_a(x: Any, pool_filters: int, name: str) -> Any:
    """1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | pool -> 1x1 (35x35 grid)."""
    branch1x1 = conv2d_bn(x, 64, 1, 1)
    branch5x5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    branch3x3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    pooled = _pooled_branch(x, pool_filters)
    return layers.Concatenate(axis=3, name=name)([branch1x1, branch5x5, branch3x3, pooled])


def _reduction_a(x: Any) -> Any:
    """35x35 to 17x17: stride-2 3x3 | 1x1 -> 3x3 -> stride-2 3x3 | max pool."""
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=2, padding="valid")
    double = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    double = conv2d_bn(double, 96, 3, 3, strides=2, padding="valid")
    pooled = layers.MaxPooling2D(3, strides=2)(x)
    return layers.Concatenate(axis=3, name="mixed3")([branch3x3, double, pooled])


def _module_b(x: Any, width: int, name: str) -> Any:
    """1x1 | 1x7 -> 7x1 | (7x1 -> 1x7) twice | pool -> 1x1 (17x17 grid)."""
    branch1x1 = conv2d_bn(x, 192, 1, 1)
    branch7x7 = conv2d_bn(x, width, 1, 1)
    branch7x7 = conv2d_bn(branch7x7, width, 1, 7)
    branch7x7 = conv2d_bn(branch7x7, 192, 7, 1)
    double = conv2d_bn(x, width, 1, 1)
    double = conv2d_bn(double, width, 7, 1)
    double = conv2d_bn(double, width, 1, 7)
    double = conv2d_bn(double, width, 7, 1)
    double = conv2d_bn(double, 192, 1, 7)
    pooled = _pooled_branch(x, 192)
    return layers.Concatenate(axis=3, name=name)([branch1x1, branch7x7, double, pooled])


def _reduction_b(x: Any) -> Any:
    """17x17 to 8x8: 1x1 -> stride-2 3x3 | 1x1 -> 1x7 -> 7x1 -> stride-2 3x3 | max pool."""
    branch3x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=2, padding="valid")
    branch7x7 = conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    branch7x7 = conv2d_bn(branch7x7, 192, 3, 3, strides=2, padding="valid")
    pooled = layers.MaxPooling2D(3, strides=2)(x)
    return layers.Concatenate(axis=3, name="mixed8")([branch3x3, branch7x7, pooled])


def _module_c(x: Any, index: int) -> Any:
    """1x1 | 1x1 -> (1x3, 3x1) | 1x1 -> 3x3 -> (1x3, 3x1) | pool -> 1x1 (8x8 grid)."""
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = layers.Concatenate(axis=3, name=f"mixed9_{index}")(
        [conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)])
    double = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
    double = layers.Concatenate(axis=3)([conv2d_bn(double, 384, 1, 3),
                                         conv2d_bn(double, 384, 3, 1)])
    pooled = _pooled_branch(x, 192)
    return layers.Concatenate(axis=3, name=f"mixed{9 + index}")(
        [branch1x1, branch3x3, double, pooled])


def InceptionV3(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax",
                name: str = "inception_v3") -> Functional:
    """Inception-v3 (Szegedy et al., 2015), with Keras's layer names and weight layout."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 299, 75, include_top, weights)
    image = model_input(input_tensor, shape)
    x = conv2d_bn(image, 32, 3, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    for index, pool_filters in enumerate((32, 64, 64)):
        x = _module_a(x, pool_filters, f"mixed{index}")
    x = _reduction_a(x)
    for index, width in enumerate((128, 160, 160, 192), start=4):
        x = _module_b(x, width, f"mixed{index}")
    x = _reduction_b(x)
    for index in range(2):
        x = _module_c(x, index)
    x = average_pool_top(x, include_top, pooling, classes, classifier_activation, weights)
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    load_application_weights(model, weights, include_top, _FILES, _BASE_URL, _HASHES)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as InceptionV3's ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
