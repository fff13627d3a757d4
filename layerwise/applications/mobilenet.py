"""MobileNet (v1): a plain stack of depthwise separable convolutions (depthwise 3x3, then
pointwise 1x1, each with batch normalization and ReLU6), thinned by `alpha`."""
from __future__ import annotations

import warnings
from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_classifier_activation,
                                                   check_weights_argument, decode_predictions,
                                                   image_input_shape, load_application_weights,
                                                   model_input, model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.models.functional import Functional

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_IMAGENET_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
# (pointwise filters, stride) of the 13 depthwise separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def depthwise_separable_block(x: Any, filters: int, depth_multiplier: int, stride: int,
                              block_id: int) -> Any:
    """Depthwise 3x3 (stride), BN, ReLU6, pointwise 1x1, BN, ReLU6."""
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D(3, padding="same" if stride == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=stride,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def _check_imagenet(weights: Any, alpha: float, depth_multiplier: int, rows: Any,
                    columns: Any) -> Any:
    """Keras's rules for the ImageNet weights; returns the size whose weights are loaded."""
    if weights != "imagenet":
        return rows
    if depth_multiplier != 1:
        raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                         f"Received depth_multiplier={depth_multiplier}")
    if alpha not in (0.25, 0.50, 0.75, 1.0):
        raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, "
                         f"`0.50`, `0.75` or `1.0` only.  Received alpha={alpha}")
    if rows != columns or rows not in _IMAGENET_SIZES:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in [128, "
                      "160, 192, 224]. Weights for input shape (224, 224) will be loaded as "
                      "the default.", stacklevel=3)
        return 224
    return rows


def MobileNet(input_shape: Any = None, alpha: float = 1.0, depth_multiplier: int = 1,
              dropout: float = 1e-3, include_top: bool = True, weights: Any = "imagenet",
              input_tensor: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str | None = None) -> Functional:
    """MobileNet (Howard et al., 2017) with width multiplier `alpha`, Keras's layer names."""
    check_weights_argument(weights, include_top, classes)
    default_size = 224
    if input_shape is not None and input_shape[0] == input_shape[1] \
            and input_shape[0] in _IMAGENET_SIZES:
        default_size = input_shape[0]
    shape = image_input_shape(input_shape, default_size, 32, include_top, weights)
    rows = _check_imagenet(weights, alpha, depth_multiplier, shape[0], shape[1])
    image = model_input(input_tensor, shape)
    x = layers.Conv2D(int(32 * alpha), 3, padding="same", use_bias=False, strides=2,
                      name="conv1")(image)
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = depthwise_separable_block(x, int(filters * alpha), depth_multiplier, stride,
                                      block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        check_classifier_activation(classifier_activation, weights)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(model_inputs(input_tensor, image), x,
                       name=name or f"mobilenet_{alpha:0.2f}_{rows}")
    alpha_text = _ALPHA_TEXT.get(alpha, "2_5")
    files = (f"mobilenet_{alpha_text}_{rows}_tf.h5", f"mobilenet_{alpha_text}_{rows}_tf_no_top.h5")
    # Keras checks no hash for these files.
    load_application_weights(model, weights, include_top, files, _BASE_URL)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as MobileNet's ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
