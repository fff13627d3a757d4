"""VGG16: five blocks of 3x3 convolutions and max pooling, then three dense layers; and the
builder VGG19 shares."""
from __future__ import annotations

from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_classifier_activation,
                                                   check_weights_argument, decode_predictions,
                                                   global_pooling, image_input_shape,
                                                   load_application_weights, model_input,
                                                   model_inputs, preprocess_input)
from layerwise.models.functional import Functional

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
_FILES = ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
          "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")
# (convolutions, filters) of each block.
_BLOCKS = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))


def build_vgg(blocks: tuple[tuple[int, int], ...], weights_name: str,
              hashes: tuple[str, str], include_top: bool, weights: Any, input_tensor: Any,
              input_shape: Any, pooling: str | None, classes: int,
              classifier_activation: Any, name: str) -> Functional:
    """A VGG network with `blocks` (convolutions, filters) before each max pooling."""
    check_weights_argument(weights, include_top, classes)
    shape = image_input_shape(input_shape, 224, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    x = image
    for block, (convolutions, filters) in enumerate(blocks, start=1):
        for index in range(1, convolutions + 1):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                              name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        check_classifier_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pooling(x, pooling, (None, None))
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    files = (f"{weights_name}_weights_tf_dim_ordering_tf_kernels.h5",
             f"{weights_name}_weights_tf_dim_ordering_tf_kernels_notop.h5")
    load_application_weights(model, weights, include_top, files,
                             f"{_BASE_URL}{weights_name}/", hashes)
    return model


def VGG16(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
          input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg16") -> Functional:
    """The VGG16 network (Simonyan and Zisserman, 2014), with Keras's layer names."""
    return build_vgg(_BLOCKS, "vgg16", _HASHES, include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)
