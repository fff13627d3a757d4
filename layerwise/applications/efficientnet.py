"""EfficientNetB0 to B7: one network of mobile inverted bottlenecks with squeeze-and-excitation,
scaled in width, depth and input size; the ImageNet normalization is built into the model."""
from __future__ import annotations

import math
import os
from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_classifier_activation, correct_pad,
                                                   decode_predictions, global_pooling,
                                                   image_input_shape, load_application_weights,
                                                   model_input, model_inputs)
from layerwise.applications.mobilenet_v2 import make_divisible
from layerwise.models.functional import Functional

__all__ = ["EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
           "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
           "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/keras-applications/"
# md5 of (with classifier, without) for each set of ImageNet weights, as Keras checks them.
_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# The B0 stages: (kernel, repeats, input channels, output channels, expansion, stride).
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))
# (width, depth, default input size, dropout before the classifier) of B0 to B7.
_SCALING = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2),
            "b2": (1.1, 1.2, 260, 0.3), "b3": (1.2, 1.4, 300, 0.3),
            "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
            "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}
_SQUEEZE_RATIO = 0.25
_DROP_CONNECT_RATE = 0.2
_IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)
CONVOLUTION_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}


def mobile_inverted_block(inputs: Any, filters_in: int, filters_out: int, kernel: int,
                          stride: int, expansion: int, drop_rate: float, name: str) -> Any:
    """Expand 1x1, depthwise kxk (stride), squeeze-excite, project 1x1; added back (after
    per-sample dropout of the whole branch) when shapes allow."""
    filters = filters_in * expansion
    x = inputs
    if expansion != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=CONVOLUTION_INITIALIZER,
                          name=f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=3, name=f"{name}expand_bn")(x)
        x = layers.Activation("swish", name=f"{name}expand_activation")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(correct_pad(x, kernel), name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride,
                               padding="valid" if stride == 2 else "same", use_bias=False,
                               depthwise_initializer=CONVOLUTION_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=3, name=f"{name}bn")(x)
    x = layers.Activation("swish", name=f"{name}activation")(x)
    gate = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    gate = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(gate)
    gate = layers.Conv2D(max(1, int(filters_in * _SQUEEZE_RATIO)), 1, padding="same",
                         activation="swish", kernel_initializer=CONVOLUTION_INITIALIZER,
                         name=f"{name}se_reduce")(gate)
    gate = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                         kernel_initializer=CONVOLUTION_INITIALIZER,
                         name=f"{name}se_expand")(gate)
    x = layers.Multiply(name=f"{name}se_excite")([x, gate])
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=CONVOLUTION_INITIALIZER,
                      name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=3, name=f"{name}project_bn")(x)
    if stride == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.Add(name=f"{name}add")([x, inputs])
    return x


def build_efficientnet(variant: str, include_top: bool, weights: Any, input_tensor: Any,
                       input_shape: Any, pooling: str | None, classes: int,
                       classifier_activation: Any, name: str) -> Functional:
    """EfficientNet-`variant` ("b0" to "b7")."""
    width, depth, default_size, dropout_rate = _SCALING[variant]
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path "
                         "to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights="imagenet"` with `include_top` as true, '
                         "`classes` should be 1000")
    shape = image_input_shape(input_shape, default_size, 32, include_top, weights)
    image = model_input(input_tensor, shape)

    def round_filters(filters: int) -> int:
        return make_divisible(filters * width, 8)

    x = layers.Rescaling(1.0 / 255.0)(image)
    x = layers.Normalization(axis=3)(x)
    if weights == "imagenet":
        # The released weights expect inputs divided by the standard deviation twice.
        x = layers.Rescaling([1.0 / math.sqrt(deviation)
                              for deviation in _IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32), 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer=CONVOLUTION_INITIALIZER, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=3, name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_activation")(x)
    repeats = [int(math.ceil(depth * stage[1])) for stage in _STAGES]
    total_blocks, block_index = float(sum(repeats)), 0
    for stage, ((kernel, _, filters_in, filters_out, expansion, stride), count) in \
            enumerate(zip(_STAGES, repeats), start=1):
        filters_in, filters_out = round_filters(filters_in), round_filters(filters_out)
        for repeat in range(count):
            first = repeat == 0
            x = mobile_inverted_block(
                x, filters_in if first else filters_out, filters_out, kernel,
                stride if first else 1, expansion,
                _DROP_CONNECT_RATE * block_index / total_blocks,
                f"block{stage}{chr(ord('a') + repeat)}_")
            block_index += 1
    x = layers.Conv2D(round_filters(1280), 1, padding="same", use_bias=False,
                      kernel_initializer=CONVOLUTION_INITIALIZER, name="top_conv")(x)
    x = layers.BatchNormalization(axis=3, name="top_bn")(x)
    x = layers.Activation("swish", name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        check_classifier_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_INITIALIZER, name="predictions")(x)
    else:
        x = global_pooling(x, pooling, ("avg_pool", "max_pool"))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    # Keras names the file after the model's `name`; the canonical name is used here, so a
    # renamed model still finds its weights.
    files = (f"efficientnet{variant}.h5", f"efficientnet{variant}_notop.h5")
    load_application_weights(model, weights, include_top, files, _BASE_URL, _HASHES[variant])
    return model


def _variant(variant: str, default_name: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = default_name) -> Functional:
        return build_efficientnet(variant, include_top, weights, input_tensor, input_shape,
                                  pooling, classes, classifier_activation, name)
    width, depth, size, _ = _SCALING[variant]
    build.__name__ = build.__qualname__ = f"EfficientNet{variant.upper()}"
    build.__doc__ = (f"EfficientNet-{variant.upper()} (Tan and Le, 2019): width x{width}, "
                     f"depth x{depth}, {size}x{size} images.")
    return build


EfficientNetB0 = _variant("b0", "efficientnetb0")
EfficientNetB1 = _variant("b1", "efficientnetb1")
EfficientNetB2 = _variant("b2", "efficientnetb2")
EfficientNetB3 = _variant("b3", "efficientnetb3")
EfficientNetB4 = _variant("b4", "efficientnetb4")
EfficientNetB5 = _variant("b5", "efficientnetb5")
EfficientNetB6 = _variant("b6", "efficientnetb6")
EfficientNetB7 = _variant("b7", "efficientnetb7")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The input unchanged: EfficientNet normalizes inside the model."""
    return x
