"""MobileNetV2: inverted residual blocks (expand 1x1, depthwise 3x3, linear 1x1 projection)."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_weights_argument, correct_pad,
                                                   decode_predictions, global_pooling,
                                                   image_input_shape, load_application_weights,
                                                   model_input, model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.models.functional import Functional

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_IMAGENET_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
_IMAGENET_SIZES = (96, 128, 160, 192, 224)
# (expansion, output channels, repeats, first stride) of each group of blocks.
_GROUPS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
           (6, 160, 3, 2), (6, 320, 1, 1))
_EPSILON, _MOMENTUM = 1e-3, 0.999


def make_divisible(value: float, divisor: int = 8) -> int:
    """The multiple of `divisor` nearest `value`, never more than 10% below it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _batch_norm(name: str) -> Any:
    return layers.BatchNormalization(epsilon=_EPSILON, momentum=_MOMENTUM, name=name)


def inverted_residual_block(x: Any, expansion: int, filters: int, alpha: float, stride: int,
                            block_id: int) -> Any:
    """One MobileNetV2 block; the input is added back when shapes allow (stride 1, same width)."""
    in_channels = x.shape[-1]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    inputs = x
    if block_id:
        x = layers.Conv2D(expansion * in_channels, 1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _batch_norm(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _batch_norm(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, 1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _batch_norm(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def MobileNetV2(input_shape: Any = None, alpha: float = 1.0, include_top: bool = True,
                weights: Any = "imagenet", input_tensor: Any = None, pooling: str | None = None,
                classes: int = 1000, classifier_activation: Any = "softmax",
                name: str | None = None) -> Functional:
    """MobileNetV2 (Sandler et al., 2018) with width multiplier `alpha`, Keras's layer names."""
    check_weights_argument(weights, include_top, classes)
    if weights == "imagenet" and alpha not in _IMAGENET_ALPHAS:
        raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, "
                         f"`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    rows = shape[0]
    image = model_input(input_tensor, shape)

    x = layers.Conv2D(make_divisible(32 * alpha, 8), 3, strides=2, padding="same",
                      use_bias=False, name="Conv1")(image)
    x = _batch_norm("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    block_id = 0
    for expansion, filters, repeats, first_stride in _GROUPS:
        for repeat in range(repeats):
            x = inverted_residual_block(x, expansion, filters, alpha,
                                        first_stride if repeat == 0 else 1, block_id)
            block_id += 1
    last_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, 1, use_bias=False, name="Conv_1")(x)
    x = _batch_norm("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pooling(x, pooling, (None, None))
    model = Functional(model_inputs(input_tensor, image), x,
                       name=name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    weight_rows = rows if rows in _IMAGENET_SIZES else 224
    files = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{weight_rows}.h5",
             f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{weight_rows}"
             "_no_top.h5")
    load_application_weights(model, weights, include_top, files, _BASE_URL)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as MobileNetV2's ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
