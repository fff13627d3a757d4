"""ArrayDataset: what layerwise returns where Keras returns a `tf.data.Dataset`.

A batch-indexed dataset of numpy arrays (a `PyDataset`: `len()` batches, `dataset[i]`
is batch i as `x` or `(x, y)`), so `fit`, `evaluate` and `predict` take it, and iterating
gives numpy batches. With `batch_size=None` its items are single samples, as an unbatched
`tf.data.Dataset` gives them; `.batch(n)` batches it. Unlike tf.data it is not lazy: the
arrays are in memory (file datasets keep their paths and load each batch when indexed).
"""
from __future__ import annotations

import math
import random as python_random
from typing import Any, Callable, Iterator

import numpy as np

from layerwise.utils.py_dataset import PyDataset


def _length(arrays: Any) -> int:
    leaves = [a for a in _flatten(arrays)]
    if not leaves:
        raise ValueError("ArrayDataset needs at least one array.")
    sizes = {len(a) for a in leaves}
    if len(sizes) != 1:
        raise ValueError(
            "Invalid value for argument `data` of ArrayDataset. Expected arrays with the "
            f"same number of samples. Received sizes: {sorted(sizes)}")
    return sizes.pop()


def _flatten(structure: Any) -> list:
    if isinstance(structure, (tuple, list)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


def _take(structure: Any, indices: Any) -> Any:
    if isinstance(structure, tuple):
        return tuple(_take(item, indices) for item in structure)
    if isinstance(structure, list):
        return [_take(item, indices) for item in structure]
    if isinstance(structure, dict):
        return {key: _take(value, indices) for key, value in structure.items()}
    if isinstance(structure, LazyArray):
        return structure[indices]
    return np.asarray(structure)[indices]


class LazyArray:
    """Samples computed on demand from an index (e.g. images read from files)."""

    def __init__(self, count: int, load: Callable[[int], np.ndarray]):
        self.count = count
        self.load = load

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, indices: Any) -> np.ndarray:
        if isinstance(indices, (int, np.integer)):
            return self.load(int(indices))
        indices = np.arange(self.count)[indices]
        return np.stack([self.load(int(i)) for i in indices])


class ArrayDataset(PyDataset):
    """`x` (or `(x, y)`) arrays cut into batches of `batch_size` (None: single samples),
    optionally visited in a shuffled order fixed by `seed`."""

    def __init__(self, data: Any, batch_size: int | None = None, shuffle: bool = False,
                 seed: int | None = None):
        super().__init__()
        self.data = data
        self.num_samples = _length(data)
        if batch_size is not None and (isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(
                "Invalid value for argument `batch_size` of ArrayDataset. Expected a "
                f"positive integer or None. Received: batch_size={batch_size}")
        self.batch_size = batch_size
        self.order = np.arange(self.num_samples)
        if shuffle:
            self.order = np.random.default_rng(seed).permutation(self.num_samples)

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.num_samples
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not -len(self) <= index < len(self):
            raise IndexError(f"ArrayDataset index {index} out of range ({len(self)} items)")
        index %= len(self)
        if self.batch_size is None:
            return _take(self.data, int(self.order[index]))
        start = index * self.batch_size
        return _take(self.data, self.order[start:start + self.batch_size])

    def __iter__(self) -> Iterator[Any]:
        # Code written for tf.data calls `.numpy()` on what it iterates over.
        for index in range(len(self)):
            yield _as_eager(self[index])

    def take(self, count: int) -> "ArrayDataset":
        """The first `count` items (all of them for -1), as `tf.data.Dataset.take`."""
        return self._items(slice(None if count == -1 else _item_count(count, "take")))

    def skip(self, count: int) -> "ArrayDataset":
        """All items after the first `count` (none for -1), as `tf.data.Dataset.skip`."""
        return self._items(slice(len(self) if count == -1 else _item_count(count, "skip"),
                                 None))

    def _items(self, items: slice) -> "ArrayDataset":
        """A dataset of the items (batches when batched) in `items`."""
        size = self.batch_size or 1
        start, stop, _ = items.indices(len(self))
        return self._derived(self.order[start * size:max(start, stop) * size],
                             self.batch_size)

    def _derived(self, samples: np.ndarray, batch_size: int | None) -> "ArrayDataset":
        """A dataset of `samples` (indices into the data), keeping the class names."""
        derived = ArrayDataset(_take(self.data, samples), batch_size)
        for attribute in ("class_names", "file_paths"):
            if hasattr(self, attribute):
                setattr(derived, attribute, getattr(self, attribute))
        return derived

    def batch(self, batch_size: int) -> "ArrayDataset":
        """The same samples, in the same order, in batches of `batch_size`."""
        return self._derived(self.order, batch_size)

    def unbatch(self) -> "ArrayDataset":
        return ArrayDataset(_take(self.data, self.order), None)

    def as_arrays(self) -> Any:
        """All samples, in visiting order, as `x` or `(x, y)` arrays."""
        return _take(self.data, self.order)


class EagerArray(np.ndarray):
    """A numpy array that also answers `.numpy()`, as an eager tf.Tensor does."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)

    def __getitem__(self, index: Any) -> Any:
        # One element stays answerable too (`targets[0].numpy()`), as a 0-d array.
        item = super().__getitem__(index)
        return item if isinstance(item, np.ndarray) else np.asarray(item).view(EagerArray)


def _as_eager(structure: Any) -> Any:
    if isinstance(structure, tuple):
        return tuple(_as_eager(item) for item in structure)
    if isinstance(structure, list):
        return [_as_eager(item) for item in structure]
    if isinstance(structure, dict):
        return {key: _as_eager(value) for key, value in structure.items()}
    if isinstance(structure, np.ndarray):
        return structure.view(EagerArray)
    return structure


def _item_count(count: Any, method: str) -> int:
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < -1:
        raise ValueError(
            f"Invalid value for argument `count` of ArrayDataset.{method}. Expected a "
            f"non-negative integer or -1. Received: count={count!r}")
    return int(count)


def _count(size: Any, total: int, argument: str) -> int | None:
    if size is None:
        return None
    if isinstance(size, float):
        if not 0 < size < 1:
            raise ValueError(
                f"Invalid value for argument `{argument}` of split_dataset. Expected a "
                f"float between 0 and 1 or a positive integer. Received: {argument}={size}")
        return round(size * total)
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool) and 0 < size <= total:
        return int(size)
    raise ValueError(
        f"Invalid value for argument `{argument}` of split_dataset. Expected a float "
        f"between 0 and 1 or an integer between 1 and {total}. Received: {argument}={size}")


def split_dataset(dataset: Any, left_size: Any = None, right_size: Any = None,
                  shuffle: bool = False, seed: int | None = None) -> tuple:
    """Splits arrays (or a tuple of arrays, or an ArrayDataset) into two unbatched
    ArrayDatasets of `left_size` and `right_size` samples (fractions or counts)."""
    if isinstance(dataset, ArrayDataset):
        dataset = dataset.as_arrays()
    elif isinstance(dataset, list) and not all(isinstance(d, np.ndarray) for d in dataset):
        dataset = np.asarray(dataset)
    total = _length(dataset)
    left = _count(left_size, total, "left_size")
    right = _count(right_size, total, "right_size")
    if left is None and right is None:
        raise ValueError("At least one of `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    if left is None:
        left = total - right
    if right is None:
        right = total - left
    if left + right > total:
        raise ValueError(
            "The sum of `left_size` and `right_size` should be smaller than the "
            f"{total} samples. Received: left_size + right_size = {left + right}")
    order = list(range(total))
    if shuffle:
        # Keras's order: Python's `random` seeded with `seed` shuffles the samples (here
        # through a private generator, leaving the global one alone).
        python_random.Random(seed if seed is not None else python_random.randint(0, 10**6)
                             ).shuffle(order)
    order = np.asarray(order)
    # As in Keras, the right part is the last `right` samples (any middle is left out).
    return (ArrayDataset(_take(dataset, order[:left])),
            ArrayDataset(_take(dataset, order[total - right:])))


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int,
                                  sequence_stride: int = 1, sampling_rate: int = 1,
                                  batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None) -> ArrayDataset:
    """Sliding windows over `data`: the window starting at row i holds rows
    `i, i + sampling_rate, ...` (`sequence_length` of them) and has target `targets[i]`."""
    data = np.asarray(data)
    for argument, value in (("sequence_length", sequence_length),
                            ("sequence_stride", sequence_stride),
                            ("sampling_rate", sampling_rate)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(
                f"Invalid value for argument `{argument}` of timeseries_dataset_from_array. "
                f"Expected a positive integer. Received: {argument}={value!r}")
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    if not 0 <= start_index < len(data) or not start_index < end_index <= len(data):
        raise ValueError(
            "`start_index` and `end_index` must be within the data and start before end. "
            f"Received: start_index={start_index}, end_index={end_index}, "
            f"len(data)={len(data)}")
    span = (sequence_length - 1) * sampling_rate
    count = end_index - start_index - span
    if targets is not None:
        count = min(count, len(targets))
    offsets = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        # Keras's order of windows (it then also shuffles within a tf.data buffer, which
        # layerwise does not reproduce).
        np.random.RandomState(seed if seed is not None else np.random.randint(10**6)
                              ).shuffle(offsets)
    starts = start_index + offsets
    windows = starts[:, None] + np.arange(sequence_length) * sampling_rate
    x = LazyArray(len(starts), lambda i: data[windows[i]])
    content: Any = x if targets is None else (x, LazyArray(
        len(starts), lambda i: np.asarray(targets)[starts[i]]))
    return ArrayDataset(content, batch_size=batch_size)
