"""Reading the CIFAR python batches (pickled dicts of uint8 rows and label lists)."""
from __future__ import annotations

import numpy as np

from layerwise.datasets.sources import load_pickle


def load_batch(path: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """`(images (n, 3, 32, 32) uint8, labels)` of one batch file."""
    batch = {key.decode("utf8") if isinstance(key, bytes) else key: value
             for key, value in load_pickle(path).items()}
    data = np.asarray(batch["data"], dtype="uint8")
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_channels_last(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 3, 1)
