"""MNIST handwritten digits: 60,000 training and 10,000 test 28x28 uint8 images."""
from __future__ import annotations

from layerwise.datasets.sources import fetch, load_npz


def load_data(path: str = "mnist.npz") -> tuple:
    """`(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 28, 28)`, uint8 labels."""
    arrays = load_npz(fetch("mnist.npz", fname=path))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
