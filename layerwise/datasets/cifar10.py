"""CIFAR-10: 32x32 colour images of 10 classes (50,000 training, 10,000 test)."""
from __future__ import annotations

import os

import numpy as np

from layerwise.datasets.cifar import load_batch, to_channels_last
from layerwise.datasets.sources import fetch


def load_data() -> tuple:
    """`(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 32, 32, 3)`, uint8
    labels `(n, 1)`."""
    folder = os.path.join(fetch("cifar-10-python.tar.gz", fname="cifar-10-batches-py-target",
                                extract=True), "cifar-10-batches-py")
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([images for images, _ in parts])
    y_train = np.concatenate([np.asarray(labels, "uint8") for _, labels in parts])
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test, "uint8").reshape(len(y_test), 1)
    return (to_channels_last(x_train), y_train), (to_channels_last(x_test), y_test)
