"""VGG19: VGG16 with a fourth convolution in each of its last three blocks."""
from __future__ import annotations

from typing import Any

from layerwise.applications.imagenet_utils import decode_predictions, preprocess_input
from layerwise.applications.vgg16 import build_vgg
from layerwise.models.functional import Functional

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")
_BLOCKS = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))


def VGG19(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
          input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg19") -> Functional:
    """The VGG19 network (Simonyan and Zisserman, 2014), with Keras's layer names."""
    return build_vgg(_BLOCKS, "vgg19", _HASHES, include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)
