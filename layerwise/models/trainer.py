"""compile / fit / evaluate / predict: the user-facing training loop.

The loop enters Python once per epoch (or once per progress-bar refresh, or per step
only when a callback asks for per-batch hooks). Each entry runs a jitted `lax.scan`
over the steps of the epoch (`models/steps.py`) on data that was put on the device
once. Weights live in the model's Variables between epochs, so callbacks see and may
change them; within an epoch they are plain arrays threaded through the scan.
"""
from __future__ import annotations

import functools
import math
import threading
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import distribution as distribution_module
from layerwise import optimizers
from layerwise import metrics as metrics_module
from layerwise.callbacks import CallbackList
from layerwise.distribution.placement import Placement
from layerwise.models import callback_hooks, compile_losses, custom_fit, host_prefix, streamed
from layerwise.models import data as data_utils
from layerwise.models.class_weights import class_weights_to_sample_weights
from layerwise.models.custom_steps import uses_custom_steps
from layerwise.models.data_adapters import is_stream
from layerwise.utils.progbar import Progbar
from layerwise.models.epoch_plan import EpochPlan
from layerwise.models.interrupts import interrupts_deferred
from layerwise.models.steps import StepFunctions, TrainState
from layerwise.models.targets import check_targets, check_validation
from layerwise.engine.variables import ShapeScope, to_device
from layerwise.losses.base import gives_per_sample_values
from layerwise.losses.serialization import to_loss

# With verbose=1 the bar is redrawn this many times per epoch at most.
_PROGRESS_REFRESHES = 20


def _one_at_a_time(method: Any) -> Any:
    """One training, evaluation or prediction at a time per model, across threads: a
    second thread waits, since the compiled calls consume and replace the weights."""
    @functools.wraps(method)
    def run(self: "Trainer", *args: Any, **kwargs: Any) -> Any:
        with self._training_lock:
            return method(self, *args, **kwargs)

    return run


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
        self._metric_carry: tuple = (None, None)
        # Whether a training call ran after the last evaluation: which states the metric
        # objects are left holding at the end of a fit.
        self._training_states_last = False
        self._training_lock = threading.RLock()
        self._steps_per_execution = 1
        self._run_eagerly = False
        self._jit_compile = True
        # The distribution in effect when the model was made (then compiled), used when
        # none is in effect at fit time.
        self._distribution = distribution_module.distribution()

    # -- compile -------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Configure the model for training."""
        self.optimizer = optimizers.get(optimizer)
        # As Keras: a mixed_float16 model scales its loss unless told not to.
        if auto_scale_loss and self.dtype_policy.name == "mixed_float16" and \
                self.optimizer is not None and \
                not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer)
        # Per-output losses (a dict or list) are resolved against the outputs at first use.
        per_output = isinstance(loss, (dict, list, tuple))
        self.loss = loss if per_output or loss is None else to_loss(loss)
        self._loss_identifier = loss
        self._loss_weights = loss_weights
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if isinstance(value, str) or callable(value):
                raise TypeError(
                    f"compile: `{argument}` must be a list (or tuple) of metrics. Received: "
                    f"{argument}={value!r}. Did you mean {argument}=[{value!r}]?")
        self._metric_identifiers = metrics if isinstance(metrics, dict) else list(metrics or [])
        self._weighted_metric_identifiers = weighted_metrics if isinstance(
            weighted_metrics, dict) else list(weighted_metrics or [])
        # Unknown names fail now, at compile time, not at the first fit.
        for identifier in _flat_identifiers(metrics) + _flat_identifiers(weighted_metrics):
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
        self._output_loss_trackers: list = []
        self._steps = None
        self._inference_cache = None
        self._run_eagerly = bool(run_eagerly)
        self._jit_compile = jit_compile is not False and not run_eagerly
        self._steps_per_execution = _check_count("compile", "steps_per_execution",
                                                 steps_per_execution, minimum=1)
        self._distribution = distribution_module.distribution() or self._distribution
        self.compiled = True

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before calling `{method}()` on model "
                f"'{self.name}'.")

    @property
    def run_eagerly(self) -> bool:
        """Whether steps run without jit (`compile(run_eagerly=True)`); settable, as Keras."""
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        self._steps = self._inference_cache = None  # rebuilt with or without jit

    def _without_jit(self) -> bool:
        # jit_compile=False is, as on Keras's JAX backend, a run without compilation.
        return self._run_eagerly or not self._jit_compile

    @property
    def jit_compile(self) -> bool:
        """compile's `jit_compile` ("auto" is True); False runs steps without jit too."""
        return self._jit_compile

    @property
    def steps_per_execution(self) -> int:
        return self._steps_per_execution

    @property
    def metrics_names(self) -> list[str]:
        """The names of `model.metrics`, as Keras 3 gives them ("compile_metrics" for all
        the compiled metrics together, not each one's log name)."""
        return [metric.name for metric in self.metrics]

    def _step_functions(self, x_sample: Any, y_sample: Any, method: str) -> StepFunctions:
        """The compiled functions for the model's current variables, built on first need."""
        self._ensure_built(x_sample)
        key = (tuple(id(v) for v in self.trainable_variables),
               tuple(id(v) for v in self.non_trainable_variables),
               id(self._active_distribution()))
        if self._steps is not None and self._steps_key == key:
            check_targets(method, self.loss, y_sample, self._steps_output_shape, self.name)
            return self._steps
        y_pred_spec = self._output_spec(x_sample)
        if not isinstance(y_pred_spec, jax.ShapeDtypeStruct):
            return self._multi_output_step_functions(x_sample, y_sample, y_pred_spec, key)
        output_shape = (None,) + tuple(y_pred_spec.shape[1:])
        check_targets(method, self.loss, y_sample, output_shape, self.name)
        if not (self._compile_metrics or self._compile_weighted_metrics):
            self._compile_metrics, self._compile_weighted_metrics = (
                [metrics_module.resolve_compile_metric(identifier, tuple(y_sample.shape),
                                                       tuple(y_pred_spec.shape))
                 for identifier in identifiers]
                for identifiers in (self._metric_identifiers,
                                    self._weighted_metric_identifiers))
        tracker = self._stateless_loss_tracker()  # the `loss` of `model.metrics`
        # A half-built optimizer (slots for some variables only) could never train again.
        with interrupts_deferred():
            self.optimizer.build(self.trainable_variables)
            self._steps = StepFunctions(self, self.loss, [tracker] + self._compile_metrics,
                                        self.optimizer, self._compile_weighted_metrics,
                                        eager=self._without_jit(),
                                        placement=self._placement(self.optimizer.variables),
                                        per_sample_loss=gives_per_sample_values(
                                            self.loss, y_sample, y_pred_spec))
            self._steps_key = key
            self._steps_output_shape = output_shape
        return self._steps

    def _multi_output_step_functions(self, x_sample: Any, y_sample: Any, y_pred_spec: Any,
                                     key: tuple) -> StepFunctions:
        """Step functions for a model with several outputs (see compile_losses)."""
        compiled = compile_losses.compile_outputs(
            compile_losses.output_names(self, y_pred_spec), y_sample, y_pred_spec,
            self._loss_identifier, self._loss_weights, self._metric_identifiers or None,
            self._weighted_metric_identifiers or None)
        self._compile_metrics = compiled.metrics
        self._compile_weighted_metrics = compiled.weighted_metrics
        self._output_loss_trackers = compiled.loss_trackers
        tracker = self._stateless_loss_tracker()  # the `loss` of `model.metrics`
        with interrupts_deferred():
            self.optimizer.build(self.trainable_variables)
            self._steps = StepFunctions(
                self, compiled.loss, [tracker] + compiled.loss_trackers + compiled.metrics,
                self.optimizer, compiled.weighted_metrics, eager=self._without_jit(),
                placement=self._placement(self.optimizer.variables))
            self._steps_key = key
            self._steps_output_shape = None
        return self._steps

    def _output_spec(self, x_sample: Any) -> Any:
        with ShapeScope():  # a draw or state update while tracing is dropped
            return jax.eval_shape(lambda x: self(x, training=False),
                                  jax.tree_util.tree_map(
                                      lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype),
                                      x_sample))

    def _ensure_built(self, x_sample: Any) -> None:
        if not self.built:
            shapes = jax.tree_util.tree_map(lambda a: (None,) + tuple(a.shape[1:]), x_sample)
            with interrupts_deferred():  # half-built layers would hold partial weights
                self.build_for_shape(shapes)
        self.check_input_shape(_map_arrays(lambda a: tuple(a.shape), x_sample))

    # -- distribution -------------------------------------------------------------------
    def _active_distribution(self) -> Any:
        return distribution_module.distribution() or self._distribution

    def _placement(self, optimizer_variables: list = ()) -> Placement | None:
        active = self._active_distribution()
        return None if active is None else Placement(
            active, self.trainable_variables, self.non_trainable_variables, optimizer_variables)

    def _place_weights(self, steps: StepFunctions) -> None:
        """Under a distribution, move the weights (and slots) to their layouts."""
        placement = steps.placement
        if placement is not None:
            placement.place(steps.trainable_variables, placement.trainable)
            placement.place(steps.non_trainable_variables, placement.non_trainable)
            if steps.optimizer is not None:
                placement.place(self.optimizer.variables, placement.optimizer)

    def _put_data(self, steps: StepFunctions, method: str, arrays: Any,
                  batch_size: int) -> tuple[Any, int, int]:
        """Data on the device(s), with its number of rows and the batch size of the
        programs: under a distribution, the global ones, checked as Keras checks them."""
        rows = data_utils.num_samples(arrays[0])
        if steps.placement is None:
            return _put_on_device(arrays), rows, batch_size
        global_rows, global_batch = steps.placement.global_batches(rows, batch_size)
        steps.placement.check_batches(method, global_rows, global_batch)
        return steps.placement.put_data(arrays, batch_size), global_rows, global_batch

    def _refuse_in_cluster(self, method: str, what: str) -> None:
        """In a cluster only whole arrays are gathered across processes; other inputs
        would reach the programs as different values on each process."""
        if jax.process_count() > 1 and self._active_distribution() is not None:
            raise NotImplementedError(
                f"{method}: in a cluster of {jax.process_count()} processes layerwise "
                f"trains, evaluates and predicts on arrays (x, y as numpy or JAX arrays), "
                f"not on {what}.")

    # -- reading and writing the state ---------------------------------------------------
    def _read_state(self, steps: StepFunctions) -> TrainState:
        # The metric arrays the last call returned are fed (and donated) to the next one;
        # the compiled epoch zeroes them at its first step.
        carried_steps, metric_states = self._metric_carry
        self._place_weights(steps)
        if carried_steps is not steps:
            metric_states = steps.initial_metric_states()
            if steps.placement is not None:  # where the carried ones will be: no recompile
                metric_states = steps.placement.put_replicated(metric_states)
        return TrainState(
            [v.value for v in steps.trainable_variables],
            [v.value for v in steps.non_trainable_variables],
            [v.value for v in self.optimizer.variables],
            metric_states,
        )

    def _write_state(self, steps: StepFunctions, state: TrainState) -> None:
        self._metric_carry = (steps, state.metrics)
        self._training_states_last = True
        for variable, value in zip(steps.trainable_variables, state.trainable):
            variable._value = value
        for variable, value in zip(steps.non_trainable_variables, state.non_trainable):
            variable._value = value
        for variable, value in zip(self.optimizer.variables, state.optimizer):
            variable._value = value

    def _run_donating(self, steps: StepFunctions, program: Any, *args: Any, **static: Any):
        """Run a compiled call that consumes the model's state, and store the new state.

        Between the call and the store a Ctrl-C would leave the model holding deleted
        arrays, so interrupts wait until the model holds the new state. Returns the
        call's other outputs.
        """
        with interrupts_deferred():
            state, *outputs = program(self._read_state(steps), *args, **static)
            self._write_state(steps, state)
        return outputs

    def _logs(self, steps: StepFunctions, results: list, prefix: str = "") -> dict[str, float]:
        values = jax.device_get(results)
        logs = {prefix + name: float(np.asarray(value))
                for name, value in zip(steps.log_names, values)}
        return dict(sorted(logs.items()))  # Keras sorts log keys

    # -- fit -----------------------------------------------------------------------------
    @_one_at_a_time
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: Any = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: Any = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: Any = None,
            validation_steps: Any = None, validation_batch_size: int | None = None,
            validation_freq: int = 1, check_finite: bool = True):
        """Train the model; returns a `History` whose `.history` holds the epoch logs.

        After an interruption (Ctrl-C, or an exception in a callback) the model holds the
        weights of the last completed compiled call: an epoch, or with a live progress bar
        or per-batch callbacks, the last completed segment of one.
        `check_finite=False` lets NaN/inf data through (by default they are an error).
        """
        _check_count("fit", "initial_epoch", initial_epoch, minimum=0)
        x = host_prefix.prepare(self, x)
        validation_data = host_prefix.prepare_validation(self, validation_data)
        if self._fits_batch_by_batch(x, validation_data, steps_per_epoch, validation_steps):
            return self._fit_batch_by_batch(
                x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
                shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch,
                validation_steps, validation_batch_size, validation_freq)
        run = self._prepare_fit(x, y, batch_size, epochs, verbose, callbacks,
                                validation_split, validation_data, shuffle, class_weight,
                                sample_weight, steps_per_epoch, validation_steps,
                                validation_batch_size, check_finite)
        first_epoch, skip_steps = self._begin_training(run.callbacks, initial_epoch)
        logs: dict[str, float] = {}
        try:
            for epoch in range(first_epoch, run.epochs):
                run.callbacks.on_epoch_begin(epoch)
                validate = run.validation is not None and (epoch + 1) % validation_freq == 0
                logs, validation_logs = self._train_epoch(
                    run, validate, skip_steps if epoch == first_epoch else 0)
                if validate:
                    validation_logs = self._validation_hooks(run, validation_logs)
                logs = dict(sorted({**logs, **(validation_logs or {})}.items()))
                # Callbacks may add keys (learning_rate) for History, not on_train_end.
                run.callbacks.on_epoch_end(epoch, dict(logs))
                if self.stop_training:
                    break
        finally:
            self._in_fit = False
        self._end_training(run.callbacks, run.epochs, logs)
        return run.callbacks.history

    def _validation_hooks(self, run: "FitRun", validation_logs: dict | None) -> dict:
        """Keras's on_test_begin / on_test_batch_* / on_test_end around validation; the
        validation is run here unless the epoch's program already did it."""
        run.callbacks.on_test_begin()
        if validation_logs is None:
            if callback_hooks.wants_hooks(run.callbacks, "test"):
                results = callback_hooks.evaluate_batch_by_batch(
                    run.steps, run.validation, data_utils.num_samples(run.validation[0]),
                    run.validation_plan.batch_size, run.callbacks,
                    lambda values: self._logs(run.steps, values))
                validation_logs = self._logs(run.steps, results, prefix="val_")
            else:
                validation_logs = self._evaluate_arrays(
                    run.steps, run.validation, run.validation_plan, prefix="val_")
        run.callbacks.on_test_end({key[len("val_"):]: value
                                   for key, value in validation_logs.items()})
        return validation_logs

    def _end_training(self, callbacks: CallbackList, epochs: int, logs: dict) -> None:
        """End a fit as Keras does: the metrics hold the last epoch's state, an EMA
        optimizer's averages replace the weights, then `on_train_end`."""
        carried_steps, metric_states = self._metric_carry
        if carried_steps is not None and self._training_states_last:
            self._keep_metric_states(carried_steps, metric_states)
        if epochs > 0 and self.optimizer is not None and self.optimizer.built:
            self.optimizer.finalize_variable_values(self.trainable_variables)
        callbacks.on_train_end(logs)

    def _fits_batch_by_batch(self, x, validation_data, steps_per_epoch, validation_steps):
        """Whether fit takes the streamed path: streamed data, step counts, or custom steps."""
        return uses_custom_steps(self) or is_stream(x) or is_stream(validation_data) \
            or steps_per_epoch is not None or validation_steps is not None

    def _fit_batch_by_batch(self, x, y, batch_size, epochs, verbose, *arguments):
        """fit through models/streamed.py, or models/custom_fit.py for custom steps."""
        self._assert_compiled("fit")
        self._refuse_in_cluster("fit", "data given batch by batch or custom steps")
        loop = custom_fit if uses_custom_steps(self) else streamed
        return loop.fit(self, x, y, data_utils.check_batch_size("fit", batch_size),
                        _check_count("fit", "epochs", epochs, minimum=0),
                        _check_verbose(verbose), *arguments)

    def _prepare_fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split,
                     validation_data, shuffle, class_weight, sample_weight, steps_per_epoch,
                     validation_steps, validation_batch_size, check_finite) -> "FitRun":
        """Check fit's arguments and data, and plan its epochs."""
        self._assert_compiled("fit")
        verbose = _check_verbose(verbose)
        batch_size = data_utils.check_batch_size("fit", batch_size)
        epochs = _check_count("fit", "epochs", epochs, minimum=0)
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
        train_data, rows, batch_size = self._put_data(steps, "fit", train, batch_size)
        plan = EpochPlan.for_rows(rows, batch_size, steps.pads_last_batch)
        callback_list = CallbackList(
            callbacks, model=self, add_history=True, add_progbar=verbose != 0,
            verbose=verbose, params={"verbose": verbose, "epochs": epochs,
                                     "steps": plan.steps_per_epoch})
        if callback_list.wants_batch_hooks():
            # As in Keras, batch hooks run once per `steps_per_execution` steps.
            plan = plan.split(self._steps_per_execution)
        elif verbose == 1:
            plan = plan.split(math.ceil(plan.scan_steps / _PROGRESS_REFRESHES))
        if val is not None:
            val, val_rows, validation_batch_size = self._put_data(
                steps, "fit", val, validation_batch_size)
        validation_plan = None if val is None else EpochPlan.for_rows(
            val_rows, validation_batch_size, steps.pads_last_batch)
        # Validation runs inside the epoch's program unless callbacks see every batch
        # (one of them could change the weights after the last one, before validation).
        in_program = val is not None and not callback_list.wants_batch_hooks()
        plan = plan.with_options(
            shuffled=bool(shuffle), validation=validation_plan if in_program else None,
            halt_on_invalid_loss=any(getattr(c, "halts_on_invalid_loss", False)
                                     for c in callback_list))
        if draw_extra_permutation:
            np.random.permutation(n)
        return FitRun(steps, train_data, val, plan, validation_plan,
                      callback_list, epochs)

    def _begin_training(self, callbacks: CallbackList, initial_epoch: int) -> tuple[int, int]:
        """Start a fit: run `on_train_begin`, then return the epoch to start at and the
        steps of it already done: `initial_epoch` and 0, unless a callback
        (BackupAndRestore) set a resume point in `on_train_begin`."""
        self.stop_training, self._in_fit = False, True
        callbacks.on_train_begin()
        epoch, step = getattr(self, "_initial_epoch", None), getattr(self, "_initial_step", None)
        self._initial_epoch = self._initial_step = None
        if step:  # the resumed epoch's metrics restart from its first step run here
            self._metric_carry = (None, None)
        return (initial_epoch if epoch is None else int(epoch)), int(step or 0)

    def _train_epoch(self, run: "FitRun", validate: bool,
                     skip_steps: int = 0) -> tuple[dict, dict | None]:
        """One epoch, one compiled call per segment; weights are written back after each.

        Validation runs inside the epoch's last call when the plan says so and `validate`.
        Calls covering only the first `skip_steps` steps (done before a resume) are
        skipped. Returns the training logs, and the validation logs if it ran.
        """
        steps, plan = run.steps, run.plan
        # The order is drawn on the host from numpy's global stream, as Keras 3.15 draws
        # it (so set_random_seed fixes it, and the same seed gives Keras's batches); the
        # gather itself happens on the device.
        order = np.random.permutation(data_utils.num_samples(run.train[0])).astype(
            np.int32) if plan.shuffled else None
        if order is not None:
            order = to_device(order) if steps.placement is None else \
                steps.placement.put_order(order)
        validation_data = run.validation if plan.validation is not None else None
        for first, count, call_plan in plan.calls():
            if first + count <= skip_steps:
                continue
            run.callbacks.on_train_batch_begin(first)
            results, first_invalid, validation_results = self._run_donating(
                steps, steps.train_epoch, run.train, order,
                (first, plan.scan_steps, validate), validation_data, plan=call_plan)
            if plan.halt_on_invalid_loss and int(first_invalid) >= 0:
                # TerminateOnNaN sees the batch whose loss went bad, as in Keras.
                run.callbacks.on_train_batch_end(int(first_invalid), self._logs(steps, results))
                break
            if plan.segment < plan.scan_steps:
                # As Keras, a short last segment still reports `segment` steps' index.
                last_batch = first + plan.segment - 1 + int(call_plan.exact_tail)
                run.callbacks.on_train_batch_end(last_batch, self._logs(steps, results))
            if self.stop_training:
                break
        else:  # every segment ran, so the last one validated (when due)
            if validate and validation_data is not None:
                validation_states, validation_results = validation_results
                self._keep_metric_states(steps, validation_states)
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
        (x, y, sample_weight), n = data_utils.labelled_arrays("fit", x, y, sample_weight)
        if check_finite:
            data_utils.check_finite("fit", x=x, y=y, sample_weight=sample_weight)
        validation = None
        if validation_data is not None:
            validation = self._unpack_validation(validation_data)
        elif validation_split:
            (x, y, sample_weight), validation = data_utils.split_for_validation(
                (x, y, sample_weight), validation_split)
        if class_weight is not None:  # after the split: validation is not class-weighted
            sample_weight = class_weights_to_sample_weights(class_weight, y, sample_weight)
        return (x, y, sample_weight), validation

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

    def _evaluate_arrays(self, steps: StepFunctions, arrays: tuple, plan: EpochPlan,
                         prefix: str = "") -> dict[str, float]:
        self._place_weights(steps)
        trainable = [v.value for v in steps.trainable_variables]
        non_trainable = [v.value for v in steps.non_trainable_variables]
        states, results = steps.evaluate_data(trainable, non_trainable, arrays, plan=plan)
        self._keep_metric_states(steps, states)
        return self._logs(steps, results, prefix)

    def _keep_metric_states(self, steps: StepFunctions, states: list) -> None:
        """Leave the metric objects holding `states`, as Keras's hold those of the last
        training epoch or evaluation (`get_metrics_result`, `metric.result()`). Copies: the
        compiled programs donate the arrays they are given."""
        for metric, state in zip(steps.metrics, states):
            if metric.variables:
                metric._assign_state(jax.tree_util.tree_map(jnp.copy, state))
        self._training_states_last = False

    # -- evaluate / predict ------------------------------------------------------------
    @_one_at_a_time
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: Any = None,
                 callbacks: Any = None, return_dict: bool = False, **kwargs: Any):
        """Loss and metrics on the given data: a list `[loss, *metrics]`, a scalar, or a dict."""
        self._assert_compiled("evaluate")
        x = host_prefix.prepare(self, x)
        verbose = _check_verbose(verbose)
        batch_size = data_utils.check_batch_size("evaluate", batch_size)
        if uses_custom_steps(self) or is_stream(x) or steps is not None:
            self._refuse_in_cluster("evaluate", "data given batch by batch or custom steps")
        if uses_custom_steps(self):
            logs = custom_fit.evaluate(self, x, y, batch_size, verbose, sample_weight, steps,
                                       callbacks)
            return logs if return_dict else _evaluate_list(logs)
        if is_stream(x) or steps is not None:
            logs = streamed.evaluate(self, x, y, batch_size, verbose, sample_weight, steps,
                                     callbacks)
            return logs if return_dict else _evaluate_result(logs, self._steps)
        if y is None:
            raise ValueError("evaluate: `y` is required.")
        (x, y, sample_weight), n = data_utils.labelled_arrays(
            "evaluate", x, y, sample_weight)
        data_utils.check_finite("evaluate", x=x, y=y, sample_weight=sample_weight)
        functions = self._step_functions(x, y, "evaluate")
        data, rows, batch_size = self._put_data(functions, "evaluate", (x, y, sample_weight),
                                                batch_size)
        callback_list = CallbackList(
            callbacks, model=self, add_progbar=verbose != 0, verbose=verbose,
            params={"verbose": verbose, "steps": math.ceil(rows / min(batch_size, rows))})
        callback_list.on_test_begin()
        if callback_hooks.wants_hooks(callback_list, "test"):
            logs = self._logs(functions, callback_hooks.evaluate_batch_by_batch(
                functions, data, rows, batch_size,
                callback_list, lambda values: self._logs(functions, values)))
        else:
            logs = self._evaluate_arrays(
                functions, data, EpochPlan.for_rows(rows, batch_size, functions.pads_last_batch))
        callback_list.on_test_end(logs)
        return logs if return_dict else _evaluate_result(logs, functions)

    @_one_at_a_time
    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: Any = None, callbacks: Any = None) -> np.ndarray:
        """Outputs for the inputs `x`, as a numpy array, computed batch by batch."""
        verbose = _check_verbose(verbose)
        batch_size = data_utils.check_batch_size("predict", batch_size)
        if uses_custom_steps(self) or is_stream(x) or steps is not None:
            self._refuse_in_cluster("predict", "data given batch by batch or custom steps")
        x = host_prefix.prepare(self, x)
        if uses_custom_steps(self):
            return custom_fit.predict(self, x, batch_size, verbose, steps, callbacks)
        if is_stream(x) or steps is not None:
            return streamed.predict(self, x, batch_size, verbose, steps, callbacks)
        x = data_utils.to_arrays(x, "x", "predict")
        self._ensure_built(x)
        n = data_utils.num_samples(x)
        functions = self._inference_functions()
        own_rows = None
        if functions.placement is not None:  # every process predicts all rows, keeps its own
            x, own_rows = functions.placement.all_processes_rows(x)
            n, batch_size = functions.placement.global_batches(n, batch_size)
            functions.placement.check_batches("predict", n, batch_size)
            self._place_weights(functions)
        callback_list = CallbackList(callbacks, model=self, add_progbar=False,
                                     params={"verbose": verbose,
                                             "steps": math.ceil(n / batch_size)})
        progress = Progbar(math.ceil(n / batch_size), verbose=verbose) if verbose else None
        callback_list.on_predict_begin()
        if callback_hooks.wants_hooks(callback_list, "predict"):
            outputs = callback_hooks.predict_batch_by_batch(functions, x, n, batch_size,
                                                            callback_list)
        else:
            outputs = predict_in_blocks(functions, x, n, batch_size)
        callback_list.on_predict_end()
        if progress is not None:
            progress.update(progress.target, finalize=True)
        return outputs if own_rows is None else _map_arrays(lambda a: a[own_rows], outputs)

    def _structure_key(self) -> tuple:
        """Changes whenever the model's set of variables may have changed."""
        return tuple(id(v) for v in self.variables)

    def _inference_functions(self) -> StepFunctions:
        key = (self._structure_key(), id(self._active_distribution()))
        cached = getattr(self, "_inference_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        functions = StepFunctions(self, None, [], None, eager=self._without_jit(),
                                  placement=self._placement())
        self._inference_cache = (key, functions)
        return functions

    # -- one batch at a time -------------------------------------------------------------
    @_one_at_a_time
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False):
        """One optimizer step on one batch; returns the batch's loss and metrics."""
        self._assert_compiled("train_on_batch")
        self._refuse_in_cluster("train_on_batch", "one batch per call")
        x = host_prefix.prepare(self, x)
        (x, y, sample_weight), n = data_utils.labelled_arrays(
            "train_on_batch", x, y, sample_weight)
        if class_weight is not None:
            sample_weight = class_weights_to_sample_weights(class_weight, y, sample_weight)
        steps = self._step_functions(x, y, "train_on_batch")
        # Like Keras, each call reports the metrics of its own batch.
        batch = _put_on_device((x, y, sample_weight))
        with interrupts_deferred():
            state = steps.train_batch(self._read_state(steps)._replace(
                metrics=steps.initial_metric_states()), batch)
            self._write_state(steps, state)
        return self._batch_result(steps, steps.results(state.metrics), return_dict)

    @_one_at_a_time
    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False):
        self._assert_compiled("test_on_batch")
        self._refuse_in_cluster("test_on_batch", "one batch per call")
        x = host_prefix.prepare(self, x)
        (x, y, sample_weight), n = data_utils.labelled_arrays(
            "test_on_batch", x, y, sample_weight)
        steps = self._step_functions(x, y, "test_on_batch")
        metric_states = steps.test_batch(
            [v.value for v in steps.trainable_variables],
            [v.value for v in steps.non_trainable_variables],
            steps.initial_metric_states(), _put_on_device((x, y, sample_weight)))
        return self._batch_result(steps, steps.results(metric_states), return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        x = host_prefix.prepare(self, x)
        return self.predict(x, batch_size=data_utils.num_samples(
            data_utils.to_arrays(x, "x", "predict_on_batch")), verbose=0)

    def _batch_result(self, steps, results, return_dict):
        logs = self._logs(steps, results)
        if return_dict:
            return logs
        values = _values_in_keras_order(logs, steps)
        return values[0] if len(values) == 1 else values


class FitRun(NamedTuple):
    """What `fit` decided before its first epoch."""

    steps: StepFunctions
    train: tuple  # (x, y, sample_weight) on the device
    validation: tuple | None
    plan: EpochPlan
    validation_plan: EpochPlan | None
    callbacks: CallbackList
    epochs: int


def _evaluate_result(logs: dict[str, float], steps: StepFunctions) -> Any:
    """What `evaluate` returns without `return_dict`: one value alone, else the list."""
    values = _values_in_keras_order(logs, steps)
    return values[0] if len(values) == 1 else values


def _evaluate_list(logs: dict[str, float]) -> Any:
    """`evaluate`'s result for custom steps: Keras lists the logs in their order."""
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _values_in_keras_order(logs: dict[str, float], steps: StepFunctions) -> list[float]:
    """The list `evaluate` returns: Keras looks the logs up by each metric's own name, in
    compile order (a repeated name repeats its value), then appends the other logs sorted."""
    names = [getattr(metric, "keras_order_name", metric.name) for metric in steps.metrics]
    names[0] = "loss"
    values = [logs[name] for name in names if name in logs]
    return values + [logs[key] for key in sorted(logs) if key not in names]


def _flat_identifiers(metrics: Any) -> list:
    """Every metric identifier in compile's `metrics` (a list, or per output a dict/lists)."""
    if metrics is None:
        return []
    entries = metrics.values() if isinstance(metrics, dict) else metrics
    found = []
    for entry in entries:
        found.extend(entry if isinstance(entry, (list, tuple)) else [entry])
    return found


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
        if any(leaf.shape[1] != batch_size for leaf in jax.tree_util.tree_leaves(result)):
            # The model mixes rows (a concatenation over the batch axis): padding rows
            # would show in its outputs, so it runs batch by batch on the real rows.
            return _predict_batch_by_batch(functions, x, n, batch_size, trainable,
                                           non_trainable)
        # Reshaped in numpy: a device reshape would be one more dispatch (and compile).
        outputs.append(_map_arrays(
            lambda r: np.asarray(r).reshape((rows,) + r.shape[2:]), result))
        done += blocks
    if len(outputs) == 1:
        return _map_arrays(lambda r: r[:n], outputs[0])
    return jax.tree_util.tree_map(lambda *parts: np.concatenate(parts)[:n], *outputs)


def _predict_batch_by_batch(functions: StepFunctions, x: Any, n: int, batch_size: int,
                            trainable: list, non_trainable: list) -> Any:
    """Outputs of each batch of real rows, joined along the first axis as Keras joins them."""
    outputs = []
    for start in range(0, n, batch_size):
        block = _map_arrays(lambda a: np.asarray(a[start:start + batch_size])[None], x)
        result = functions.predict_blocks(trainable, non_trainable, block)
        outputs.append(_map_arrays(lambda r: np.asarray(r)[0], result))
    return jax.tree_util.tree_map(lambda *parts: np.concatenate(parts), *outputs)


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
    """verbose as 0, 1 or 2; always 0 outside process 0 of a cluster, which alone reports."""
    if verbose == "auto":
        verbose = 1
    elif verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(
            f"Invalid value for argument `verbose`. Expected 'auto', 0, 1 or 2. "
            f"Received: verbose={verbose!r}")
    return 0 if jax.process_index() != 0 else int(verbose)


def _check_count(method: str, argument: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"{method}: invalid value for argument `{argument}`. Expected an integer >= "
            f"{minimum}. Received: {argument}={value!r}")
    return int(value)
