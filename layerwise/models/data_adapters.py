"""Data that arrives batch by batch: generators, iterators, PyDatasets, and arrays cut
into batches for a streamed fit.

Each source gives, per pass, an iterator of batches `(x, y, sample_weight)` of numpy
arrays (y and sample_weight may be None); `models/streamed.py` stacks them into chunks.
"""
from __future__ import annotations

import collections
import concurrent.futures
import itertools
import multiprocessing
import random
from typing import Any, Iterator

import jax
import numpy as np

from layerwise.models import data as data_utils
from layerwise.utils.py_dataset import PyDataset


def is_stream(data: Any) -> bool:
    """Whether `data` is batch-by-batch input rather than (structures of) arrays."""
    if isinstance(data, PyDataset):
        return True
    if isinstance(data, (np.ndarray, list, tuple, dict, str, bytes)) or data is None:
        return False
    if hasattr(data, "to_numpy") or hasattr(data, "__array__"):  # pandas, jax arrays
        return False
    return hasattr(data, "__next__") or (hasattr(data, "__iter__") and
                                         not hasattr(data, "shape"))


def unpack_batch(batch: Any, method: str) -> tuple[Any, Any, Any]:
    """A yielded batch as `(x, y, sample_weight)`: a tuple holds 1 to 3 of them, in that
    order; anything else (an array, a list or dict of inputs) is `x` alone."""
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(
                f"{method}: a batch from a generator or PyDataset must be `x`, `(x,)`, "
                f"`(x, y)` or `(x, y, sample_weight)`. Received a tuple of {len(batch)} "
                "elements.")
        batch = batch + (None,) * (3 - len(batch))
        return batch[0], batch[1], batch[2]
    return batch, None, None


def convert_batch(batch: Any, method: str) -> tuple[Any, Any, Any]:
    """One yielded batch, unpacked and validated as float32 arrays of one length."""
    x, y, sample_weight = unpack_batch(batch, method)
    x = data_utils.to_arrays(x, "x", method)
    y = data_utils.to_arrays(y, "y", method, optional=True)
    sample_weight = data_utils.to_arrays(sample_weight, "sample_weight", method, optional=True)
    data_utils.check_same_length(method, x=x, y=y, sample_weight=sample_weight)
    return x, y, sample_weight


class BatchSource:
    """A source of batches; `passes(steps)` yields one pass (epoch) at a time."""

    num_batches: int | None = None  # batches in one pass, when known
    # Whether fit takes the batch it builds from out of a pass of its own, as Keras does
    # for a shuffled PyDataset (so that the epochs' shuffles are drawn as Keras draws them).
    separate_first_pass = False

    def batches(self, steps: int | None) -> Iterator[Any]:
        raise NotImplementedError

    def restart(self) -> None:
        """Forget an unfinished pass: the next `batches` begins a new one."""

    def end_pass(self) -> None:
        """Called after each pass."""


class IteratorSource(BatchSource):
    """A generator or iterator. Without `steps` a pass runs until it is exhausted; with
    `steps` each pass takes that many batches and the next pass continues where it
    stopped (so an endless generator serves every epoch)."""

    def __init__(self, iterable: Any):
        self.iterator = iter(iterable)

    def batches(self, steps: int | None) -> Iterator[Any]:
        return itertools.islice(self.iterator, steps)


class _ResumablePasses(BatchSource):
    """A source read in passes. Without `steps` each epoch is one whole pass; with
    `steps`, as in Keras, an epoch continues the pass the last one left unfinished and
    ends early (shorter) when that pass ends; the next epoch starts a new pass."""

    _current: Iterator[Any] | None = None

    def one_pass(self) -> Iterator[Any]:
        raise NotImplementedError

    def restart(self) -> None:
        self._current = None

    def batches(self, steps: int | None) -> Iterator[Any]:
        if steps is None:
            self._current = None
            yield from self.one_pass()
            return
        done, fresh = 0, False
        while done < steps:
            if self._current is None:
                self._current, fresh = self.one_pass(), True
            try:
                batch = next(self._current)
            except StopIteration:
                self._current = None
                if done or fresh:  # the pass ended within this epoch (or was empty)
                    return
                continue  # the last epoch ended the pass exactly: begin a new one
            done, fresh = done + 1, False
            yield batch


class DatasetSource(_ResumablePasses):
    """A PyDataset: a pass is `dataset[0]`, `dataset[1]`, ... `dataset[len - 1]`, or with
    `shuffle` (fit's default, as in Keras) those indices in an order drawn each pass from
    Python's `random`, the stream Keras draws it from (so `set_random_seed` fixes it)."""

    def __init__(self, dataset: PyDataset, shuffle: bool = False):
        self.dataset = dataset
        self.num_batches = dataset.num_batches
        self.shuffle = self.separate_first_pass = shuffle

    def one_pass(self) -> Iterator[Any]:
        indices = range(self.num_batches) if self.num_batches is not None \
            else itertools.count()
        if self.shuffle and self.num_batches is not None:
            indices = list(indices)
            random.shuffle(indices)
        if self.dataset.workers <= 1:
            return (self.dataset[i] for i in indices)
        return _in_order_from_workers(self.dataset, indices)

    def end_pass(self) -> None:
        self.dataset.on_epoch_end()


class ArraySource(_ResumablePasses):
    """Arrays cut into batches (for a streamed fit whose other data streams), shuffled
    each pass from numpy's global stream as the array path shuffles."""

    def __init__(self, arrays: tuple, batch_size: int, shuffle: bool):
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rows = data_utils.num_samples(arrays[0])
        self.num_batches = -(-self.rows // batch_size)

    def one_pass(self) -> Iterator[Any]:
        order = np.random.permutation(self.rows) if self.shuffle else None
        for start in range(0, self.rows, self.batch_size):
            rows = slice(start, start + self.batch_size) if order is None else \
                order[start:start + self.batch_size]
            yield tuple(None if part is None else
                        jax.tree_util.tree_map(lambda a: np.asarray(a)[rows], part)
                        for part in self.arrays)


def source_for(data: Any, shuffle: bool = False) -> BatchSource:
    """The batch source of a stream; `shuffle` applies to a PyDataset's batch order."""
    if isinstance(data, PyDataset):
        return DatasetSource(data, shuffle)
    return IteratorSource(data)


# -- workers -------------------------------------------------------------------------------
_worker_dataset: PyDataset | None = None


def _set_worker_dataset(dataset: PyDataset) -> None:
    global _worker_dataset
    _worker_dataset = dataset


def _worker_item(index: int) -> Any:
    return _worker_dataset[index]


def _in_order_from_workers(dataset: PyDataset, indices: Any) -> Iterator[Any]:
    """`dataset[i]` for each index, loaded by `dataset.workers` threads or processes, at
    most `max_queue_size` ahead, yielded in index order."""
    if dataset.use_multiprocessing:
        # "spawn": a forked child of a process running JAX may deadlock.
        executor: concurrent.futures.Executor = concurrent.futures.ProcessPoolExecutor(
            dataset.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_set_worker_dataset, initargs=(dataset,))
        load = _worker_item
    else:
        executor = concurrent.futures.ThreadPoolExecutor(dataset.workers)
        load = dataset.__getitem__
    pending: collections.deque = collections.deque()
    indices = iter(indices)
    try:
        for index in itertools.islice(indices, max(dataset.max_queue_size, dataset.workers)):
            pending.append(executor.submit(load, index))
        while pending:
            batch = pending.popleft().result()
            for index in itertools.islice(indices, 1):
                pending.append(executor.submit(load, index))
            yield batch
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
