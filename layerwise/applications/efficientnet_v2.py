"""EfficientNetV2 B0 to B3, S, M and L: fused inverted bottlenecks (one full convolution in
place of expand + depthwise) in the early stages, squeeze-and-excitation ones later; the input
scaling is built into the model."""
from __future__ import annotations

import math
import os
from typing import Any

from layerwise import layers
from layerwise.applications.efficientnet import CONVOLUTION_INITIALIZER, DENSE_INITIALIZER
from layerwise.applications.imagenet_utils import (check_classifier_activation,
                                                   decode_predictions, global_pooling,
                                                   image_input_shape, load_application_weights,
                                                   model_input, model_inputs)
from layerwise.models.functional import Functional

__all__ = ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
           "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S", "decode_predictions",
           "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
# md5 of (with classifier, without) for each set of ImageNet weights, as Keras checks them.
_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
# Stages: (kernel, repeats, input channels, output channels, expansion, squeeze ratio,
# stride, fused).
_B_STAGES = ((3, 1, 32, 16, 1, 0, 1, True), (3, 2, 16, 32, 4, 0, 2, True),
             (3, 2, 32, 48, 4, 0, 2, True), (3, 3, 48, 96, 4, 0.25, 2, False),
             (3, 5, 96, 112, 6, 0.25, 1, False), (3, 8, 112, 192, 6, 0.25, 2, False))
_STAGES = {
    "s": ((3, 2, 24, 24, 1, 0, 1, True), (3, 4, 24, 48, 4, 0, 2, True),
          (3, 4, 48, 64, 4, 0, 2, True), (3, 6, 64, 128, 4, 0.25, 2, False),
          (3, 9, 128, 160, 6, 0.25, 1, False), (3, 15, 160, 256, 6, 0.25, 2, False)),
    "m": ((3, 3, 24, 24, 1, 0, 1, True), (3, 5, 24, 48, 4, 0, 2, True),
          (3, 5, 48, 80, 4, 0, 2, True), (3, 7, 80, 160, 4, 0.25, 2, False),
          (3, 14, 160, 176, 6, 0.25, 1, False), (3, 18, 176, 304, 6, 0.25, 2, False),
          (3, 5, 304, 512, 6, 0.25, 1, False)),
    "l": ((3, 4, 32, 32, 1, 0, 1, True), (3, 7, 32, 64, 4, 0, 2, True),
          (3, 7, 64, 96, 4, 0, 2, True), (3, 10, 96, 192, 4, 0.25, 2, False),
          (3, 19, 192, 224, 6, 0.25, 1, False), (3, 25, 224, 384, 6, 0.25, 2, False),
          (3, 7, 384, 640, 6, 0.25, 1, False)),
}
# (width, depth, default input size) of each variant.
_SCALING = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260),
            "b3": (1.2, 1.4, 300), "s": (1.0, 1.0, 384), "m": (1.0, 1.0, 480),
            "l": (1.0, 1.0, 480)}
_MOMENTUM = 0.9
_DROP_CONNECT_RATE = 0.2


def _conv(filters: int, kernel: int, strides: int, name: str, activation: Any = None) -> Any:
    return layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False,
                         activation=activation, kernel_initializer=CONVOLUTION_INITIALIZER,
                         name=name)


def _batch_norm_swish(x: Any, name: str, activation_name: str) -> Any:
    x = layers.BatchNormalization(axis=3, momentum=_MOMENTUM, name=name)(x)
    return layers.Activation("swish", name=activation_name)(x)


def _squeeze_excite(x: Any, filters: int, filters_in: int, ratio: float, name: str) -> Any:
    gate = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    gate = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(gate)
    gate = layers.Conv2D(max(1, int(filters_in * ratio)), 1, padding="same",
                         activation="swish", kernel_initializer=CONVOLUTION_INITIALIZER,
                         name=f"{name}se_reduce")(gate)
    gate = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                         kernel_initializer=CONVOLUTION_INITIALIZER,
                         name=f"{name}se_expand")(gate)
    return layers.Multiply(name=f"{name}se_excite")([x, gate])


def _residual(x: Any, inputs: Any, stride: int, filters_in: int, filters_out: int,
              drop_rate: float, name: str) -> Any:
    if stride == 1 and filters_in == filters_out:
        if drop_rate:
            # Keras passes this block's "survival probability" to Dropout as its rate.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.Add(name=f"{name}add")([x, inputs])
    return x


def inverted_block(inputs: Any, kernel: int, filters_in: int, filters_out: int,
                   expansion: int, squeeze: float, stride: int, drop_rate: float,
                   name: str) -> Any:
    """Expand 1x1, depthwise kxk (stride), squeeze-excite, project 1x1."""
    filters = filters_in * expansion
    x = inputs
    if expansion != 1:
        x = _conv(filters, 1, 1, f"{name}expand_conv")(x)
        x = _batch_norm_swish(x, f"{name}expand_bn", f"{name}expand_activation")
    x = layers.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=False,
                               depthwise_initializer=CONVOLUTION_INITIALIZER,
                               name=f"{name}dwconv2")(x)
    x = _batch_norm_swish(x, f"{name}bn", f"{name}activation")
    if 0 < squeeze <= 1:
        x = _squeeze_excite(x, filters, filters_in, squeeze, name)
    x = _conv(filters_out, 1, 1, f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=3, momentum=_MOMENTUM, name=f"{name}project_bn")(x)
    return _residual(x, inputs, stride, filters_in, filters_out, drop_rate, name)


def fused_block(inputs: Any, kernel: int, filters_in: int, filters_out: int, expansion: int,
                squeeze: float, stride: int, drop_rate: float, name: str) -> Any:
    """A full kxk (stride) expansion, squeeze-excite, project 1x1; without expansion the
    projection itself is the kxk convolution."""
    filters = filters_in * expansion
    x = inputs
    if expansion != 1:
        x = _conv(filters, kernel, stride, f"{name}expand_conv")(x)
        x = _batch_norm_swish(x, f"{name}expand_bn", f"{name}expand_activation")
    if 0 < squeeze <= 1:
        x = _squeeze_excite(x, filters, filters_in, squeeze, name)
    expanded = expansion != 1
    x = _conv(filters_out, 1 if expanded else kernel, 1 if expanded else stride,
              f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=3, momentum=_MOMENTUM, name=f"{name}project_bn")(x)
    if not expanded:
        x = layers.Activation("swish", name=f"{name}project_activation")(x)
    return _residual(x, inputs, stride, filters_in, filters_out, drop_rate, name)


def _round_filters(filters: int, width: float) -> int:
    filters *= width
    return int(max(8, int(filters + 4) // 8 * 8))


def build_efficientnet_v2(variant: str, include_top: bool, weights: Any, input_tensor: Any,
                          input_shape: Any, pooling: str | None, classes: int,
                          classifier_activation: Any, include_preprocessing: bool,
                          name: str) -> Functional:
    """EfficientNetV2-`variant` ("b0" to "b3", "s", "m", "l")."""
    width, depth, default_size = _SCALING[variant]
    stages = _STAGES.get(variant, _B_STAGES)
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded.Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights="imagenet"` with `include_top` as true, '
                         "`classes` should be 1000")
    shape = image_input_shape(input_shape, default_size, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    x = image
    if include_preprocessing:
        if variant.startswith("b") and shape[-1] == 3:
            x = layers.Rescaling(1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229**2, 0.224**2, 0.225**2], axis=3)(x)
        else:
            x = layers.Rescaling(1.0 / 128.0, offset=-1)(x)
    x = _conv(_round_filters(stages[0][2], width), 3, 2, "stem_conv")(x)
    x = _batch_norm_swish(x, "stem_bn", "stem_activation")
    total_blocks, block_index = float(sum(stage[1] for stage in stages)), 0
    for stage_index, stage in enumerate(stages, start=1):
        kernel, repeats, filters_in, filters_out, expansion, squeeze, stride, fused = stage
        filters_in, filters_out = _round_filters(filters_in, width), \
            _round_filters(filters_out, width)
        block = fused_block if fused else inverted_block
        for repeat in range(int(math.ceil(depth * repeats))):
            first = repeat == 0
            x = block(x, kernel, filters_in if first else filters_out, filters_out, expansion,
                      squeeze, stride if first else 1,
                      _DROP_CONNECT_RATE * block_index / total_blocks,
                      f"block{stage_index}{chr(ord('a') + repeat)}_")
            block_index += 1
    x = _conv(_round_filters(1280, width), 1, 1, "top_conv")(x)
    x = _batch_norm_swish(x, "top_bn", "top_activation")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(0.2, name="top_dropout")(x)
        check_classifier_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_INITIALIZER, bias_initializer="zeros",
                         name="predictions")(x)
    else:
        x = global_pooling(x, pooling, ("avg_pool", "max_pool"))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    # Keras names the file after the model's `name`; the canonical name is used here.
    canonical = f"efficientnetv2-{variant}"
    load_application_weights(model, weights, include_top,
                             (f"{canonical}.h5", f"{canonical}_notop.h5"), _BASE_URL,
                             _HASHES[variant])
    return model


def _variant(variant: str, function_name: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", include_preprocessing: bool = True,
              name: str = f"efficientnetv2-{variant}") -> Functional:
        return build_efficientnet_v2(variant, include_top, weights, input_tensor, input_shape,
                                     pooling, classes, classifier_activation,
                                     include_preprocessing, name)
    width, depth, size = _SCALING[variant]
    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = (f"{function_name} (Tan and Le, 2021): width x{width}, depth x{depth}, "
                     f"{size}x{size} images.")
    return build


EfficientNetV2B0 = _variant("b0", "EfficientNetV2B0")
EfficientNetV2B1 = _variant("b1", "EfficientNetV2B1")
EfficientNetV2B2 = _variant("b2", "EfficientNetV2B2")
EfficientNetV2B3 = _variant("b3", "EfficientNetV2B3")
EfficientNetV2S = _variant("s", "EfficientNetV2S")
EfficientNetV2M = _variant("m", "EfficientNetV2M")
EfficientNetV2L = _variant("l", "EfficientNetV2L")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The input unchanged: EfficientNetV2 scales inside the model."""
    return x
