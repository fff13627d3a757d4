"""Fashion-MNIST: 28x28 uint8 images of 10 clothing classes, read from the IDX files."""
from __future__ import annotations

import gzip
import os

import numpy as np

from layerwise.datasets.sources import fetch

_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def _read(path: str, header_bytes: int) -> np.ndarray:
    with gzip.open(path, "rb") as file:
        return np.frombuffer(file.read(), np.uint8, offset=header_bytes)


def load_data() -> tuple:
    """`(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 28, 28)`, uint8 labels."""
    paths = [fetch(name, cache_subdir=os.path.join("datasets", "fashion-mnist"))
             for name in _FILES]
    # IDX headers: 8 bytes for labels (magic, count), 16 for images (+ rows, columns).
    y_train, y_test = _read(paths[0], 8), _read(paths[2], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
