"""CIFAR-100: 32x32 colour images of 100 fine (or 20 coarse) classes."""
from __future__ import annotations

import os

import numpy as np

from layerwise.datasets.cifar import load_batch, to_channels_last
from layerwise.datasets.sources import fetch


def load_data(label_mode: str = "fine") -> tuple:
    """`(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 32, 32, 3)`, int64
    labels `(n, 1)` of `label_mode` "fine" or "coarse"."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    folder = os.path.join(fetch("cifar-100-python.tar.gz", fname="cifar-100-python-target",
                                extract=True), "cifar-100-python")
    x_train, y_train = load_batch(os.path.join(folder, "train"), f"{label_mode}_labels")
    x_test, y_test = load_batch(os.path.join(folder, "test"), f"{label_mode}_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (to_channels_last(x_train), y_train), (to_channels_last(x_test), y_test)
