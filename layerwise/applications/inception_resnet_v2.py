"""InceptionResNetV2: Inception branches whose concatenation, projected back by a 1x1
convolution and scaled down, is added to the block's input; for 299x299 images."""
from __future__ import annotations

from typing import Any

import jax

from layerwise import layers
from layerwise.applications.imagenet_utils import (average_pool_top, check_weights_argument,
                                                   decode_predictions, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.engine.layer import Layer
from layerwise.models.functional import Functional

__all__ = ["CustomScaleLayer", "InceptionResNetV2", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
_FILES = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
          "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5")
_HASHES = ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4")


class CustomScaleLayer(Layer):
    """`inputs[0] + scale * inputs[1]`: a residual branch added back, scaled down."""

    def __init__(self, scale: float, **kwargs: Any):
        super().__init__(**kwargs)
        self.scale = scale
        self.built = True

    def call(self, inputs: list[jax.Array]) -> jax.Array:
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale}


def conv2d_bn(x: Any, filters: int, kernel: Any, strides: int = 1, padding: str = "same",
              activation: str | None = "relu", use_bias: bool = False,
              name: str | None = None) -> Any:
    """Convolution, batch normalization (no scale; skipped with a bias), activation."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                      name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=3, scale=False,
                                      name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _branches(x: Any, block_type: str) -> list:
    if block_type == "block35":
        return [conv2d_bn(x, 32, 1),
                conv2d_bn(conv2d_bn(x, 32, 1), 32, 3),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)]
    if block_type == "block17":
        return [conv2d_bn(x, 192, 1),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 128, 1), 160, (1, 7)), 192, (7, 1))]
    return [conv2d_bn(x, 192, 1),
            conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1), 224, (1, 3)), 256, (3, 1))]


def inception_resnet_block(x: Any, scale: float, block_type: str, index: int,
                           activation: str | None = "relu") -> Any:
    """The branches of `block_type` ("block35", "block17" or "block8"), concatenated,
    projected to the input's channels and added to it times `scale`."""
    name = f"{block_type}_{index}"
    mixed = layers.Concatenate(axis=3, name=f"{name}_mixed")(_branches(x, block_type))
    up = conv2d_bn(mixed, x.shape[3], 1, activation=None, use_bias=True, name=f"{name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_ac")(x)
    return x


def _stem(image: Any) -> Any:
    x = conv2d_bn(image, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    branches = [conv2d_bn(x, 96, 1),
                conv2d_bn(conv2d_bn(x, 48, 1), 64, 5),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3),
                conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)]
    return layers.Concatenate(axis=3, name="mixed_5b")(branches)


def _reduction_a(x: Any) -> Any:
    branches = [conv2d_bn(x, 384, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2,
                          padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    return layers.Concatenate(axis=3, name="mixed_6a")(branches)


def _reduction_b(x: Any) -> Any:
    branches = [conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2,
                          padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    return layers.Concatenate(axis=3, name="mixed_7a")(branches)


def InceptionResNetV2(include_top: bool = True, weights: Any = "imagenet",
                      input_tensor: Any = None, input_shape: Any = None,
                      pooling: str | None = None, classes: int = 1000,
                      classifier_activation: Any = "softmax",
                      name: str = "inception_resnet_v2") -> Functional:
    """Inception-ResNet-v2 (Szegedy et al., 2016), with Keras's layer names."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 299, 75, include_top, weights)
    image = model_input(input_tensor, shape)
    x = _stem(image)
    for index in range(1, 11):
        x = inception_resnet_block(x, 0.17, "block35", index)
    x = _reduction_a(x)
    for index in range(1, 21):
        x = inception_resnet_block(x, 0.1, "block17", index)
    x = _reduction_b(x)
    for index in range(1, 10):
        x = inception_resnet_block(x, 0.2, "block8", index)
    x = inception_resnet_block(x, 1.0, "block8", 10, activation=None)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    x = average_pool_top(x, include_top, pooling, classes, classifier_activation, weights)
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    load_application_weights(model, weights, include_top, _FILES, _BASE_URL, _HASHES)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as the ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
