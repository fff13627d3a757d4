"""NASNetMobile and NASNetLarge: stacks of the "normal" and "reduction" cells found by neural
architecture search, each cell mixing the two previous cells' outputs through separable
convolutions and poolings."""
from __future__ import annotations

import os
from typing import Any

from layerwise import layers
from layerwise.applications.imagenet_utils import (check_classifier_activation, correct_pad,
                                                   decode_predictions, fetch_imagenet_file,
                                                   image_input_shape, model_input,
                                                   model_inputs)
from layerwise.applications.imagenet_utils import preprocess_input as _imagenet_preprocess
from layerwise.backend import image_data_format
from layerwise.models.functional import Functional
from layerwise.saving.api import load_weights

__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# Cached name, name on the server and md5, with and without the classifier, per size.
_FILES = {
    224: (("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
          ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
           "1ed92395b5b598bdda52abe5c0dbfd63")),
    331: (("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
          ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
           "d81d89dc07e6e56530c4e77faddd61b5")),
}


def _batch_norm(name: str | None) -> Any:
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)


def _conv1x1(filters: int, name: str, strides: int = 1) -> Any:
    return layers.Conv2D(filters, 1, strides=strides, padding="same", use_bias=False,
                         kernel_initializer="he_normal", name=name)


def separable_block(x: Any, filters: int, kernel: int = 3, strides: int = 1,
                    block_id: str = "") -> Any:
    """ReLU, separable kxk (stride), BN, ReLU, separable kxk, BN."""
    x = layers.Activation("relu")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(correct_pad(x, kernel),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
    x = layers.SeparableConv2D(filters, kernel, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               name=f"separable_conv_1_{block_id}")(x)
    x = _batch_norm(f"separable_conv_1_bn_{block_id}")(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel, padding="same", use_bias=False,
                               name=f"separable_conv_2_{block_id}")(x)
    return _batch_norm(f"separable_conv_2_bn_{block_id}")(x)


def adjust_block(previous: Any, current: Any, filters: int, block_id: str) -> Any:
    """The previous cell's output brought to the current one's resolution and width."""
    if previous is None:
        return current
    if previous.shape[-2] != current.shape[-2]:
        # Halve the resolution along two paths offset by one pixel, then concatenate.
        previous = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(previous)
        path1 = layers.AveragePooling2D(1, strides=2, padding="valid",
                                        name=f"adjust_avg_pool_1_{block_id}")(previous)
        path1 = _conv1x1(filters // 2, f"adjust_conv_1_{block_id}")(path1)
        path2 = layers.ZeroPadding2D(((0, 1), (0, 1)))(previous)
        path2 = layers.Cropping2D(((1, 0), (1, 0)))(path2)
        path2 = layers.AveragePooling2D(1, strides=2, padding="valid",
                                        name=f"adjust_avg_pool_2_{block_id}")(path2)
        path2 = _conv1x1(filters // 2, f"adjust_conv_2_{block_id}")(path2)
        previous = layers.Concatenate(axis=-1)([path1, path2])
        return _batch_norm(f"adjust_bn_{block_id}")(previous)
    if previous.shape[-1] != filters:
        previous = layers.Activation("relu")(previous)
        previous = _conv1x1(filters, f"adjust_conv_projection_{block_id}")(previous)
        return _batch_norm(f"adjust_bn_{block_id}")(previous)
    return previous


def _squeeze_input(x: Any, filters: int, kind: str, block_id: str) -> Any:
    x = layers.Activation("relu")(x)
    x = _conv1x1(filters, f"{kind}_conv_1_{block_id}")(x)
    return _batch_norm(f"{kind}_bn_1_{block_id}")(x)


def _average_pool(strides: int, padding: str, name: str) -> Any:
    return layers.AveragePooling2D(3, strides=strides, padding=padding, name=name)


def normal_cell(current: Any, previous: Any, filters: int, block_id: str) -> tuple:
    """NASNet-A's normal cell (resolution kept); returns (output, the cell's input)."""
    p = adjust_block(previous, current, filters, block_id)
    h = _squeeze_input(current, filters, "normal", block_id)
    x1 = layers.Add(name=f"normal_add_1_{block_id}")([
        separable_block(h, filters, 5, block_id=f"normal_left1_{block_id}"),
        separable_block(p, filters, block_id=f"normal_right1_{block_id}")])
    x2 = layers.Add(name=f"normal_add_2_{block_id}")([
        separable_block(p, filters, 5, block_id=f"normal_left2_{block_id}"),
        separable_block(p, filters, 3, block_id=f"normal_right2_{block_id}")])
    x3 = layers.Add(name=f"normal_add_3_{block_id}")([
        _average_pool(1, "same", f"normal_left3_{block_id}")(h), p])
    x4 = layers.Add(name=f"normal_add_4_{block_id}")([
        _average_pool(1, "same", f"normal_left4_{block_id}")(p),
        _average_pool(1, "same", f"normal_right4_{block_id}")(p)])
    x5 = layers.Add(name=f"normal_add_5_{block_id}")([
        separable_block(h, filters, block_id=f"normal_left5_{block_id}"), h])
    output = layers.Concatenate(axis=-1, name=f"normal_concat_{block_id}")(
        [p, x1, x2, x3, x4, x5])
    return output, current


def reduction_cell(current: Any, previous: Any, filters: int, block_id: str) -> tuple:
    """NASNet-A's reduction cell (resolution halved); returns (output, the cell's input)."""
    p = adjust_block(previous, current, filters, block_id)
    h = _squeeze_input(current, filters, "reduction", block_id)
    h3 = layers.ZeroPadding2D(correct_pad(h, 3), name=f"reduction_pad_1_{block_id}")(h)
    x1 = layers.Add(name=f"reduction_add_1_{block_id}")([
        separable_block(h, filters, 5, 2, f"reduction_left1_{block_id}"),
        separable_block(p, filters, 7, 2, f"reduction_right1_{block_id}")])
    x2 = layers.Add(name=f"reduction_add_2_{block_id}")([
        layers.MaxPooling2D(3, strides=2, padding="valid",
                            name=f"reduction_left2_{block_id}")(h3),
        separable_block(p, filters, 7, 2, f"reduction_right2_{block_id}")])
    x3 = layers.Add(name=f"reduction_add3_{block_id}")([
        _average_pool(2, "valid", f"reduction_left3_{block_id}")(h3),
        separable_block(p, filters, 5, 2, f"reduction_right3_{block_id}")])
    x4 = layers.Add()([x2, _average_pool(1, "same", f"reduction_left4_{block_id}")(x1)])
    x5 = layers.Add(name=f"reduction_add4_{block_id}")([
        separable_block(x1, filters, 3, block_id=f"reduction_left4_{block_id}"),
        layers.MaxPooling2D(3, strides=2, padding="valid",
                            name=f"reduction_right5_{block_id}")(h3)])
    output = layers.Concatenate(axis=-1, name=f"reduction_concat_{block_id}")(
        [x2, x3, x4, x5])
    return output, current


def _check_arguments(weights: Any, include_top: bool, classes: int, input_shape: Any) -> None:
    if image_data_format() == "channels_first":
        raise ValueError("NASNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path "
                         "to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, '
                         "`classes` should be 1000")
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` "
                         "weights, the input_shape argument must be static (no None "
                         f"entries). Got: `input_shape={input_shape}`.")


def build_nasnet(input_shape: Any, penultimate_filters: int, num_blocks: int,
                 stem_filters: int, skip_reduction: bool, filter_multiplier: int,
                 include_top: bool, weights: Any, input_tensor: Any, pooling: str | None,
                 classes: int, default_size: int, classifier_activation: Any,
                 name: str) -> Functional:
    """A NASNet-A: a stem, two reduction cells, then three groups of `num_blocks` normal
    cells separated by reduction cells, each group `filter_multiplier` times wider."""
    _check_arguments(weights, include_top, classes, input_shape)
    shape = image_input_shape(input_shape, default_size, 32, include_top, weights)
    image = model_input(input_tensor, shape)
    if penultimate_filters % (24 * filter_multiplier**2) != 0:
        raise ValueError("For NASNet-A models, the `penultimate_filters` must be a multiple "
                         "of 24 * (`filter_multiplier` ** 2). Current value: "
                         f"{penultimate_filters}")
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_filters, 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer="he_normal", name="stem_conv1")(image)
    x = _batch_norm("stem_bn1")(x)
    x, p = reduction_cell(x, None, filters // filter_multiplier**2, "stem_1")
    x, p = reduction_cell(x, p, filters // filter_multiplier, "stem_2")
    for group in range(3):
        width = filters * filter_multiplier**group
        if group:
            x, reduced = reduction_cell(x, p, width, f"reduce_{group * num_blocks}")
            p = p if skip_reduction else reduced
        for index in range(num_blocks):
            block_id = f"{group * num_blocks + index + (1 if group else 0)}"
            x, p = normal_cell(x, p, width, block_id)
    x = layers.Activation("relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        check_classifier_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(model_inputs(input_tensor, image), x, name=name)
    if weights == "imagenet":
        cached_name, origin_name, file_hash = _FILES[default_size][0 if include_top else 1]
        load_weights(model, fetch_imagenet_file(cached_name, _BASE_URL, file_hash, name,
                                                origin_name))
    elif weights is not None:
        load_weights(model, weights)
    return model


def NASNetMobile(input_shape: Any = None, include_top: bool = True, weights: Any = "imagenet",
                 input_tensor: Any = None, pooling: str | None = None, classes: int = 1000,
                 classifier_activation: Any = "softmax",
                 name: str = "nasnet_mobile") -> Functional:
    """NASNet-A Mobile (Zoph et al., 2018), 224x224 images."""
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return build_nasnet(input_shape, 1056, 4, 32, False, 2, include_top, weights,
                        input_tensor, pooling, classes, 224, classifier_activation, name)


def NASNetLarge(input_shape: Any = None, include_top: bool = True, weights: Any = "imagenet",
                input_tensor: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax",
                name: str = "nasnet_large") -> Functional:
    """NASNet-A Large (Zoph et al., 2018), 331x331 images."""
    return build_nasnet(input_shape, 4032, 6, 96, True, 2, include_top, weights,
                        input_tensor, pooling, classes, 331, classifier_activation, name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as NASNet's ImageNet weights expect."""
    return _imagenet_preprocess(x, data_format=data_format, mode="tf")
