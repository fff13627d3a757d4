"""DenseNet121, DenseNet169 and DenseNet201: dense blocks (each layer's output concatenated
to all it saw) joined by transitions that halve the channels and the resolution."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (average_pool_top, check_weights_argument,
                                                   decode_predictions, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.models.functional import Functional

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions",
           "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# md5 of (with classifier, without), as Keras checks them.
_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPSILON = 1.001e-5
_GROWTH_RATE = 32


def _batch_norm_relu(x: Any, name: str) -> Any:
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def dense_layer(x: Any, name: str) -> Any:
    """BN-ReLU-1x1 (4 x growth) then BN-ReLU-3x3 (growth), concatenated to the input."""
    new = _batch_norm_relu(x, f"{name}_0")
    new = layers.Conv2D(4 * _GROWTH_RATE, 1, use_bias=False, name=f"{name}_1_conv")(new)
    new = _batch_norm_relu(new, f"{name}_1")
    new = layers.Conv2D(_GROWTH_RATE, 3, padding="same", use_bias=False,
                        name=f"{name}_2_conv")(new)
    return layers.Concatenate(axis=3, name=f"{name}_concat")([x, new])


def transition(x: Any, name: str) -> Any:
    """BN-ReLU, a 1x1 convolution to half the channels, 2x2 average pooling."""
    x = _batch_norm_relu(x, name)
    x = layers.Conv2D(int(x.shape[3] * 0.5), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def build_densenet(blocks: tuple[int, int, int, int], include_top: bool, weights: Any,
                   input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
                   classifier_activation: Any, name: str, weights_name: str) -> Functional:
    """A DenseNet with `blocks` dense layers in each of its four dense blocks."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    # Keras leaves both paddings unnamed: they get the next automatic names.
    x = layers.ZeroPadding2D(((3, 3), (3, 3)))(image)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _batch_norm_relu(x, "conv1")
    x = layers.ZeroPadding2D(((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        for index in range(1, count + 1):
            x = dense_layer(x, f"conv{stage}_block{index}")
        if stage < 5:
            x = transition(x, f"pool{stage}")
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = average_pool_top(x, include_top, pooling, classes, classifier_activation, weights,
                         ("avg_pool", "max_pool"))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    files = (f"{weights_name}_weights_tf_dim_ordering_tf_kernels.h5",
             f"{weights_name}_weights_tf_dim_ordering_tf_kernels_notop.h5")
    load_application_weights(model, weights, include_top, files, _BASE_URL,
                             _HASHES[weights_name])
    return model


def DenseNet121(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "densenet121") -> Functional:
    """DenseNet121 (Huang et al., 2017): 6, 12, 24 and 16 layers in its dense blocks."""
    return build_densenet((6, 12, 24, 16), include_top, weights, input_tensor, input_shape,
                          pooling, classes, classifier_activation, name, "densenet121")


def DenseNet169(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "densenet169") -> Functional:
    """DenseNet169: 6, 12, 32 and 32 layers in its dense blocks."""
    return build_densenet((6, 12, 32, 32), include_top, weights, input_tensor, input_shape,
                          pooling, classes, classifier_activation, name, "densenet169")


def DenseNet201(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "densenet201") -> Functional:
    """DenseNet201: 6, 12, 48 and 32 layers in its dense blocks."""
    return build_densenet((6, 12, 48, 32), include_top, weights, input_tensor, input_shape,
                          pooling, classes, classifier_activation, name, "densenet201")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels to [0, 1], then standardise by ImageNet's channel statistics."""
    return _imagenet_preprocess(x, data_format=data_format, mode="torch")
