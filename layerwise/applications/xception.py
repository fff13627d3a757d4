"""Xception: depthwise separable convolutions in residual blocks (entry, middle and exit
flows), for 299x299 images."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (average_pool_top, check_weights_argument,
                                                   decode_predictions, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.models.functional import Functional

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
_FILES = ("xception_weights_tf_dim_ordering_tf_kernels.h5",
          "xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def _separable(x: Any, filters: int, name: str) -> Any:
    """A 3x3 separable convolution and its batch normalization."""
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(name=f"{name}_bn")(x)


def _downsampling_block(x: Any, filters: tuple[int, int], block: int,
                        first_relu: bool) -> Any:
    """Two separable convolutions and a stride-2 max pooling, added to a 1x1 stride-2
    projection of the input (Keras leaves the projection's two layers unnamed)."""
    residual = layers.Conv2D(filters[1], 1, strides=2, padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization()(residual)
    if first_relu:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _separable(x, filters[0], f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _separable(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    return layers.Add()([x, residual])


def _middle_block(x: Any, block: int) -> Any:
    """Three ReLU-separable convolutions of 728 channels, added to the input."""
    residual = x
    for index in (1, 2, 3):
        x = layers.Activation("relu", name=f"block{block}_sepconv{index}_act")(x)
        x = _separable(x, 728, f"block{block}_sepconv{index}")
    return layers.Add()([x, residual])


def Xception(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
             input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "xception") -> Functional:
    """Xception (Chollet, 2017), with Keras's layer names and weight layout."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 299, 71, include_top, weights)
    image = model_input(input_tensor, shape)
    x = layers.Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(image)
    x = layers.BatchNormalization(name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, (128, 128), 2, first_relu=False)
    x = _downsampling_block(x, (256, 256), 3, first_relu=True)
    x = _downsampling_block(x, (728, 728), 4, first_relu=True)
    for block in range(5, 13):
        x = _middle_block(x, block)
    x = _downsampling_block(x, (728, 1024), 13, first_relu=True)
    x = _separable(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _separable(x, 2048, "block14_sepconv2")
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    x = average_pool_top(x, include_top, pooling, classes, classifier_activation, weights)
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    load_application_weights(model, weights, include_top, _FILES, _BASE_URL, _HASHES)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as Xception's ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
