"""ConvNeXt Tiny to XLarge: a ResNet modernised the Transformer way (patchify stem, 7x7
depthwise convolutions, layer normalization, inverted bottlenecks of dense layers, GELU,
layer scale); the ImageNet normalization is built into the model."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from layerwise import layers
from layerwise.applications.convnext_layers import LayerScale, StochasticDepth
from layerwise.applications.imagenet_utils import (check_classifier_activation,
                                                   decode_predictions, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs)
from layerwise.backend import image_data_format
from layerwise.models.functional import Functional
from layerwise.models.sequential import Sequential

__all__ = ["ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
           "LayerScale", "StochasticDepth", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# sha256 of (with classifier, without) for each set of ImageNet weights, as Keras checks them.
_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# (blocks per stage, channels per stage) of each size.
_CONFIGS = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}
_IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
_IMAGENET_VARIANCE = ((0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2)


def convnext_block(inputs: Any, channels: int, drop_path_rate: float,
                   layer_scale_init_value: float | None, name: str) -> Any:
    """7x7 depthwise convolution, layer norm, dense 4x expansion, GELU, dense projection,
    layer scale; added to the input (the sum is an op, not a layer, as in Keras)."""
    x = layers.Conv2D(channels, 7, padding="same", groups=channels,
                      name=f"{name}_depthwise_conv")(inputs)
    x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * channels, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(channels, name=f"{name}_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = LayerScale(layer_scale_init_value, channels, name=f"{name}_layer_scale")(x)
    if drop_path_rate:
        x = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")(x)
    else:
        x = layers.Activation("linear", name=f"{name}_identity")(x)
    return inputs + x


def _downsampling(index: int, channels: int, name: str) -> Sequential:
    """The stem (index 0: 4x4 patches, then layer norm) or a stage's 2x2 downsampling."""
    if index == 0:
        return Sequential([
            layers.Conv2D(channels, 4, strides=4, name=f"{name}_stem_conv"),
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
        ], name=f"{name}_stem")
    return Sequential([
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_"
                                                     f"{index - 1}"),
        layers.Conv2D(channels, 2, strides=2, name=f"{name}_downsampling_conv_{index - 1}"),
    ], name=f"{name}_downsampling_block_{index - 1}")


def _check_arguments(weights: Any, include_top: bool, classes: int, name: str,
                     weights_name: str) -> None:
    if image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path "
                         "to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights="imagenet"` with `include_top=True`, `classes` '
                         f"should be 1000. Received classes={classes}")
    if weights == "imagenet" and weights_name not in name:
        raise ValueError(f'Model name "{name}" does not match weights variant '
                         f'"{weights_name}". When using imagenet weights, model name must '
                         f'contain the weights variant (e.g., "{weights_name}").')


def build_convnext(size: str, include_top: bool, include_preprocessing: bool, weights: Any,
                   input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
                   classifier_activation: Any, name: str, drop_path_rate: float = 0.0,
                   layer_scale_init_value: float | None = 1e-6) -> Functional:
    """ConvNeXt of `size` ("tiny" to "xlarge")."""
    weights_name = f"convnext_{size}"
    _check_arguments(weights, include_top, classes, name, weights_name)
    depths, channels = _CONFIGS[size]
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    x = image
    if include_preprocessing and shape[-1] == 3:
        x = layers.Normalization(mean=list(_IMAGENET_MEAN), variance=list(_IMAGENET_VARIANCE),
                                 name=f"{name}_prestem_normalization")(x)
    drop_rates = [float(rate) for rate in np.linspace(0.0, drop_path_rate, sum(depths))]
    block_index = 0
    for stage in range(4):
        x = _downsampling(stage, channels[stage], name)(x)
        for block in range(depths[stage]):
            x = convnext_block(x, channels[stage], drop_rates[block_index],
                               layer_scale_init_value, f"{name}_stage_{stage}_block_{block}")
            block_index += 1
    if include_top:
        check_classifier_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=f"{name}_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    # Keras names the file after the model's `name` (which must contain the variant); the
    # canonical name is used here.
    files = (f"{weights_name}.h5", f"{weights_name}_notop.h5")
    load_application_weights(model, weights, include_top, files, _BASE_URL,
                             _HASHES[weights_name])
    return model


def _variant(size: str, function_name: str):
    def build(include_top: bool = True, include_preprocessing: bool = True,
              weights: Any = "imagenet", input_tensor: Any = None, input_shape: Any = None,
              pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax",
              name: str = f"convnext_{size}") -> Functional:
        return build_convnext(size, include_top, include_preprocessing, weights, input_tensor,
                              input_shape, pooling, classes, classifier_activation, name)
    depths, channels = _CONFIGS[size]
    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = (f"{function_name} (Liu et al., 2022): stages of {depths} blocks with "
                     f"{channels} channels.")
    return build


ConvNeXtTiny = _variant("tiny", "ConvNeXtTiny")
ConvNeXtSmall = _variant("small", "ConvNeXtSmall")
ConvNeXtBase = _variant("base", "ConvNeXtBase")
ConvNeXtLarge = _variant("large", "ConvNeXtLarge")
ConvNeXtXLarge = _variant("xlarge", "ConvNeXtXLarge")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The input unchanged: ConvNeXt normalizes inside the model."""
    return x
