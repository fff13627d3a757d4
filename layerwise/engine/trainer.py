"""compile / fit / evaluate / predict: the user-facing training loop.

The loop enters Python once per epoch (or once per progress-bar refresh, or per step
only when a callback asks for per-batch hooks). Each entry runs a jitted `lax.scan`
over the steps of the epoch (`engine/steps.py`) on data that was put on the device
once. Weights live in the model's Variables between epochs, so callbacks see and may
change them; within an epoch they are plain arrays threaded through the scan.
"""
from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np

from layerwise.engine import data as data_utils
from layerwise.engine.progbar import Progbar
from layerwise.engine.targets import check_targets, check_validation
from layerwise.engine.steps import StepFunctions, TrainState, log_names
from layerwise.engine.variables import to_device

# With verbose=1 the bar is redrawn this many times per epoch at most.
_PROGRESS_REFRESHES = 20


class Trainer:
    """Mixin giving a Model compile/fit/evaluate/predict."""

    def _init_trainer(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.history = None
        self.stop_training = False
        self._compile_metrics: list = []
        self._compile_weighted_metrics: list = []
        self._compile_config: dict | None = None
        self._steps: StepFunctions | None = None
        self._steps_key: tuple | None = None
        self._in_fit = False

    # -- compile -------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Configure the model for training."""
        from layerwise import losses, optimizers

        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get(loss)
        self._loss_identifier = loss
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if isinstance(value, (str, dict)) or callable(value):
                raise TypeError(
                    f"compile: `{argument}` must be a list (or tuple) of metrics. Received: "
                    f"{argument}={value!r}. Did you mean {argument}=[{value!r}]?")
        if loss_weights is not None and not isinstance(loss_weights, (int, float)):
            raise NotImplementedError("compile: per-output `loss_weights` need multi-output "
                                      "models, which are not supported yet.")
        self._metric_identifiers = list(metrics or [])
        self._weighted_metric_identifiers = list(weighted_metrics or [])
        # Unknown names fail now, at compile time, not at the first fit.
        from layerwise import metrics as metrics_module

        for identifier in self._metric_identifiers + self._weighted_metric_identifiers:
            if isinstance(identifier, str) and identifier not in ("accuracy", "acc",
                                                                  "crossentropy", "ce"):
                metrics_module.get(identifier)
        self._compile_config = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        self._compile_metrics = []
        self._compile_weighted_metrics = []
        self._steps = None
        self.compiled = True

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before calling `{method}()` on model "
                f"'{self.name}'.")

    @property
    def metrics_names(self) -> list[str]:
        return log_names(self._compile_metrics, self._compile_weighted_metrics)

    def _step_functions(self, x_sample: Any, y_sample: Any, method: str) -> StepFunctions:
        """The compiled functions for the model's current variables, built on first need."""
        from layerwise import metrics as metrics_module

        self._ensure_built(x_sample)
        key = (tuple(id(v) for v in self.trainable_variables),
               tuple(id(v) for v in self.non_trainable_variables))
        if self._steps is not None and self._steps_key == key:
            check_targets(method, self.loss, y_sample, self._steps_output_shape, self.name)
            return self._steps
        y_pred_spec = self._output_spec(x_sample)
        if not isinstance(y_pred_spec, jax.ShapeDtypeStruct):
            raise NotImplementedError(
                f"{method}: models with several outputs cannot be trained yet (model "
                f"'{self.name}').")
        output_shape = (None,) + tuple(y_pred_spec.shape[1:])
        check_targets(method, self.loss, y_sample, output_shape, self.name)
        if not (self._compile_metrics or self._compile_weighted_metrics):
            self._compile_metrics, self._compile_weighted_metrics = (
                [metrics_module.resolve_compile_metric(identifier, tuple(y_sample.shape),
                                                       tuple(y_pred_spec.shape))
                 for identifier in identifiers]
                for identifiers in (self._metric_identifiers,
                                    self._weighted_metric_identifiers))
        tracker = metrics_module.Mean(name="loss")
        self.optimizer.build(self.trainable_variables)
        self._steps = StepFunctions(self, self.loss, [tracker] + self._compile_metrics,
                                    self.optimizer, self._compile_weighted_metrics)
        self._steps_key = key
        self._steps_output_shape = output_shape
        return self._steps

    def _output_spec(self, x_sample: Any) -> Any:
        return jax.eval_shape(lambda x: self(x, training=False),
                              jax.tree_util.tree_map(
                                  lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), x_sample))

    def _ensure_built(self, x_sample: Any) -> None:
        if not self.built:
            shapes = jax.tree_util.tree_map(lambda a: (None,) + tuple(a.shape[1:]), x_sample)
            self.build_for_shape(shapes)
        self.check_input_shape(_map_arrays(lambda a: tuple(a.shape), x_sample))

    # -- reading and writing the state ---------------------------------------------------
    def _read_state(self, steps: StepFunctions) -> TrainState:
        return TrainState(
            [v.value for v in steps.trainable_variables],
            [v.value for v in steps.non_trainable_variables],
            [v.value for v in self.optimizer.variables],
            steps.metric_states_to_start(),
        )

    def _write_state(self, steps: StepFunctions, state: TrainState) -> None:
        steps.keep_metric_states(state.metrics)
        for variable, value in zip(steps.trainable_variables, state.trainable):
            variable._value = value
        for variable, value in zip(steps.non_trainable_variables, state.non_trainable):
            variable._value = value
        for variable, value in zip(self.optimizer.variables, state.optimizer):
            variable._value = value

    def _logs(self, steps: StepFunctions, results: list, prefix: str = "") -> dict[str, float]:
        values = jax.device_get(results)
        logs = {prefix + name: float(np.asarray(value))
                for name, value in zip(steps.log_names, values)}
        return dict(sorted(logs.items()))  # Keras sorts log keys

    # -- fit -----------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: Any = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: Any = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: Any = None,
            validation_steps: Any = None, validation_batch_size: int | None = None,
            validation_freq: int = 1, check_finite: bool = True):
        """Train the model; returns a `History` whose `.history` holds the epoch logs.

        `check_finite=False` lets NaN/inf data through (by default they are an error).
        """
        from layerwise.callbacks import CallbackList

        self._assert_compiled("fit")
        if steps_per_epoch is not None or validation_steps is not None:
            raise NotImplementedError("fit: `steps_per_epoch` / `validation_steps` are not "
                                      "supported yet; pass whole arrays instead.")
        verbose = _check_verbose(verbose)
        batch_size = data_utils.check_batch_size("fit", batch_size)
        epochs = _check_count("fit", "epochs", epochs, minimum=0)
        _check_count("fit", "initial_epoch", initial_epoch, minimum=0)
        train, val = self._fit_data(x, y, sample_weight, class_weight, validation_split,
                                    validation_data, check_finite)
        validation_batch_size = data_utils.check_batch_size(
            "fit", validation_batch_size or batch_size)
        n = data_utils.num_samples(train[0])
        # Keras's fit builds an unbuilt optimizer symbolically, which draws one extra
        # permutation from numpy's stream; drawing it too keeps seeded shuffles identical.
        draw_extra_permutation = shuffle and not self.optimizer.built
        steps = self._step_functions(train[0], train[1], "fit")
        check_validation(self.loss, val, self._steps_output_shape, self.name, check_finite)
        train, val = _put_on_device(train), _put_on_device(val)

        plan = EpochPlan(n, min(batch_size, n), steps.pads_last_batch)
        callback_list = CallbackList(
            callbacks, model=self, add_history=True, add_progbar=verbose != 0,
            verbose=verbose, params={"verbose": verbose, "epochs": epochs,
                                     "steps": plan.steps_per_epoch})
        if callback_list.wants_batch_hooks():
            plan.split(1)
        elif verbose == 1:
            plan.split(math.ceil(plan.scan_steps / _PROGRESS_REFRESHES))
        halt_on_invalid_loss = any(getattr(c, "halts_on_invalid_loss", False)
                                   for c in callback_list)
        # Validation runs inside the epoch's program unless callbacks see every batch
        # (one of them could change the weights after the last one, before validation).
        validation = None
        if val is not None and not callback_list.wants_batch_hooks():
            validation = (val, evaluation_plan(steps, val, validation_batch_size))
        if draw_extra_permutation:
            np.random.permutation(n)
        self.stop_training = False
        self._in_fit = True
        callback_list.on_train_begin()
        logs: dict[str, float] = {}
        try:
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch)
                validate = val is not None and (epoch + 1) % validation_freq == 0
                logs, validation_logs = self._train_epoch(
                    steps, train, plan, shuffle, callback_list, halt_on_invalid_loss,
                    validation, validate)
                if validate and validation_logs is None:
                    validation_logs = self._evaluate_arrays(steps, val, validation_batch_size,
                                                            prefix="val_")
                logs.update(validation_logs or {})
                logs = dict(sorted(logs.items()))  # Keras sorts log keys
                # Callbacks may add keys (learning_rate) for History; not for on_train_end.
                callback_list.on_epoch_end(epoch, dict(logs))
                if self.stop_training:
                    break
        finally:
            self._in_fit = False
        callback_list.on_train_end(logs)
        return callback_list.history

    def _train_epoch(self, steps: StepFunctions, train: tuple, plan: "EpochPlan",
                     shuffle: bool, callback_list: Any, halt_on_invalid_loss: bool,
                     validation: tuple | None = None, validate: bool = False
                     ) -> tuple[dict, dict | None]:
        """One epoch, one compiled call per segment; weights are written back after each.

        `validation` is (data, plan) to evaluate inside the epoch's last call when
        `validate`. Returns the training logs, and the validation logs if it ran.
        """
        state = self._read_state(steps)
        # The order is drawn on the host from numpy's global stream, as Keras 3.15 draws
        # it (so set_random_seed fixes it, and the same seed gives Keras's batches); the
        # gather itself happens on the device.
        order = to_device(np.random.permutation(plan.samples).astype(np.int32)) \
            if shuffle else None
        validation_data, validation_plan = validation or (None, None)
        validation_results = None
        for first, count, exact_tail in plan.segments():
            callback_list.on_train_batch_begin(first)
            state, results, first_invalid, validation_results = steps.train_epoch(
                state, train, order, first, plan.scan_steps, validate, validation_data,
                batch_size=plan.batch_size,
                num_steps=plan.segment if plan.guarded else count,
                tail_rows=plan.tail_rows, padded_tail=plan.padded_tail, exact_tail=exact_tail,
                shuffled=bool(shuffle), guarded=plan.guarded,
                halt_on_invalid_loss=halt_on_invalid_loss, validation_plan=validation_plan)
            self._write_state(steps, state)
            if halt_on_invalid_loss and int(first_invalid) >= 0:
                # TerminateOnNaN sees the batch whose loss went bad, as in Keras.
                callback_list.on_train_batch_end(int(first_invalid), self._logs(steps, results))
                break
            if plan.segment < plan.scan_steps:
                last_batch = first + count - 1 + int(exact_tail)
                callback_list.on_train_batch_end(last_batch, self._logs(steps, results))
            if self.stop_training:
                break
        else:  # every segment ran, so the last one validated (when due)
            if validate and validation_data is not None:
                logs, validation_logs = jax.device_get((results, validation_results))
                return (self._logs(steps, logs),
                        self._logs(steps, validation_logs, prefix="val_"))
        return self._logs(steps, results), None

    def _fit_data(self, x, y, sample_weight, class_weight, validation_split, validation_data,
                  check_finite) -> tuple[tuple, tuple | None]:
        """Validated (x, y, sample_weight) for training, and for validation or None."""
        if isinstance(validation_split, bool) or not isinstance(
                validation_split, (int, float)) or not 0 <= validation_split < 1:
            raise ValueError(
                "fit: invalid value for argument `validation_split`. Expected a float in "
                f"[0, 1). Received: validation_split={validation_split!r}")
        if y is None:
            raise ValueError("fit: `y` is required (models without targets are not "
                             "supported yet).")
        x = data_utils.to_arrays(x, "x", "fit")
        y = data_utils.to_arrays(y, "y", "fit")
        sample_weight = data_utils.to_arrays(sample_weight, "sample_weight", "fit",
                                             optional=True)
        data_utils.check_same_length("fit", x=x, y=y, sample_weight=sample_weight)
        if check_finite:
            data_utils.check_finite("fit", x=x, y=y, sample_weight=sample_weight)
        if class_weight is not None:
            sample_weight = _class_weights_to_sample_weights(class_weight, y, sample_weight)
        if validation_data is not None:
            return (x, y, sample_weight), self._unpack_validation(validation_data)
        if validation_split:
            return data_utils.split_for_validation((x, y, sample_weight), validation_split)
        return (x, y, sample_weight), None

    def _unpack_validation(self, validation_data: Any) -> tuple:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(
                "fit: `validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                f"val_sample_weight). Received: {type(validation_data).__name__}")
        arrays = list(validation_data) + [None] * (3 - len(validation_data))
        x_val = data_utils.to_arrays(arrays[0], "validation_data[0]", "fit")
        y_val = data_utils.to_arrays(arrays[1], "validation_data[1]", "fit")
        w_val = data_utils.to_arrays(arrays[2], "validation_data[2]", "fit", optional=True)
        data_utils.check_same_length("fit", x_val=x_val, y_val=y_val, val_sample_weight=w_val)
        return x_val, y_val, w_val

    def _evaluate_arrays(self, steps: StepFunctions, arrays: tuple, batch_size: int,
                         prefix: str = "") -> dict[str, float]:
        batch_size, num_steps, tail_rows, padded_tail = evaluation_plan(steps, arrays,
                                                                        batch_size)
        trainable = [v.value for v in steps.trainable_variables]
        non_trainable = [v.value for v in steps.non_trainable_variables]
        _, results = steps.evaluate_data(
            trainable, non_trainable, arrays, batch_size=batch_size, num_steps=num_steps,
            tail_rows=tail_rows, padded_tail=padded_tail)
        return self._logs(steps, results, prefix)

    # -- evaluate / predict ------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: Any = None,
                 callbacks: Any = None, return_dict: bool = False, **kwargs: Any):
        """Loss and metrics on the given data: a list `[loss, *metrics]`, a scalar, or a dict."""
        from layerwise.callbacks import CallbackList

        self._assert_compiled("evaluate")
        verbose = _check_verbose(verbose)
        batch_size = data_utils.check_batch_size("evaluate", batch_size)
        if y is None:
            raise ValueError("evaluate: `y` is required.")
        x = data_utils.to_arrays(x, "x", "evaluate")
        y = data_utils.to_arrays(y, "y", "evaluate")
        sample_weight = data_utils.to_arrays(sample_weight, "sample_weight", "evaluate",
                                             optional=True)
        n = data_utils.check_same_length("evaluate", x=x, y=y, sample_weight=sample_weight)
        data_utils.check_finite("evaluate", x=x, y=y, sample_weight=sample_weight)
        functions = self._step_functions(x, y, "evaluate")
        callback_list = CallbackList(
            callbacks, model=self, add_progbar=verbose != 0, verbose=verbose,
            params={"verbose": verbose, "steps": math.ceil(n / min(batch_size, n))})
        callback_list.on_test_begin()
        logs = self._evaluate_arrays(functions, _put_on_device((x, y, sample_weight)),
                                     batch_size)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = _values_in_keras_order(logs, functions)
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: Any = None, callbacks: Any = None) -> np.ndarray:
        """Outputs for the inputs `x`, as a numpy array, computed batch by batch."""
        verbose = _check_verbose(verbose)
        batch_size = data_utils.check_batch_size("predict", batch_size)
        x = data_utils.to_arrays(x, "x", "predict")
        self._ensure_built(x)
        n = data_utils.num_samples(x)
        functions = self._inference_functions()
        progress = Progbar(math.ceil(n / batch_size), verbose=verbose) if verbose else None
        outputs = predict_in_blocks(functions, x, n, batch_size)
        if progress is not None:
            progress.update(progress.target, finalize=True)
        return outputs

    def _structure_key(self) -> tuple:
        """Changes whenever the model's set of variables may have changed."""
        return tuple(id(v) for v in self.variables)

    def _inference_functions(self) -> StepFunctions:
        key = self._structure_key()
        cached = getattr(self, "_inference_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        functions = StepFunctions(self, None, [], None)
        self._inference_cache = (key, functions)
        return functions

    # -- one batch at a time -------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False):
        """One optimizer step on one batch; returns the batch's loss and metrics."""
        self._assert_compiled("train_on_batch")
        x = data_utils.to_arrays(x, "x", "train_on_batch")
        y = data_utils.to_arrays(y, "y", "train_on_batch")
        sample_weight = data_utils.to_arrays(sample_weight, "sample_weight", "train_on_batch",
                                             optional=True)
        data_utils.check_same_length("train_on_batch", x=x, y=y, sample_weight=sample_weight)
        if class_weight is not None:
            sample_weight = _class_weights_to_sample_weights(class_weight, y, sample_weight)
        steps = self._step_functions(x, y, "train_on_batch")
        # Like Keras, each call reports the metrics of its own batch.
        state = self._read_state(steps)._replace(metrics=steps.initial_metric_states())
        state = steps.train_batch(state, _put_on_device((x, y, sample_weight)))
        self._write_state(steps, state)
        return self._batch_result(steps, steps.results(state.metrics), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False):
        self._assert_compiled("test_on_batch")
        x = data_utils.to_arrays(x, "x", "test_on_batch")
        y = data_utils.to_arrays(y, "y", "test_on_batch")
        sample_weight = data_utils.to_arrays(sample_weight, "sample_weight", "test_on_batch",
                                             optional=True)
        data_utils.check_same_length("test_on_batch", x=x, y=y, sample_weight=sample_weight)
        steps = self._step_functions(x, y, "test_on_batch")
        metric_states = steps.test_batch(
            [v.value for v in steps.trainable_variables],
            [v.value for v in steps.non_trainable_variables],
            steps.initial_metric_states(), _put_on_device((x, y, sample_weight)))
        return self._batch_result(steps, steps.results(metric_states), return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        return self.predict(x, batch_size=data_utils.num_samples(
            data_utils.to_arrays(x, "x", "predict_on_batch")), verbose=0)

    def _batch_result(self, steps, results, return_dict):
        logs = self._logs(steps, results)
        if return_dict:
            return logs
        values = _values_in_keras_order(logs, steps)
        return values[0] if len(values) == 1 else values


class EpochPlan:
    """How an epoch of `samples` rows is cut into batches and compiled calls ("segments").

    Full batches run inside a `lax.scan`; the partial last batch either joins the scan
    padded to full size (`padded_tail`) or runs after it, exactly (`exact_tail`).
    """

    def __init__(self, samples: int, batch_size: int, pad_tail: bool):
        self.samples = samples
        self.batch_size = batch_size
        self.full_batches, self.tail_rows = divmod(samples, batch_size)
        self.steps_per_epoch = self.full_batches + (1 if self.tail_rows else 0)
        self.padded_tail = bool(self.tail_rows) and pad_tail
        self.scan_steps = self.full_batches + (1 if self.padded_tail else 0)
        self.segment = self.scan_steps
        self.guarded = False

    def split(self, segment: int) -> None:
        """Run the epoch in calls of `segment` steps (for progress bars or batch hooks)."""
        self.segment = max(1, min(segment, self.scan_steps))
        # A shorter last segment reuses the same program, its extra steps skipped.
        self.guarded = self.scan_steps % self.segment != 0

    def segments(self):
        """(first step, number of steps, whether the exact tail follows) per call."""
        first = 0
        while True:
            count = min(self.segment, self.scan_steps - first)
            last = first + count >= self.scan_steps
            yield first, count, last and bool(self.tail_rows) and not self.padded_tail
            first += count
            if last:
                return


def _values_in_keras_order(logs: dict[str, float], steps: StepFunctions) -> list[float]:
    """The list `evaluate` returns: Keras looks the logs up by each metric's own name, in
    compile order (a repeated name repeats its value), then appends the other logs sorted."""
    names = [metric.name for metric in steps.metrics]
    names[0] = "loss"
    values = [logs[name] for name in names if name in logs]
    return values + [logs[key] for key in sorted(logs) if key not in names]


def evaluation_plan(steps: StepFunctions, arrays: tuple, batch_size: int) -> tuple:
    """(batch size, scan steps, rows in the partial batch, whether it is padded) for evaluation."""
    n = data_utils.num_samples(arrays[0])
    batch_size = min(batch_size, n)
    num_full, partial = divmod(n, batch_size)
    padded_tail = bool(partial) and steps.pads_last_batch
    return batch_size, num_full + int(padded_tail), partial, padded_tail


def predict_in_blocks(functions: StepFunctions, x: Any, n: int, batch_size: int) -> np.ndarray:
    """Predict `n` rows, padding to whole batches and grouping batches into blocks.

    Block counts are powers of two, so predicting on a new number of rows reuses one of a
    handful of compiled programs instead of compiling a new one.
    """
    batch_size = min(batch_size, _round_up_power_of_two(n))
    num_batches = math.ceil(n / batch_size)
    trainable = [v.value for v in functions.trainable_variables]
    non_trainable = [v.value for v in functions.non_trainable_variables]
    outputs = []
    done = 0
    while done < num_batches:
        blocks = min(_round_up_power_of_two(num_batches - done), 64)
        rows = blocks * batch_size
        chunk = _map_arrays(
            lambda a: _pad_rows(np.asarray(a[done * batch_size: done * batch_size + rows]),
                                rows).reshape((blocks, batch_size) + a.shape[1:]), x)
        result = functions.predict_blocks(trainable, non_trainable, chunk)
        # Reshaped in numpy: a device reshape would be one more dispatch (and compile).
        outputs.append(_map_arrays(
            lambda r: np.asarray(r).reshape((rows,) + r.shape[2:]), result))
        done += blocks
    if len(outputs) == 1:
        return _map_arrays(lambda r: r[:n], outputs[0])
    return jax.tree_util.tree_map(lambda *parts: np.concatenate(parts)[:n], *outputs)


def _map_arrays(function: Any, structure: Any) -> Any:
    """`tree_map` without its cost for the usual single array (predict is latency-bound)."""
    if isinstance(structure, (np.ndarray, jax.Array)):
        return function(structure)
    return jax.tree_util.tree_map(function, structure)


def _round_up_power_of_two(value: int) -> int:
    return 1 << max(0, math.ceil(math.log2(max(value, 1))))


def _pad_rows(array: np.ndarray, rows: int) -> np.ndarray:
    if array.shape[0] == rows:
        return array
    padding = np.zeros((rows - array.shape[0],) + array.shape[1:], array.dtype)
    return np.concatenate([array, padding])


def _put_on_device(arrays: Any) -> Any:
    return None if arrays is None else jax.tree_util.tree_map(to_device, arrays)


def _check_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, bool):
        return int(verbose)
    raise ValueError(
        f"Invalid value for argument `verbose`. Expected 'auto', 0, 1 or 2. "
        f"Received: verbose={verbose!r}")


def _check_count(method: str, argument: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"{method}: invalid value for argument `{argument}`. Expected an integer >= "
            f"{minimum}. Received: {argument}={value!r}")
    return int(value)


def _class_weights_to_sample_weights(class_weight: dict, y: Any, sample_weight: Any):
    y = np.asarray(y)
    classes = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else \
        np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(int)
    weights = np.array([float(class_weight.get(int(c), 1.0)) for c in classes], np.float32)
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, np.float32).reshape(weights.shape[0])
    return weights
