"""ResNet50 (v1): bottleneck residual blocks, the stride on each stack's first 1x1 convolution."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_weights_argument, decode_predictions,
                                                   image_input_shape, load_application_weights,
                                                   global_pooling, model_input, model_inputs,
                                                   preprocess_input)
from layerwise.models.functional import Functional

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
_FILES = ("resnet50_weights_tf_dim_ordering_tf_kernels.h5",
          "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")
_EPSILON = 1.001e-5


def _convolution_unit(x: Any, filters: int, kernel: int, strides: int, padding: str,
                      name: str, relu: bool) -> Any:
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def bottleneck_block(x: Any, filters: int, strides: int, projection: bool, name: str) -> Any:
    """1x1 (stride) -> 3x3 -> 1x1 (4 * filters), added to the input or to its projection."""
    if projection:
        shortcut = _convolution_unit(x, 4 * filters, 1, strides, "valid", f"{name}_0", False)
    else:
        shortcut = x
    x = _convolution_unit(x, filters, 1, strides, "valid", f"{name}_1", True)
    x = _convolution_unit(x, filters, 3, 1, "same", f"{name}_2", True)
    x = _convolution_unit(x, 4 * filters, 1, 1, "valid", f"{name}_3", False)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack(x: Any, filters: int, blocks: int, first_stride: int, name: str) -> Any:
    x = bottleneck_block(x, filters, first_stride, True, f"{name}_block1")
    for index in range(2, blocks + 1):
        x = bottleneck_block(x, filters, 1, False, f"{name}_block{index}")
    return x


def ResNet50(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
             input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "resnet50") -> Functional:
    """ResNet50 (He et al., 2015), with Keras's layer names and weight layout."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(image)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stack_name, filters, blocks, stride in (("conv2", 64, 3, 1), ("conv3", 128, 4, 2),
                                                ("conv4", 256, 6, 2), ("conv5", 512, 3, 2)):
        x = stack(x, filters, blocks, stride, stack_name)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pooling(x, pooling, ("avg_pool", "max_pool"))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    load_application_weights(model, weights, include_top, _FILES, _BASE_URL)
    return model
