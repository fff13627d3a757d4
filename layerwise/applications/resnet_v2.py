"""ResNet50V2, ResNet101V2 and ResNet152V2: pre-activation residual blocks (batch
normalization and ReLU before each convolution), the stride on each stack's last block."""
from __future__ import annotations

from typing import Any, Callable

from layerwise import layers
from layerwise.applications.imagenet_utils import decode_predictions
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.applications.resnet import EPSILON, build_resnet
from layerwise.models.functional import Functional

__all__ = ["ResNet101V2", "ResNet152V2", "ResNet50V2", "decode_predictions", "preprocess_input"]


def preactivation_block(x: Any, filters: int, stride: int, projection: bool, name: str) -> Any:
    """BN-ReLU, then 1x1 -> 3x3 (stride) -> 1x1 (4 * filters), added to the shortcut."""
    preactivated = layers.BatchNormalization(axis=3, epsilon=EPSILON,
                                             name=f"{name}_preact_bn")(x)
    preactivated = layers.Activation("relu", name=f"{name}_preact_relu")(preactivated)
    if projection:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(preactivated)
    elif stride > 1:
        # Keras leaves this pooling unnamed: it gets the next automatic name.
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_1_conv")(preactivated)
    x = layers.BatchNormalization(axis=3, epsilon=EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack(x: Any, filters: int, blocks: int, last_stride: int, name: str) -> Any:
    x = preactivation_block(x, filters, 1, True, f"{name}_block1")
    for index in range(2, blocks):
        x = preactivation_block(x, filters, 1, False, f"{name}_block{index}")
    return preactivation_block(x, filters, last_stride, False, f"{name}_block{blocks}")


def _stacks_v2(blocks: tuple[int, int, int, int]) -> Callable[[Any], Any]:
    def stacks(x: Any) -> Any:
        for index, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks)):
            x = stack(x, filters, count, 1 if index == 3 else 2, f"conv{index + 2}")
        return x
    return stacks


def ResNet50V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
               input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
               classifier_activation: Any = "softmax", name: str = "resnet50v2") -> Functional:
    """ResNet50V2 (He et al., 2016, "Identity Mappings in Deep Residual Networks")."""
    return build_resnet(_stacks_v2((3, 4, 6, 3)), True, "resnet50v2", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def ResNet101V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "resnet101v2") -> Functional:
    """ResNet101V2: 23 blocks in the third stack."""
    return build_resnet(_stacks_v2((3, 4, 23, 3)), True, "resnet101v2", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def ResNet152V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "resnet152v2") -> Functional:
    """ResNet152V2: 8 blocks in the second stack, 36 in the third."""
    return build_resnet(_stacks_v2((3, 8, 36, 3)), True, "resnet152v2", include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as the ResNet v2 ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
