"""ResNet50, ResNet101 and ResNet152 (v1): bottleneck residual blocks, the stride on each
stack's first 1x1 convolution; and the builder ResNet v2 shares."""
from __future__ import annotations

from typing import Any, Callable

from layerwise import layers
from layerwise.applications.imagenet_utils import (average_pool_top, check_weights_argument,
                                                   decode_predictions, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs, preprocess_input)
from layerwise.models.functional import Functional

__all__ = ["ResNet101", "ResNet152", "ResNet50", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# md5 of (with classifier, without) for each set of ImageNet weights, as Keras checks them.
_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
EPSILON = 1.001e-5


def _convolution_unit(x: Any, filters: int, kernel: int, strides: int, padding: str,
                      name: str, relu: bool) -> Any:
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPSILON, name=f"{name}_bn")(x)
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


def build_resnet(stacks: Callable[[Any], Any], preactivation: bool, weights_name: str,
                 include_top: bool, weights: Any, input_tensor: Any, input_shape: Any,
                 pooling: str | None, classes: int, classifier_activation: Any,
                 name: str) -> Functional:
    """The stem, `stacks`, and the head every ResNet shares; v2 (`preactivation`) moves the
    stem's batch normalization after the last stack."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(image)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    if not preactivation:
        x = layers.BatchNormalization(axis=3, epsilon=EPSILON, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stacks(x)
    if preactivation:
        x = layers.BatchNormalization(axis=3, epsilon=EPSILON, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = average_pool_top(x, include_top, pooling, classes, classifier_activation, weights,
                         ("avg_pool", "max_pool"))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    files = (f"{weights_name}_weights_tf_dim_ordering_tf_kernels.h5",
             f"{weights_name}_weights_tf_dim_ordering_tf_kernels_notop.h5")
    load_application_weights(model, weights, include_top, files, _BASE_URL,
                             _HASHES[weights_name])
    return model


def _stacks_v1(blocks: tuple[int, int, int, int]) -> Callable[[Any], Any]:
    def stacks(x: Any) -> Any:
        for index, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks)):
            x = stack(x, filters, count, 1 if index == 0 else 2, f"conv{index + 2}")
        return x
    return stacks


def ResNet50(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
             input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "resnet50") -> Functional:
    """ResNet50 (He et al., 2015), with Keras's layer names and weight layout."""
    return build_resnet(_stacks_v1((3, 4, 6, 3)), False, "resnet50", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def ResNet101(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = "resnet101") -> Functional:
    """ResNet101: ResNet50 with 23 blocks in its third stack."""
    return build_resnet(_stacks_v1((3, 4, 23, 3)), False, "resnet101", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def ResNet152(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = "resnet152") -> Functional:
    """ResNet152: 8 blocks in the second stack, 36 in the third."""
    return build_resnet(_stacks_v1((3, 8, 36, 3)), False, "resnet152", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)
