"""fit / evaluate / predict for models that override their steps (`models/custom_steps.py`).

Batches of arrays, generators and PyDatasets all arrive through the streamed sources
and chunks; each chunk runs the model's own `train_step` (or `test_step`,
`predict_step`) over its batches in one compiled `lax.scan`. The state is read from
the model's Variables before each call and written back after it, so callbacks see
(and may change) weights, optimizer and metric variables between calls.
"""
from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from layerwise import metrics as metrics_module
from layerwise.callbacks import CallbackList
from layerwise.models import data as data_utils
from layerwise.models.chunks import Chunker, prefetched
from layerwise.models.data_adapters import (ArraySource, BatchSource, convert_batch,
                                            is_stream, source_for)
from layerwise.models.interrupts import interrupts_deferred
from layerwise.models.streamed import (check_steps, peek, reject_with_stream,
                                       steps_per_chunk, warn_out_of_data)


class _Programs:
    """The compiled chunk programs of one model (jit caches their compilations)."""

    def __init__(self, model: Any):
        self.model = model
        self.eager = model._without_jit()
        wrap = _without_jit if self.eager else jax.jit
        self.train = wrap(self._train, static_argnames=("guarded",), donate_argnums=(0,))
        self.test = wrap(self._test, static_argnames=("guarded",))
        self.predict = wrap(self._predict)

    def _run_steps(self, step, state, data, count, guarded):
        """Scan `step(state, batch) -> (logs, state)` over the chunk; the last logs."""
        batches = _step_data(data)
        first = jax.tree_util.tree_map(lambda a: a[0], batches)
        logs_shape = jax.eval_shape(lambda s, b: step(s, b)[0], state, first)
        logs = jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), logs_shape)

        def run(carry, batch):
            logs, state = step(carry[1], batch)
            return _as_float_logs(logs), _as_lists(state)

        def body(carry, inputs):
            index, batch = inputs
            if guarded:
                carry = lax.cond(index < count, run, lambda c, b: c, carry, batch)
            else:
                carry = run(carry, batch)
            return carry, None

        (logs, state), _ = lax.scan(body, (_as_float_logs(logs), _as_lists(state)),
                                    (jnp.arange(_leading(batches)), batches))
        return state, logs

    def _train(self, state, data, count, *, guarded):
        return self._run_steps(self.model.train_step, state, data, count, guarded)

    def _test(self, state, data, count, *, guarded):
        return self._run_steps(self.model.test_step, state, data, count, guarded)

    def _predict(self, state, data):
        def body(non_trainable, batch):
            outputs, non_trainable = self.model.predict_step((state[0], non_trainable), batch)
            return list(non_trainable), outputs

        return lax.scan(body, list(state[1]), _step_data(data))


def _programs_for(model: Any) -> _Programs:
    programs = getattr(model, "_custom_step_programs", None)
    if programs is None or programs.model is not model or \
            programs.eager != model._without_jit():
        programs = model._custom_step_programs = _Programs(model)
    return programs


def fit(model: Any, x: Any, y: Any, batch_size: int, epochs: int, verbose: int,
        callbacks: Any, validation_split: float, validation_data: Any, shuffle: bool,
        class_weight: Any, sample_weight: Any, initial_epoch: int, steps_per_epoch: Any,
        validation_steps: Any, validation_batch_size: Any, validation_freq: int):
    """`Model.fit` running the model's own `train_step`."""
    method = "fit"
    steps_per_epoch = check_steps(method, "steps_per_epoch", steps_per_epoch)
    validation_steps = check_steps(method, "validation_steps", validation_steps)
    if class_weight is not None:
        raise NotImplementedError("fit: `class_weight` with an overridden `train_step` or "
                                  "`compute_loss` is not supported yet.")
    source, validation_data = _training_source(method, x, y, sample_weight, batch_size,
                                               shuffle, validation_split, validation_data)
    batches, first = peek(source.batches(steps_per_epoch), method)
    if source.separate_first_pass:  # epoch 1 draws its own order, as in Keras
        batches = None
        source.restart()
    _prepare(model, first, method)
    programs = _programs_for(model)
    known_steps = steps_per_epoch or source.num_batches
    params = {"verbose": verbose, "epochs": epochs, "steps": known_steps}
    callback_list = CallbackList(callbacks, model=model, add_history=True,
                                 add_progbar=verbose != 0, verbose=verbose, params=params)
    batch_logs = callback_list.wants_batch_hooks() or verbose == 1
    chunker = Chunker(steps_per_chunk(model, callback_list, known_steps), False, method)

    initial_epoch, skip_steps = model._begin_training(callback_list, initial_epoch)
    logs: dict[str, float] = {}
    try:
        for epoch in range(initial_epoch, epochs):
            if batches is None:
                batches = source.batches(steps_per_epoch)
            if skip_steps:  # resumed mid-epoch: the batches done before are passed over
                batches = itertools.islice(batches, skip_steps, None)
            model.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            seen, step_logs = skip_steps, None
            skip_steps = 0
            with prefetched(chunker.chunks(batches)) as chunk_stream:
                for chunk in chunk_stream:
                    callback_list.on_train_batch_begin(seen)
                    step_logs = _run(model, programs.train, _train_variables(model),
                                     chunk.data, chunk.count, guarded=chunk.guarded)
                    seen += chunk.count
                    if batch_logs:
                        callback_list.on_train_batch_end(seen - 1, _host_logs(step_logs))
                    if model.stop_training:
                        break
            batches = None
            source.end_pass()
            if seen == 0:
                warn_out_of_data(epoch)
                break
            logs = _host_logs(step_logs)
            if params["steps"] is None:  # the first pass told its length
                params["steps"] = seen
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                validation_logs = _evaluate_source(
                    model, _validation_source(validation_data,
                                              validation_batch_size or batch_size),
                    validation_steps, None)
                logs = {**logs, **{"val_" + k: v for k, v in validation_logs.items()}}
            callback_list.on_epoch_end(epoch, dict(logs))
            if steps_per_epoch is not None and seen < steps_per_epoch:
                warn_out_of_data(epoch)  # Keras goes on: a re-readable source restarts
            if model.stop_training:
                break
    finally:
        model._in_fit = False
    model._end_training(callback_list, epochs, logs)
    return callback_list.history


def evaluate(model: Any, x: Any, y: Any, batch_size: int, verbose: int, sample_weight: Any,
             steps_count: Any, callbacks: Any) -> dict[str, float]:
    """`Model.evaluate` running the model's own `test_step`; returns the logs."""
    method = "evaluate"
    steps_count = check_steps(method, "steps", steps_count)
    if is_stream(x):
        reject_with_stream(method, y=y, sample_weight=sample_weight)
        source: BatchSource = source_for(x)
    else:
        arrays, _ = _labelled(method, x, y, sample_weight)
        source = ArraySource(arrays, batch_size, shuffle=False)
    callback_list = CallbackList(callbacks, model=model, add_progbar=verbose != 0,
                                 verbose=verbose, params={
                                     "verbose": verbose,
                                     "steps": steps_count or source.num_batches})
    callback_list.on_test_begin()
    logs = _evaluate_source(model, source, steps_count, callback_list)
    callback_list.on_test_end(logs)
    return logs


def predict(model: Any, x: Any, batch_size: int, verbose: int, steps_count: Any,
            callbacks: Any) -> Any:
    """`Model.predict` running the model's own `predict_step`."""
    method = "predict"
    steps_count = check_steps(method, "steps", steps_count)
    source = source_for(x) if is_stream(x) else ArraySource(
        (data_utils.to_arrays(x, "x", method), None, None), batch_size, shuffle=False)
    batches, first = peek(source.batches(steps_count), method)
    _prepare(model, first, method)
    programs = _programs_for(model)
    callback_list = CallbackList(callbacks, model=model, add_progbar=verbose != 0,
                                 verbose=verbose, params={
                                     "verbose": verbose,
                                     "steps": steps_count or source.num_batches})
    chunker = Chunker(steps_per_chunk(model, callback_list, steps_count or
                                       source.num_batches), False, method)
    callback_list.on_predict_begin()
    outputs, seen = [], 0
    with prefetched(chunker.chunks(batches)) as chunk_stream:
        for chunk in chunk_stream:
            state = ([v.value for v in model.trainable_variables],
                     [v.value for v in model.non_trainable_variables])
            with interrupts_deferred():
                non_trainable, result = programs.predict(state, chunk.data)
                for variable, value in zip(model.non_trainable_variables, non_trainable):
                    variable._value = value
            result = jax.device_get(result)
            for index in range(chunk.count):
                outputs.append(jax.tree_util.tree_map(lambda r: np.asarray(r[index]), result))
            seen += chunk.count
            callback_list.on_predict_batch_end(seen - 1, {"outputs": outputs[-1]})
    source.end_pass()
    callback_list.on_predict_end()
    return jax.tree_util.tree_map(lambda *parts: np.concatenate(parts), *outputs)


# -- pieces ------------------------------------------------------------------------------
def _training_source(method, x, y, sample_weight, batch_size, shuffle, validation_split,
                     validation_data):
    if is_stream(x):
        reject_with_stream(method, y=y, sample_weight=sample_weight)
        if validation_split:
            raise ValueError(
                "fit: argument `validation_split` is only supported for arrays. Received "
                f"x of type {type(x).__name__}.")
        return source_for(x, shuffle), validation_data
    arrays, _ = _labelled(method, x, y, sample_weight)
    if validation_split:
        arrays, split = data_utils.split_for_validation(arrays, validation_split)
        validation_data = validation_data if validation_data is not None else split
    return ArraySource(arrays, batch_size, shuffle), validation_data


def _labelled(method, x, y, sample_weight):
    """Arrays `(x, y, sample_weight)`; unlike the built-in steps, `y` may be absent."""
    x = data_utils.to_arrays(x, "x", method)
    y = data_utils.to_arrays(y, "y", method, optional=True)
    sample_weight = data_utils.to_arrays(sample_weight, "sample_weight", method,
                                         optional=True)
    return (x, y, sample_weight), data_utils.check_same_length(
        method, x=x, y=y, sample_weight=sample_weight)


def _validation_source(data: Any, batch_size: int) -> BatchSource:
    if is_stream(data):
        return source_for(data)
    if not isinstance(data, (tuple, list)) or not 1 <= len(data) <= 3:
        raise ValueError(
            "fit: `validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
            f"val_sample_weight). Received: {type(data).__name__}")
    parts = list(data) + [None] * (3 - len(data))
    arrays, _ = _labelled("fit", *parts)
    return ArraySource(arrays, batch_size, shuffle=False)


def _prepare(model: Any, first_batch: Any, method: str) -> None:
    """Build the model (and its optimizer and compiled metrics) from a first batch."""
    x, y, _ = convert_batch(first_batch, method)
    model._ensure_built(x)
    if method == "predict":
        return
    if model.optimizer is not None and not model.optimizer.built:
        with interrupts_deferred():
            model.optimizer.build(model.trainable_variables)
    if y is not None and not (model._compile_metrics or model._compile_weighted_metrics):
        output = model._output_spec(x)
        if isinstance(output, jax.ShapeDtypeStruct):
            model._compile_metrics, model._compile_weighted_metrics = (
                [metrics_module.resolve_compile_metric(identifier, tuple(y.shape),
                                                       tuple(output.shape))
                 for identifier in identifiers]
                for identifiers in (model._metric_identifiers,
                                    model._weighted_metric_identifiers))
    model._stateless_loss_tracker()


def _evaluate_source(model: Any, source: BatchSource, steps_count: int | None,
                     callback_list: CallbackList | None) -> dict[str, float]:
    batches, first = peek(source.batches(steps_count), "evaluate")
    _prepare(model, first, "evaluate")
    programs = _programs_for(model)
    chunker = Chunker(steps_per_chunk(model, callback_list, steps_count or
                                       source.num_batches), False, "evaluate")
    hooks = callback_list is not None and callback_list.wants_batch_hooks()
    model.reset_metrics()
    seen, step_logs = 0, None
    with prefetched(chunker.chunks(batches)) as chunk_stream:
        for chunk in chunk_stream:
            step_logs = _run(model, programs.test, _test_variables(model), chunk.data,
                             chunk.count, guarded=chunk.guarded)
            seen += chunk.count
            if hooks:
                callback_list.on_test_batch_end(seen - 1, _host_logs(step_logs))
    source.end_pass()
    return _host_logs(step_logs) if seen else {}


def _train_variables(model: Any) -> tuple[list, ...]:
    return (model.trainable_variables, model.non_trainable_variables,
            model.optimizer.variables, model.metrics_variables)


def _test_variables(model: Any) -> tuple[list, ...]:
    return (model.trainable_variables, model.non_trainable_variables,
            model.metrics_variables)


def _run(model: Any, program: Any, variables: tuple[list, ...], data: Any, count: int,
         guarded: bool) -> Any:
    """Run a chunk program on the variables' values and store the new values back."""
    with interrupts_deferred():
        state = tuple([v.value for v in group] for group in variables)
        new_state, logs = program(state, data, count, guarded=guarded)
        for group, values in zip(variables, new_state):
            for variable, value in zip(group, values):
                variable._value = value
    return logs


def _step_data(data: tuple) -> tuple:
    """A chunk's (x, y, sample_weight) as the tuple a step receives: trailing Nones off."""
    parts = list(data)
    while len(parts) > 1 and parts[-1] is None:
        parts.pop()
    return tuple(parts)


def _leading(batches: tuple) -> int:
    return jax.tree_util.tree_leaves(batches)[0].shape[0]


def _as_lists(state: Any) -> tuple:
    return tuple(list(part) for part in state)


def _as_float_logs(logs: Any) -> Any:
    return jax.tree_util.tree_map(lambda value: jnp.asarray(value, jnp.float32), logs)


def _host_logs(logs: Any) -> dict[str, float]:
    """Step logs as Keras hands them to callbacks: floats, keys sorted, a nested dict's
    entries (compile_metrics) spliced in at its place."""
    def flatten(values: dict) -> dict[str, float]:
        flat: dict[str, float] = {}
        for name, value in sorted(values.items()):
            if isinstance(value, dict):
                flat.update(flatten(value))
            else:
                flat[name] = float(np.asarray(value))
        return flat

    return flatten(jax.device_get(logs))


def _without_jit(function, **_: Any):
    def run(*args, **kwargs):
        with jax.disable_jit():
            return function(*args, **kwargs)

    return run
