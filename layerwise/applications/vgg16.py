"""VGG16: five blocks of 3x3 convolutions and max pooling, then three dense layers."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_weights_argument, decode_predictions,
                                                   image_input_shape, load_application_weights,
                                                   global_pooling, model_input, model_inputs,
                                                   preprocess_input)
from layerwise.models.functional import Functional

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
_FILES = ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
          "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
# (convolutions, filters) of each block.
_BLOCKS = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))


def VGG16(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
          input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg16") -> Functional:
    """The VGG16 network (Simonyan and Zisserman, 2014), with Keras's layer names."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    x = image
    for block, (convolutions, filters) in enumerate(_BLOCKS, start=1):
        for index in range(1, convolutions + 1):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                              name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pooling(x, pooling, (None, None))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    load_application_weights(model, weights, include_top, _FILES, _BASE_URL)
    return model
