"""Evaluation and prediction one batch at a time, for callbacks with per-batch hooks.

Without such callbacks evaluation and prediction run as one compiled program; with
them, Keras's sequence of `on_test_batch_*` / `on_predict_batch_*` calls needs the host
between batches, so each batch is one compiled step here.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import jax
import numpy as np

from layerwise.callbacks import Callback
from layerwise.engine.variables import to_device


def wants_hooks(callbacks: Any, kind: str) -> bool:
    """Whether a callback overrides the `on_<kind>_batch_begin/end` hooks ("test", "predict")."""
    names = (f"on_{kind}_batch_begin", f"on_{kind}_batch_end")
    return any(getattr(type(callback), name, None) is not getattr(Callback, name)
               for callback in callbacks for name in names)


def _batches(arrays: Any, n: int, batch_size: int):
    for index in range(math.ceil(n / batch_size)):
        start = index * batch_size
        yield index, jax.tree_util.tree_map(lambda a: a[start:start + batch_size], arrays)


def evaluate_batch_by_batch(steps: Any, arrays: tuple, n: int, batch_size: int,
                            callbacks: Any, logs_of: Callable[[list], dict]) -> list:
    """Metric results over `arrays` (x, y, sample_weight), calling the test batch hooks
    with the running logs, as Keras does."""
    trainable = [v.value for v in steps.trainable_variables]
    non_trainable = [v.value for v in steps.non_trainable_variables]
    states = steps.initial_metric_states()
    results = steps.results(states)
    for index, batch in _batches(arrays, n, batch_size):
        callbacks.on_test_batch_begin(index)
        states = steps.test_batch(trainable, non_trainable, states, batch)
        results = steps.results(states)
        callbacks.on_test_batch_end(index, logs_of(results))
    return results


def predict_batch_by_batch(functions: Any, x: Any, n: int, batch_size: int,
                           callbacks: Any) -> Any:
    """Predictions for `x`, calling the predict batch hooks with each batch's outputs."""
    trainable = [v.value for v in functions.trainable_variables]
    non_trainable = [v.value for v in functions.non_trainable_variables]
    outputs = []
    for index, batch in _batches(x, n, batch_size):
        callbacks.on_predict_batch_begin(index)
        block = jax.tree_util.tree_map(lambda a: to_device(np.asarray(a)[None]), batch)
        result = jax.tree_util.tree_map(lambda r: np.asarray(r)[0],
                                        functions.predict_blocks(trainable, non_trainable, block))
        outputs.append(result)
        callbacks.on_predict_batch_end(index, {"outputs": result})
    return jax.tree_util.tree_map(lambda *parts: np.concatenate(parts), *outputs)
