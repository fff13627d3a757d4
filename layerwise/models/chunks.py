"""Streamed batches grouped into chunks, and the compiled programs that run a chunk.

A chunk is `steps_per_chunk` consecutive batches of one shape stacked on a new leading
axis, so one compiled call runs all of them in a `lax.scan`. Every chunk has the same
shape: a batch smaller than the first one is padded with zero rows (its real row count
goes with it, so the loss and metrics see the real rows only, as the array path's
padded last batch), and a short last chunk is padded with empty batches that a guard
skips. So an epoch compiles at most two programs, the full and the guarded one, once.
"""
from __future__ import annotations

import queue
import threading
import weakref
from typing import Any, Iterator, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from layerwise.models.data_adapters import convert_batch
from layerwise.models.steps import StepFunctions, TrainState

# Batches per compiled call when neither steps_per_execution nor batch hooks say.
AUTO_STEPS_PER_CHUNK = 16
# Chunks made ahead while the device runs the current one.
_PREFETCH_DEPTH = 2


class Chunk(NamedTuple):
    data: tuple  # (x, y, sample_weight), each leaf (steps, batch, ...), on the device
    count: int  # real batches; the rest are padding the guard skips
    real_rows: Any  # (steps,) int32 on the device, or None when no batch is padded
    rows: tuple[int, ...]  # real rows of each real batch (to trim predictions)
    guarded: bool


class Chunker:
    """Groups converted batches into chunks; remembers the batch size across epochs."""

    def __init__(self, steps_per_chunk: int, pad_rows: bool, method: str):
        self.steps_per_chunk = steps_per_chunk
        self.pad_rows = pad_rows
        self.method = method
        self.batch_rows: int | None = None  # rows of the first batch ever seen

    def chunks(self, batches: Iterator[Any]) -> Iterator[Chunk]:
        group: list = []
        group_key = None
        for raw in batches:
            batch = convert_batch(raw, self.method)
            rows = _rows(batch)
            if self.batch_rows is None:
                self.batch_rows = rows
            target = self.batch_rows if self.pad_rows and rows <= self.batch_rows else rows
            key = (_signature(batch), target)
            if group and key != group_key:
                yield self._stack(group, group_key[1])
                group = []
            group_key = key
            group.append((batch, rows))
            if len(group) == self.steps_per_chunk:
                yield self._stack(group, target)
                group = []
        if group:
            yield self._stack(group, group_key[1])

    def _stack(self, group: list, target: int) -> Chunk:
        rows = tuple(r for _, r in group)
        batches = [jax.tree_util.tree_map(lambda a: _pad_rows(a, target), batch)
                   for batch, _ in group]
        empty = jax.tree_util.tree_map(np.zeros_like, batches[0])
        batches += [empty] * (self.steps_per_chunk - len(batches))
        stacked = jax.tree_util.tree_map(lambda *leaves: np.stack(leaves), *batches)
        padded = any(r != target for r in rows)
        real_rows = None
        if padded:
            real_rows = jax.device_put(np.array(
                list(rows) + [target] * (self.steps_per_chunk - len(rows)), np.int32))
        return Chunk(jax.device_put(stacked), len(rows), real_rows, rows,
                     guarded=len(rows) < self.steps_per_chunk)


def _rows(batch: tuple) -> int:
    return int(jax.tree_util.tree_leaves(batch[0])[0].shape[0])


def _signature(batch: tuple) -> tuple:
    leaves, treedef = jax.tree_util.tree_flatten(batch)
    return treedef, tuple((leaf.shape[1:], leaf.dtype) for leaf in leaves)


def _pad_rows(array: np.ndarray, rows: int) -> np.ndarray:
    array = np.asarray(array)
    if array.shape[0] == rows:
        return array
    padding = np.zeros((rows - array.shape[0],) + array.shape[1:], array.dtype)
    return np.concatenate([array, padding])


class prefetched:
    """Iterate `items` on a background thread, `depth` ahead of the consumer.

    Making a chunk (reading batches, stacking, starting the copy to the device) then
    overlaps the device's work on the previous one. Errors reach the consumer; leaving
    the `with` block early stops the thread.
    """

    _DONE = object()

    def __init__(self, items: Iterator[Any], depth: int = _PREFETCH_DEPTH):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(items,), daemon=True)

    def __enter__(self) -> Iterator[Any]:
        self._thread.start()
        return self._consume()

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:  # unblock a producer waiting on a full queue
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()

    def _produce(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                if not self._put((item, None)):
                    return
        except BaseException as error:  # handed to the consumer's thread
            self._put((self._DONE, error))
            return
        self._put((self._DONE, None))

    def _put(self, entry: tuple) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _consume(self) -> Iterator[Any]:
        while True:
            item, error = self._queue.get()
            if item is self._DONE:
                if error is not None:
                    raise error
                return
            yield item


class ChunkPrograms:
    """The compiled train/evaluate/predict programs over one chunk, for one StepFunctions."""

    def __init__(self, steps: StepFunctions, eager: bool):
        self.steps = steps
        if eager:
            self.train = _without_jit(self._train)
            self.evaluate = _without_jit(self._evaluate)
            self.predict = _without_jit(self._predict)
            return
        self.train = jax.jit(self._train, static_argnames=("guarded",), donate_argnums=(0,))
        self.evaluate = jax.jit(self._evaluate, static_argnames=("guarded",))
        self.predict = jax.jit(self._predict)

    def _train(self, state: TrainState, data, count, real_rows, reset, *, guarded: bool):
        """Run a chunk's batches; the metrics restart first when `reset` (an epoch's start).

        Returns the new state and the metrics' results so far.
        """
        steps = self.steps
        fresh = steps.initial_metric_states()
        state = state._replace(metrics=jax.tree_util.tree_map(
            lambda zero, current: jnp.where(reset, zero, current), fresh, state.metrics))

        def step(state, batch, rows):
            return steps._train_step_with_loss(state, batch, rows)[0]

        def body(state, inputs):
            index, batch, rows = inputs
            if guarded:
                state = lax.cond(index < count, step, lambda s, b, r: s, state, batch, rows)
            else:
                state = step(state, batch, rows)
            return state, None

        state, _ = lax.scan(body, state, (jnp.arange(_steps_in(data)), data, real_rows))
        return state, steps._results(state.metrics)

    def _evaluate(self, trainable, non_trainable, metric_states, data, count, real_rows, *,
                  guarded: bool):
        steps = self.steps

        def step(states, batch, rows):
            return steps._test_step(trainable, non_trainable, states, batch, rows)

        def body(states, inputs):
            index, batch, rows = inputs
            if guarded:
                states = lax.cond(index < count, step, lambda s, b, r: s, states, batch, rows)
            else:
                states = step(states, batch, rows)
            return states, None

        metric_states, _ = lax.scan(body, metric_states,
                                    (jnp.arange(_steps_in(data)), data, real_rows))
        return metric_states, steps._results(metric_states)

    def _predict(self, trainable, non_trainable, x):
        def body(_, batch):
            return None, self.steps.forward(trainable, non_trainable, batch, False)[0]

        return lax.scan(body, None, x)[1]


_programs: "weakref.WeakKeyDictionary[StepFunctions, ChunkPrograms]" = \
    weakref.WeakKeyDictionary()


def programs_for(steps: StepFunctions, eager: bool) -> ChunkPrograms:
    """The chunk programs of `steps`, made once (jit caches their compilations)."""
    programs = _programs.get(steps)
    if programs is None:
        programs = _programs[steps] = ChunkPrograms(steps, eager)
    return programs


def _steps_in(data: tuple) -> int:
    return jax.tree_util.tree_leaves(data[0])[0].shape[0]


def _without_jit(function):
    def run(*args, **kwargs):
        with jax.disable_jit():
            return function(*args, **kwargs)

    return run
