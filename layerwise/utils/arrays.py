"""Small array helpers with Keras's names and semantics."""
from __future__ import annotations

from typing import Any

import numpy as np


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Class indices to one-hot rows: `[1, 0, 2]` -> a (3, 3) float64 array (as Keras).

    Args:
        x: integer class indices, any shape (a trailing axis of size 1 is dropped).
        num_classes: number of classes; `max(x) + 1` when omitted.
    """
    labels = np.asarray(x)
    if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
        raise ValueError(f"to_categorical: `x` must hold integer class indices. "
                         f"Received values such as {labels.ravel()[:3]}")
    labels = labels.astype("int64")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: class indices must be >= 0. Received min "
                         f"{labels.min()}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"to_categorical: class index {labels.max()} is out of range for "
                         f"num_classes={num_classes}")
    one_hot = np.zeros(labels.shape + (num_classes,), dtype="float64")
    np.put_along_axis(one_hot, labels[..., None], 1.0, axis=-1)
    return one_hot


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale `x` to unit `order`-norm along `axis` (zero vectors stay zero)."""
    array = np.asarray(x, dtype="float32")
    norm = np.linalg.norm(array, ord=order, axis=axis, keepdims=True)
    return array / np.where(norm == 0, 1, norm)
