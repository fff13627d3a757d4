"""`class_weight`: per-class weights turned into per-sample weights, for whole arrays and
for batches that arrive one at a time."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from layerwise.models.data_adapters import BatchSource, unpack_batch

__all__ = ["class_weights_to_sample_weights", "ClassWeightedSource"]


def class_weights_to_sample_weights(class_weight: dict, y: Any,
                                    sample_weight: Any = None) -> np.ndarray:
    """One weight per sample: the weight of its class (1.0 for classes not listed).

    A sample's class is the argmax of a one-hot `y`, or the rounded label of a sparse one
    (shape (n,) or (n, 1)), as Keras reads it. A given `sample_weight` multiplies in.
    """
    if isinstance(y, (dict, list, tuple)):
        raise ValueError("fit: `class_weight` is only supported for models with a single "
                         f"output. Received targets of type {type(y).__name__}.")
    y = np.asarray(y)
    classes = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else \
        np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(int)
    weights = np.array([float(class_weight.get(int(c), 1.0)) for c in classes], np.float32)
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, np.float32).reshape(weights.shape[0])
    return weights


class ClassWeightedSource(BatchSource):
    """A PyDataset's batches with the class weights of their targets as sample weights.

    Like Keras, a batch that already carries sample weights is an error.
    """

    def __init__(self, source: BatchSource, class_weight: dict):
        self.source = source
        self.class_weight = class_weight
        self.num_batches = source.num_batches

    def batches(self, steps: int | None) -> Iterator[Any]:
        for batch in self.source.batches(steps):
            x, y, sample_weight = unpack_batch(batch, "fit")
            if sample_weight is not None:
                raise ValueError(
                    "fit: you cannot specify `class_weight` and `sample_weight` at the same "
                    "time (the PyDataset's batches hold sample weights).")
            if y is None:
                raise ValueError("fit: `class_weight` needs targets; the PyDataset's batches "
                                 "hold only `x`.")
            yield x, y, class_weights_to_sample_weights(self.class_weight, y)

    def end_pass(self) -> None:
        self.source.end_pass()
