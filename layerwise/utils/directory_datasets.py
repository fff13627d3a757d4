"""Labelled datasets from folders (one subfolder per class): image_dataset_from_directory
and text_dataset_from_directory, returning ArrayDatasets."""
from __future__ import annotations

import os
from typing import Any, Sequence

import jax
import numpy as np

from layerwise.utils.dataset import ArrayDataset, LazyArray
from layerwise.utils.image_utils import img_to_array, load_img

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_JAX_METHODS = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic",
                "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def resize_image_array(image: np.ndarray, height: int, width: int, interpolation: str,
                       crop_to_aspect_ratio: bool) -> np.ndarray:
    """Resizes a `(height, width, channels)` array as Keras's loader does (half-pixel
    centers, no antialiasing), first cropping the centered window of the target's aspect
    ratio when asked."""
    if crop_to_aspect_ratio:
        source_height, source_width = image.shape[:2]
        crop_height = max(min(source_height, int(source_width * height / width)), 1)
        crop_width = max(min(source_width, int(source_height * width / height)), 1)
        top = (source_height - crop_height) // 2
        left = (source_width - crop_width) // 2
        image = image[top:top + crop_height, left:left + crop_width]
    if image.shape[:2] == (height, width):
        return image.astype("float32")
    resized = jax.image.resize(image.astype("float32"), (height, width, image.shape[2]),
                               method=_JAX_METHODS[interpolation], antialias=False)
    return np.asarray(resized)


def index_directory(directory: str, labels: Any, formats: Sequence[str],
                    class_names: Sequence[str] | None = None, shuffle: bool = True,
                    seed: int | None = None, follow_links: bool = False) -> tuple:
    """(file_paths, labels, class_names): files of the given extensions, class folders in
    alphabetical order (or `class_names`), files in sorted order within each, then
    shuffled by `seed` when asked."""
    if not os.path.isdir(directory):
        raise ValueError(f"Could not find directory {directory}")
    if labels == "inferred":
        subdirectories = sorted(entry for entry in os.listdir(directory)
                                if os.path.isdir(os.path.join(directory, entry)))
        if class_names is not None:
            if sorted(class_names) != sorted(subdirectories) and not set(
                    class_names) <= set(subdirectories):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories "
                    f"of the target directory. Expected: {subdirectories} (or a subset of "
                    f"it), but received: class_names={class_names}")
            subdirectories = list(class_names)
        folders = [(os.path.join(directory, name), index)
                   for index, name in enumerate(subdirectories)]
        class_names = list(subdirectories)
    else:
        folders = [(directory, None)]
        class_names = list(class_names) if class_names is not None else []
    paths, found_labels = [], []
    for folder, label in folders:
        # Folders by path, files by name within each, as Keras walks them.
        walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0])
        for root, _, files in walk:
            for name in sorted(files):
                if name.lower().endswith(tuple(formats)):
                    paths.append(os.path.join(root, name))
                    found_labels.append(label)
    if labels not in ("inferred", None):
        if len(labels) != len(paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the "
                f"target directory. len(labels) is {len(labels)} while we found "
                f"{len(paths)} files in directory {directory}.")
        found_labels = list(labels)
    if labels is None:
        found_labels = None
    if shuffle:
        # Keras's permutation: the same RandomState stream shuffles paths and labels.
        if seed is None:
            seed = np.random.randint(1_000_000)
        np.random.RandomState(seed).shuffle(paths)
        if found_labels is not None:
            np.random.RandomState(seed).shuffle(found_labels)
    return paths, found_labels, class_names


def _encode_labels(labels: list, label_mode: str | None, num_classes: int) -> np.ndarray:
    labels = np.asarray(labels)
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    raise ValueError(
        '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
        f"Received: label_mode={label_mode}")


def _split(paths: list, labels: list | None, validation_split: float | None,
           subset: str | None) -> tuple:
    if not validation_split:
        return paths, labels
    if not 0 < validation_split < 1:
        raise ValueError("`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if subset not in ("training", "validation", "both"):
        raise ValueError('If `validation_split` is set, `subset` must be "training", '
                         f'"validation" or "both". Received: subset={subset}')
    held_out = int(validation_split * len(paths))
    if subset == "training":
        cut = len(paths) - held_out
        return paths[:cut], None if labels is None else labels[:cut]
    cut = len(paths) - held_out
    return paths[cut:], None if labels is None else labels[cut:]


def _labelled(x: Any, labels: list | None, label_mode: str | None, num_classes: int,
              batch_size: int | None, class_names: list, paths: list) -> ArrayDataset:
    data = x if labels is None or label_mode is None else (
        x, _encode_labels(labels, label_mode, num_classes))
    dataset = ArrayDataset(data, batch_size=batch_size)
    dataset.class_names = class_names
    dataset.file_paths = paths
    return dataset


def _check_split_seed(validation_split: Any, shuffle: bool, seed: Any) -> None:
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset.")


def _check_label_mode(label_mode: str | None, num_classes: int) -> None:
    if label_mode == "binary" and num_classes != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={num_classes} classes")


def image_dataset_from_directory(directory: str, labels: Any = "inferred",
                                 label_mode: str | None = "int",
                                 class_names: Sequence[str] | None = None,
                                 color_mode: str = "rgb", batch_size: int | None = 32,
                                 image_size: tuple = (256, 256), shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False,
                                 data_format: str | None = None, verbose: bool = True) -> Any:
    """Images from class subfolders as batches `(images, labels)`: float32 images of
    `image_size`, labels by `label_mode`. Images are read when a batch is indexed.
    `subset="both"` returns (training, validation)."""
    if pad_to_aspect_ratio:
        raise ValueError("image_dataset_from_directory: `pad_to_aspect_ratio=True` is not "
                         "supported by layerwise. Received: pad_to_aspect_ratio=True")
    if interpolation not in _JAX_METHODS:
        raise ValueError(
            "Invalid value for argument `interpolation` of image_dataset_from_directory. "
            f"Expected one of {sorted(_JAX_METHODS)}. Received: interpolation={interpolation!r}")
    if labels is None:
        label_mode = None
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    _check_split_seed(validation_split, shuffle, seed)
    paths, found_labels, class_names = index_directory(
        directory, labels, IMAGE_EXTENSIONS, class_names, shuffle, seed, follow_links)
    _check_label_mode(label_mode, len(class_names))
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    height, width = image_size

    def dataset_of(subset_paths: list, subset_labels: list | None) -> ArrayDataset:
        def load(index: int) -> np.ndarray:
            array = img_to_array(load_img(subset_paths[index], color_mode=color_mode))
            array = resize_image_array(array, height, width, interpolation,
                                       crop_to_aspect_ratio)
            if (data_format or "channels_last") == "channels_first":
                array = array.transpose(2, 0, 1)
            return array
        images = LazyArray(len(subset_paths), load)
        return _labelled(images, subset_labels, label_mode, len(class_names), batch_size,
                         class_names, subset_paths)

    if subset == "both":
        training = _split(paths, found_labels, validation_split, "training")
        validation = _split(paths, found_labels, validation_split, "validation")
        return dataset_of(*training), dataset_of(*validation)
    return dataset_of(*_split(paths, found_labels, validation_split, subset))


def text_dataset_from_directory(directory: str, labels: Any = "inferred",
                                label_mode: str | None = "int",
                                class_names: Sequence[str] | None = None,
                                batch_size: int | None = 32, max_length: int | None = None,
                                shuffle: bool = True, seed: int | None = None,
                                validation_split: float | None = None,
                                subset: str | None = None, follow_links: bool = False,
                                verbose: bool = True) -> Any:
    """`.txt` files from class subfolders as batches `(texts, labels)` of Python strings
    (a numpy object array), each cut to `max_length` characters."""
    if labels is None:
        label_mode = None
    _check_split_seed(validation_split, shuffle, seed)
    paths, found_labels, class_names = index_directory(
        directory, labels, (".txt",), class_names, shuffle, seed, follow_links)
    _check_label_mode(label_mode, len(class_names))
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")

    def dataset_of(subset_paths: list, subset_labels: list | None) -> ArrayDataset:
        texts = []
        for path in subset_paths:
            with open(path, encoding="utf-8") as file:
                text = file.read()
            texts.append(text[:max_length] if max_length is not None else text)
        return _labelled(np.array(texts, dtype=object), subset_labels, label_mode,
                         len(class_names), batch_size, class_names, subset_paths)

    if subset == "both":
        return (dataset_of(*_split(paths, found_labels, validation_split, "training")),
                dataset_of(*_split(paths, found_labels, validation_split, "validation")))
    return dataset_of(*_split(paths, found_labels, validation_split, subset))
