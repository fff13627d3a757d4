"""PyDataset: a dataset the user indexes batch by batch, optionally loaded by workers."""
from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class for batch-indexed datasets: override `__len__` and `__getitem__`.

    `__getitem__(index)` returns one batch: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.
    `on_epoch_end()` runs after each pass. With `workers > 1`, batches are loaded by that
    many threads (or processes with `use_multiprocessing=True`), at most
    `max_queue_size` ahead of training, and still reach the model in index order.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        for argument, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"PyDataset: invalid value for argument `{argument}`. Expected a positive "
                    f"integer. Received: {argument}={value!r}")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    # Subclasses that forget `super().__init__()` still get the defaults.
    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    @property
    def num_batches(self) -> int | None:
        """The number of batches in one pass (`len(self)`), or None when unknown."""
        try:
            return len(self)
        except TypeError:
            return None

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__`.")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__`.")

    def on_epoch_end(self) -> None:
        """Called after every pass over the dataset (e.g. to reshuffle)."""


# Keras 2's name for the same idea; Keras 3 keeps it as an alias.
Sequence = PyDataset
