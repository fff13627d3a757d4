"""MobileNetV3Small and MobileNetV3Large: MobileNetV2's inverted residual blocks with
squeeze-and-excitation and hard-swish, the [-1, 1] rescaling built into the model."""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable

from layerwise import layers, ops
from layerwise.applications.imagenet_utils import (check_classifier_activation, correct_pad,
                                                   decode_predictions, global_pooling,
                                                   load_application_weights, model_input,
                                                   model_inputs)
from layerwise.applications.mobilenet_v2 import make_divisible
from layerwise.engine.keras_tensor import is_keras_tensor
from layerwise.models.functional import Functional

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# md5 of (with classifier, without) for each set of ImageNet weights, as Keras checks them.
_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}
# Each block: (expansion, output channels, kernel, stride, squeeze-excite, hard-swish);
# kernel 0 is the model's own kernel (5, or 3 when minimalistic).
_SMALL_BLOCKS = ((1, 16, 3, 2, True, False), (72 / 16, 24, 3, 2, False, False),
                 (88 / 24, 24, 3, 1, False, False), (4, 40, 0, 2, True, True),
                 (6, 40, 0, 1, True, True), (6, 40, 0, 1, True, True),
                 (3, 48, 0, 1, True, True), (3, 48, 0, 1, True, True),
                 (6, 96, 0, 2, True, True), (6, 96, 0, 1, True, True),
                 (6, 96, 0, 1, True, True))
_LARGE_BLOCKS = ((1, 16, 3, 1, False, False), (4, 24, 3, 2, False, False),
                 (3, 24, 3, 1, False, False), (3, 40, 0, 2, True, False),
                 (3, 40, 0, 1, True, False), (3, 40, 0, 1, True, False),
                 (6, 80, 3, 2, False, True), (2.5, 80, 3, 1, False, True),
                 (2.3, 80, 3, 1, False, True), (2.3, 80, 3, 1, False, True),
                 (6, 112, 3, 1, True, True), (6, 112, 3, 1, True, True),
                 (6, 160, 0, 2, True, True), (6, 160, 0, 1, True, True),
                 (6, 160, 0, 1, True, True))
_SQUEEZE_RATIO = 0.25


def _relu(x: Any) -> Any:
    return layers.ReLU()(x)


def _hard_swish(x: Any) -> Any:
    return layers.Activation("hard_swish")(x)


def _hard_sigmoid(x: Any) -> Any:
    """relu6(x + 3) / 6, written with ops as Keras writes it (the ops are not layers)."""
    return ops.multiply(layers.ReLU(6.0)(ops.add(x, 3.0)), 1.0 / 6.0)


def _batch_norm(name: str) -> Any:
    return layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)


def squeeze_excite(inputs: Any, filters: int, prefix: str) -> Any:
    """Channels rescaled by a gate computed from their global average."""
    x = layers.GlobalAveragePooling2D(keepdims=True,
                                      name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(make_divisible(filters * _SQUEEZE_RATIO), 1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", name=f"{prefix}squeeze_excite_conv_1")(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, _hard_sigmoid(x)])


def inverted_residual_block(x: Any, expansion: float, filters: int, kernel: int, stride: int,
                            squeeze: bool, activation: Callable[[Any], Any],
                            block_id: int) -> Any:
    """Expand 1x1, depthwise kxk (stride), optional squeeze-excite, project 1x1; the input
    is added back when shapes allow."""
    shortcut = x
    in_channels = x.shape[-1]
    prefix = f"expanded_conv_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(make_divisible(in_channels * expansion), 1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = activation(_batch_norm(f"{prefix}expand_bn")(x))
    if stride == 2:
        x = layers.ZeroPadding2D(correct_pad(x, kernel), name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = activation(_batch_norm(f"{prefix}depthwise_bn")(x))
    if squeeze:
        x = squeeze_excite(x, make_divisible(in_channels * expansion), prefix)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _batch_norm(f"{prefix}project_bn")(x)
    if stride == 1 and in_channels == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _input_shape(input_shape: Any, input_tensor: Any) -> tuple:
    """MobileNetV3's own rule: any size unless given (at least 32x32), read from
    `input_tensor` when only it is given."""
    if input_shape is None and input_tensor is not None and is_keras_tensor(input_tensor):
        input_shape = (input_tensor.shape[2], input_tensor.shape[1], 3)
    if input_shape is None:
        input_shape = (None, None, 3)
    input_shape = tuple(input_shape)
    rows, columns = input_shape[0], input_shape[1]
    if rows and columns and (rows < 32 or columns < 32):
        raise ValueError("Input size must be at least 32x32; Received "
                         f"`input_shape={input_shape}`")
    return input_shape


def _check_arguments(weights: Any, include_top: bool, classes: int, alpha: float,
                     minimalistic: bool, shape: tuple) -> None:
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded.  Received weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights="imagenet"` with `include_top` as true, '
                         f"`classes` should be 1000.  Received classes={classes}")
    if weights != "imagenet":
        return
    if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
        raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, "
                         "`1.0` for non minimalistic or `1.0` for minimalistic only.")
    if shape[0] != shape[1] or shape[0] != 224:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                      "Weights for input shape (224, 224) will be loaded as the default.",
                      stacklevel=4)


def build_mobilenet_v3(blocks: tuple, last_point_channels: int, model_type: str,
                       input_shape: Any, alpha: float, minimalistic: bool, include_top: bool,
                       weights: Any, input_tensor: Any, classes: int, pooling: str | None,
                       dropout_rate: float, classifier_activation: Any,
                       include_preprocessing: bool, name: str) -> Functional:
    """A MobileNetV3 of `blocks`, width `alpha`; minimalistic drops squeeze-excite,
    hard-swish and the 5x5 kernels."""
    shape = _input_shape(input_shape, input_tensor)
    _check_arguments(weights, include_top, classes, alpha, minimalistic, shape)
    image = model_input(input_tensor, shape)
    kernel, activation = (3, _relu) if minimalistic else (5, _hard_swish)
    x = image
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="conv")(x)
    x = activation(_batch_norm("conv_bn")(x))
    for block_id, (expansion, filters, block_kernel, stride, squeeze, swish) in \
            enumerate(blocks):
        block_activation = activation if swish else _relu
        x = inverted_residual_block(x, expansion, make_divisible(filters * alpha),
                                    block_kernel or kernel, stride,
                                    squeeze and not minimalistic, block_activation, block_id)
    last_conv_channels = make_divisible(x.shape[-1] * 6)
    if alpha > 1.0:
        last_point_channels = make_divisible(last_point_channels * alpha)
    x = layers.Conv2D(last_conv_channels, 1, padding="same", use_bias=False, name="conv_1")(x)
    x = activation(_batch_norm("conv_1_bn")(x))
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_channels, 1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, 1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        check_classifier_activation(classifier_activation, weights)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    else:
        x = global_pooling(x, pooling, ("avg_pool", "max_pool"))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    weights_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    files = (f"weights_mobilenet_v3_{weights_name}.h5",
             f"weights_mobilenet_v3_{weights_name}_no_top_v2.h5")
    load_application_weights(model, weights, include_top, files, _BASE_URL,
                             _HASHES.get(weights_name, (None, None)))
    return model


def MobileNetV3Small(input_shape: Any = None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights: Any = "imagenet",
                     input_tensor: Any = None, classes: int = 1000, pooling: str | None = None,
                     dropout_rate: float = 0.2, classifier_activation: Any = "softmax",
                     include_preprocessing: bool = True,
                     name: str = "MobileNetV3Small") -> Functional:
    """MobileNetV3Small (Howard et al., 2019), with Keras's layer names and weight layout."""
    return build_mobilenet_v3(_SMALL_BLOCKS, 1024, "small", input_shape, alpha, minimalistic,
                              include_top, weights, input_tensor, classes, pooling,
                              dropout_rate, classifier_activation, include_preprocessing, name)


def MobileNetV3Large(input_shape: Any = None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights: Any = "imagenet",
                     input_tensor: Any = None, classes: int = 1000, pooling: str | None = None,
                     dropout_rate: float = 0.2, classifier_activation: Any = "softmax",
                     include_preprocessing: bool = True,
                     name: str = "MobileNetV3Large") -> Functional:
    """MobileNetV3Large (Howard et al., 2019), with Keras's layer names and weight layout."""
    return build_mobilenet_v3(_LARGE_BLOCKS, 1280, "large", input_shape, alpha, minimalistic,
                              include_top, weights, input_tensor, classes, pooling,
                              dropout_rate, classifier_activation, include_preprocessing, name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The input unchanged: MobileNetV3 rescales inside the model (`include_preprocessing`)."""
    return x
