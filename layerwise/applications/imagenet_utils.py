"""What every ImageNet application shares: input shape rules, the classifier head, weights
loading, `preprocess_input` and `decode_predictions`.

ImageNet weights come from Keras's own URLs with Keras's checksums, through `get_file`, into
`$KERAS_HOME/models` (so a file real Keras already downloaded is reused). Setting
`LAYERWISE_APPLICATIONS_ORIGIN` to a base URL fetches them from there instead (a mirror, or a
local server in tests).
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from layerwise import activations, layers
from layerwise.backend import image_data_format
from layerwise.engine.input_layer import Input, InputLayer
from layerwise.engine.keras_tensor import is_keras_tensor
from layerwise.saving.api import load_weights
from layerwise.utils.file_utils import get_file, keras_home

CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
_CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
ORIGIN_VARIABLE = "LAYERWISE_APPLICATIONS_ORIGIN"


def keras_cache_path(file_name: str) -> str:
    """Where Keras's `get_file` keeps a downloaded model file."""
    return os.path.join(keras_home(), "models", file_name)


def check_weights_argument(weights: Any, include_top: bool, classes: int) -> None:
    """Keras's checks on `weights` and `classes`, before anything is built."""
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                               and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded.  Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000.  Received classes={classes}")


def check_classifier_activation(classifier_activation: Any, weights: Any) -> None:
    """With pretrained weights the classifier may only output logits or softmax."""
    if weights is None:
        return
    if activations.get(classifier_activation) not in {activations.get("softmax"),
                                                      activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         f"with `include_top=True`; Received: {classifier_activation}")


def image_input_shape(input_shape: Any, default_size: int, min_size: int, include_top: bool,
                      weights: Any) -> tuple:
    """The input shape (channels last) Keras would choose or accept."""
    if input_shape is None:
        if include_top or weights == "imagenet":
            return (default_size, default_size, 3) if include_top else (None, None, 3)
        return (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers (height, width, "
                         f"channels). Received: input_shape={input_shape}")
    if weights == "imagenet" and input_shape[-1] != 3:
        raise ValueError("The input must have 3 channels; Received "
                         f"`input_shape={input_shape}`")
    height, width = input_shape[:2]
    if (height is not None and height < min_size) or (width is not None and width < min_size):
        raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                         f"input_shape={input_shape}")
    if weights == "imagenet" and include_top and input_shape[:2] != (default_size, default_size):
        raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                         f"`input_shape` should be ({default_size}, {default_size}, 3).  "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(x: Any, kernel_size: int | tuple[int, int]) -> tuple:
    """Zero padding before a stride-2 valid convolution so it sees what 'same' would."""
    kernel = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    height, width = x.shape[1:3]
    adjust = (1, 1) if height is None else (1 - height % 2, 1 - width % 2)
    half = (kernel[0] // 2, kernel[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def model_input(input_tensor: Any, input_shape: tuple) -> Any:
    """The image input: `input_tensor` when given (wrapped in an Input if it is not symbolic)."""
    if input_tensor is None:
        return Input(shape=input_shape)
    if is_keras_tensor(input_tensor):
        return input_tensor
    return Input(tensor=input_tensor, shape=input_shape)


def model_inputs(input_tensor: Any, image: Any) -> Any:
    """The inputs of the finished model: those `input_tensor` came from, or the new Input."""
    if input_tensor is None:
        return image
    history = getattr(input_tensor, "_keras_history", None)
    layer = history[0] if history else None
    if layer is not None and not isinstance(layer, InputLayer):
        raise ValueError("`input_tensor` must be the output of an `Input(...)`; a tensor "
                         "computed from one is not supported here yet.")
    return input_tensor


def global_pooling(x: Any, pooling: str | None,
                   pool_names: tuple[str | None, str | None]) -> Any:
    """Without the classifier: "avg" or "max" global pooling (named as Keras does), or none."""
    average_name, max_name = pool_names
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=average_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def average_pool_top(x: Any, include_top: bool, pooling: str | None, classes: int,
                     classifier_activation: Any, weights: Any,
                     pool_names: tuple[str | None, str | None] = (None, None)) -> Any:
    """The common ImageNet top: "avg_pool" then the "predictions" Dense; without the top,
    the optional global pooling."""
    if not include_top:
        return global_pooling(x, pooling, pool_names)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    check_classifier_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def load_application_weights(model: Any, weights: Any, include_top: bool,
                             file_names: tuple[str, str], base_url: str,
                             file_hashes: tuple[str | None, str | None] = (None, None)) -> None:
    """Load `weights` (a path, or 'imagenet' fetched from Keras's URL) into `model`."""
    if weights is None:
        return
    if weights != "imagenet":
        load_weights(model, weights)
        return
    file_name, file_hash = (file_names[0], file_hashes[0]) if include_top else \
        (file_names[1], file_hashes[1])
    load_weights(model, fetch_imagenet_file(file_name, base_url, file_hash, model.name))


def fetch_imagenet_file(file_name: str, base_url: str, file_hash: str | None,
                        model_name: str, origin_name: str | None = None) -> str:
    """The cached path of a weights file (`origin_name` on the server, `file_name` in the
    cache), downloaded and checked on first use; offline, an error naming the file to
    download and where to put it."""
    mirror = os.environ.get(ORIGIN_VARIABLE)
    origin_name = origin_name or file_name
    origin = (mirror.rstrip("/") + "/" if mirror else base_url) + origin_name
    try:
        return get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
    except ValueError:
        raise
    except Exception as error:
        checksum = f" (md5/sha256 {file_hash})" if file_hash else ""
        raise FileNotFoundError(
            f"The ImageNet file of {model_name} could not be downloaded from {origin}: "
            f"{error}. Without network access, download {base_url}{origin_name} on another "
            f"machine and put it at {keras_cache_path(file_name)}{checksum} (where Keras's "
            "get_file caches it), or pass `weights=<path>`.") from None


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Scale images the way the ImageNet weights expect.

    mode "caffe": RGB to BGR, then the ImageNet channel means subtracted (no scaling);
    "tf": to [-1, 1]; "torch": to [0, 1], then standardised by ImageNet's channel statistics.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    data_format = data_format or image_data_format()
    array = np.asarray(x)
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype("float32")
    else:
        array = array.copy()
    if mode == "tf":
        return array / 127.5 - 1.0
    channel_axis = 1 if data_format == "channels_first" and array.ndim > 3 else \
        (0 if data_format == "channels_first" else -1)
    if mode == "torch":
        array = array / 255.0
        mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    else:
        array = np.flip(array, axis=channel_axis)
        mean, std = np.array([103.939, 116.779, 123.68]), None
    shape = [1] * array.ndim
    shape[channel_axis] = 3
    array = array - mean.reshape(shape).astype(array.dtype)
    if std is not None:
        array = array / std.reshape(shape).astype(array.dtype)
    return array


def decode_predictions(preds: Any, top: int = 5, class_index_path: str | None = None) -> list:
    """The `top` ImageNet classes of each row: lists of (class id, name, score).

    The class index is Keras's `imagenet_class_index.json`, fetched like the weights (or read
    from `class_index_path`).
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D "
                         f"array of shape (samples, 1000)). Received array with shape: "
                         f"{preds.shape}")
    path = class_index_path or fetch_imagenet_file(
        "imagenet_class_index.json", CLASS_INDEX_URL.rsplit("/", 1)[0] + "/",
        _CLASS_INDEX_HASH, "decode_predictions")
    with open(path) as file:
        index = json.load(file)
    results = []
    for row in preds:
        best = row.argsort()[-top:][::-1]
        results.append([tuple(index[str(i)]) + (row[i],) for i in best])
    return results
