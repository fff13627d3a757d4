"""fit / evaluate / predict on data that arrives batch by batch.

Used for generators, iterators and PyDatasets, and whenever `steps_per_epoch`,
`validation_steps` or `steps` is given; plain arrays otherwise keep the whole-epoch
program of `models/steps.py`. Batches are grouped into chunks (`models/chunks.py`) made
on a background thread while the device trains on the previous chunk; callbacks'
batch hooks run once per chunk, as Keras runs them once per `steps_per_execution`.
"""
from __future__ import annotations

import itertools
import warnings
from typing import Any

import jax
import numpy as np

from layerwise.callbacks import CallbackList
from layerwise.models import data as data_utils
from layerwise.models.chunks import AUTO_STEPS_PER_CHUNK, Chunker, programs_for, prefetched
from layerwise.models.data_adapters import (ArraySource, BatchSource, convert_batch,
                                            is_stream, source_for)
from layerwise.models.class_weights import ClassWeightedSource, class_weights_to_sample_weights
from layerwise.models.epoch_plan import EpochPlan
from layerwise.utils.py_dataset import PyDataset
from layerwise.engine.variables import to_device


def fit(model: Any, x: Any, y: Any, batch_size: int, epochs: int, verbose: int,
        callbacks: Any, validation_split: float, validation_data: Any, shuffle: bool,
        class_weight: Any, sample_weight: Any, initial_epoch: int, steps_per_epoch: Any,
        validation_steps: Any, validation_batch_size: Any, validation_freq: int):
    """`Model.fit` for streamed data (arguments already checked by the trainer)."""
    method = "fit"
    steps_per_epoch = check_steps(method, "steps_per_epoch", steps_per_epoch)
    validation_steps = check_steps(method, "validation_steps", validation_steps)
    if is_stream(x):
        reject_with_stream(method, y=y, sample_weight=sample_weight)
        if validation_split:
            raise ValueError(
                "fit: argument `validation_split` is only supported for arrays. Received "
                f"x of type {type(x).__name__}.")
        source: BatchSource = source_for(x)
        if class_weight is not None:
            if not isinstance(x, PyDataset):
                raise ValueError("fit: argument `class_weight` is not supported for Python "
                                 f"generator inputs. Received: class_weight={class_weight}")
            source = ClassWeightedSource(source, class_weight)
    else:
        if y is None:
            raise ValueError("fit: `y` is required (models without targets are not "
                             "supported yet).")
        arrays, _ = data_utils.labelled_arrays(method, x, y, sample_weight)
        validation_arrays = None
        if validation_split:
            arrays, validation_arrays = data_utils.split_for_validation(arrays,
                                                                        validation_split)
            validation_data = validation_data if validation_data is not None else \
                validation_arrays
        if class_weight is not None:  # after the split: validation is not class-weighted
            x_train, y_train, sample_weight = arrays
            arrays = (x_train, y_train,
                      class_weights_to_sample_weights(class_weight, y_train, sample_weight))
        source = ArraySource(arrays, batch_size, shuffle)
    batches, first = peek(source.batches(steps_per_epoch), method)
    sample_x, sample_y, _ = convert_batch(first, method)
    if sample_y is None:
        raise ValueError("fit: the batches must hold targets, `(x, y)` or "
                         "`(x, y, sample_weight)` (models without targets are not "
                         "supported yet).")
    steps = model._step_functions(sample_x, sample_y, method)
    programs = programs_for(steps, model._without_jit())
    known_steps = steps_per_epoch or source.num_batches
    params = {"verbose": verbose, "epochs": epochs, "steps": known_steps}
    callback_list = CallbackList(callbacks, model=model, add_history=True,
                                 add_progbar=verbose != 0, verbose=verbose, params=params)
    batch_logs = callback_list.wants_batch_hooks() or verbose == 1
    chunker = Chunker(steps_per_chunk(model, callback_list, known_steps),
                      steps.pads_last_batch, method)
    validation = None if validation_data is None else _Validation(
        model, steps, validation_data, validation_steps,
        validation_batch_size or batch_size)

    initial_epoch, skip_steps = model._begin_training(callback_list, initial_epoch)
    logs: dict[str, float] = {}
    try:
        for epoch in range(initial_epoch, epochs):
            if batches is None:
                batches = source.batches(steps_per_epoch)
            if skip_steps:  # resumed mid-epoch: the batches done before are passed over
                batches = itertools.islice(batches, skip_steps, None)
            callback_list.on_epoch_begin(epoch)
            seen, results = skip_steps, None
            first_chunk, skip_steps = True, 0
            with prefetched(chunker.chunks(batches)) as chunk_stream:
                for chunk in chunk_stream:
                    callback_list.on_train_batch_begin(seen)
                    (results,) = model._run_donating(
                        steps, programs.train, chunk.data, chunk.count, chunk.real_rows,
                        first_chunk, guarded=chunk.guarded)
                    first_chunk = False
                    seen += chunk.count
                    if batch_logs:
                        callback_list.on_train_batch_end(seen - 1, model._logs(steps, results))
                    if model.stop_training:
                        break
            batches = None
            source.end_pass()
            if seen == 0:
                warn_out_of_data(epoch)
                break
            logs = model._logs(steps, results)
            if params["steps"] is None:  # the first pass told its length
                params["steps"] = seen
            if validation is not None and (epoch + 1) % validation_freq == 0:
                logs = dict(sorted({**logs, **validation.run()}.items()))
            callback_list.on_epoch_end(epoch, dict(logs))
            if steps_per_epoch is not None and seen < steps_per_epoch:
                warn_out_of_data(epoch)  # Keras goes on: a re-readable source restarts
            if model.stop_training:
                break
    finally:
        model._in_fit = False
    model._end_training(callback_list, epochs, logs)
    return callback_list.history


class _Validation:
    """The validation pass run after training epochs."""

    def __init__(self, model: Any, steps: Any, data: Any, validation_steps: int | None,
                 batch_size: int):
        self.model, self.steps, self.validation_steps = model, steps, validation_steps
        self.source = None
        if is_stream(data):
            self.source = source_for(data)
            self.chunker = Chunker(steps_per_chunk(model, None, validation_steps or
                                                    self.source.num_batches),
                                   steps.pads_last_batch, "fit")
        else:
            arrays = model._unpack_validation(data)
            self.arrays = jax.tree_util.tree_map(to_device, arrays)
            self.plan = EpochPlan.for_rows(data_utils.num_samples(arrays[0]), batch_size,
                                           steps.pads_last_batch)

    def run(self) -> dict[str, float]:
        if self.source is None:
            return self.model._evaluate_arrays(self.steps, self.arrays, self.plan,
                                               prefix="val_")
        seen, results = evaluate_chunks(self.model, self.steps, self.chunker,
                                        self.source.batches(self.validation_steps))
        self.source.end_pass()
        return {} if not seen else self.model._logs(self.steps, results, prefix="val_")


def evaluate_chunks(model: Any, steps: Any, chunker: Chunker, batches: Any,
                    on_batch_end: Any = None) -> tuple[int, Any]:
    """Evaluate every chunk of `batches`; returns the batches seen and the results."""
    programs = programs_for(steps, model._without_jit())
    trainable = [v.value for v in steps.trainable_variables]
    non_trainable = [v.value for v in steps.non_trainable_variables]
    states, results, seen = steps.initial_metric_states(), None, 0
    with prefetched(chunker.chunks(batches)) as chunk_stream:
        for chunk in chunk_stream:
            states, results = programs.evaluate(trainable, non_trainable, states, chunk.data,
                                                chunk.count, chunk.real_rows,
                                                guarded=chunk.guarded)
            seen += chunk.count
            if on_batch_end is not None:
                on_batch_end(seen - 1, results)
    return seen, results


def evaluate(model: Any, x: Any, y: Any, batch_size: int, verbose: int, sample_weight: Any,
             steps_count: Any, callbacks: Any) -> dict[str, float]:
    """`Model.evaluate` for streamed data; returns the logs."""
    method = "evaluate"
    steps_count = check_steps(method, "steps", steps_count)
    if is_stream(x):
        reject_with_stream(method, y=y, sample_weight=sample_weight)
        source: BatchSource = source_for(x)
    else:
        if y is None:
            raise ValueError("evaluate: `y` is required.")
        arrays, _ = data_utils.labelled_arrays(method, x, y, sample_weight)
        source = ArraySource(arrays, batch_size, shuffle=False)
    batches, first = peek(source.batches(steps_count), method)
    sample_x, sample_y, _ = convert_batch(first, method)
    if sample_y is None:
        raise ValueError("evaluate: the batches must hold targets, `(x, y)` or "
                         "`(x, y, sample_weight)`.")
    steps = model._step_functions(sample_x, sample_y, method)
    known_steps = steps_count or source.num_batches
    callback_list = CallbackList(callbacks, model=model, add_progbar=verbose != 0,
                                 verbose=verbose,
                                 params={"verbose": verbose, "steps": known_steps})
    chunker = Chunker(steps_per_chunk(model, callback_list, known_steps),
                      steps.pads_last_batch, method)
    callback_list.on_test_begin()
    hooks = callback_list.wants_batch_hooks() or verbose == 1

    def on_batch_end(index, results):
        callback_list.on_test_batch_end(index, model._logs(steps, results))

    seen, results = evaluate_chunks(model, steps, chunker, batches,
                                    on_batch_end if hooks else None)
    source.end_pass()
    logs = model._logs(steps, results) if seen else {}
    callback_list.on_test_end(logs)
    return logs


def predict(model: Any, x: Any, batch_size: int, verbose: int, steps_count: Any,
            callbacks: Any) -> Any:
    """`Model.predict` for streamed data: the outputs of every batch, concatenated."""
    method = "predict"
    steps_count = check_steps(method, "steps", steps_count)
    if is_stream(x):
        source: BatchSource = source_for(x)
    else:
        source = ArraySource((data_utils.to_arrays(x, "x", method), None, None), batch_size,
                             shuffle=False)
    batches, first = peek(source.batches(steps_count), method)
    model._ensure_built(convert_batch(first, method)[0])
    functions = model._inference_functions()
    programs = programs_for(functions, model._without_jit())
    known_steps = steps_count or source.num_batches
    callback_list = CallbackList(callbacks, model=model, add_progbar=verbose != 0,
                                 verbose=verbose,
                                 params={"verbose": verbose, "steps": known_steps})
    chunker = Chunker(steps_per_chunk(model, callback_list, known_steps),
                      functions.pads_last_batch, method)
    trainable = [v.value for v in functions.trainable_variables]
    non_trainable = [v.value for v in functions.non_trainable_variables]
    callback_list.on_predict_begin()
    outputs, seen = [], 0
    with prefetched(chunker.chunks(batches)) as chunk_stream:
        for chunk in chunk_stream:
            callback_list.on_predict_batch_begin(seen)
            result = jax.device_get(programs.predict(trainable, non_trainable, chunk.data[0]))
            for index, rows in enumerate(chunk.rows):
                outputs.append(jax.tree_util.tree_map(lambda r: np.asarray(r[index, :rows]),
                                                      result))
            seen += chunk.count
            callback_list.on_predict_batch_end(seen - 1, {"outputs": outputs[-1]})
    source.end_pass()
    callback_list.on_predict_end()
    return jax.tree_util.tree_map(lambda *parts: np.concatenate(parts), *outputs)


def steps_per_chunk(model: Any, callback_list: CallbackList | None,
                     known_steps: int | None) -> int:
    """`steps_per_execution` when set above 1 or when callbacks see every batch; else
    the automatic size, no larger than a pass."""
    if model._steps_per_execution > 1 or (callback_list is not None
                                          and callback_list.wants_batch_hooks()):
        return model._steps_per_execution
    return max(1, min(AUTO_STEPS_PER_CHUNK, known_steps or AUTO_STEPS_PER_CHUNK))


def peek(batches: Any, method: str) -> tuple[Any, Any]:
    """The first batch (to build and compile with) and the batches, that one included."""
    batches = iter(batches)
    try:
        first = next(batches)
    except StopIteration:
        raise ValueError(f"{method}: the data yielded no batch.") from None
    return itertools.chain([first], batches), first


def reject_with_stream(method: str, **named: Any) -> None:
    """Keras's error for arrays passed beside a generator or PyDataset."""
    for name, value in named.items():
        if value is not None:
            raise ValueError(
                f"{method}: when `x` is a generator or a PyDataset, `{name}` must not be "
                f"passed; yield it as part of each batch instead. Received: "
                f"{name} of type {type(value).__name__}")


def check_steps(method: str, argument: str, value: Any) -> int | None:
    """A step count: None (or Keras's -1) for "until the data ends", else positive."""
    if value is None or value == -1:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"{method}: invalid value for argument `{argument}`. Expected a positive integer "
            f"or None. Received: {argument}={value!r}")
    return int(value)


def warn_out_of_data(epoch: int) -> None:
    """Keras's warning when an epoch gets fewer batches than it asked for."""
    warnings.warn(
        f"fit: the data ran out during epoch {epoch + 1}. A generator is used up by one "
        "pass (training stops when it yields nothing more): give `steps_per_epoch` with a "
        "generator that loops, or use a PyDataset.", stacklevel=3)
