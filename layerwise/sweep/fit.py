"""`sweep.fit`: train one model per variant, side by side, with `Model.fit`'s results.

Each variant's model is prepared by its own `Model` exactly as its `fit` would prepare
it (data checks, validation split, callbacks with a History, the epoch plan, the draws
from NumPy's stream), so its logs are the logs its own `fit` would give. Then the
variants of one group train together: one compiled program per epoch runs every
variant's epoch (see `engine.SweepProgram`), and each variant's callbacks see that
variant's logs, exactly when `Model.fit` would show them.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, NamedTuple

import jax
import numpy as np

from layerwise.models import data as data_utils
from layerwise.models.custom_steps import uses_custom_steps
from layerwise.models.steps import TrainState
from layerwise.models.class_weights import class_weights_to_sample_weights
from layerwise.models.trainer import FitRun, _check_count, _check_verbose, _put_on_device
from layerwise.random import set_random_seed
from layerwise.sweep import engine, structure, variants as variant_keys
from layerwise.sweep.progress import SweepProgress
from layerwise.sweep.result import SweepResult

# Model.fit's arguments that a sweep takes, with Model.fit's defaults.
_FIT_DEFAULTS = {
    "batch_size": None, "epochs": 1, "verbose": "auto", "callbacks": None,
    "validation_split": 0.0, "validation_data": None, "shuffle": True, "class_weight": None,
    "sample_weight": None, "initial_epoch": 0, "validation_batch_size": None,
    "validation_freq": 1, "check_finite": True,
}


class Prepared(NamedTuple):
    """One variant, ready to train."""

    model: Any
    run: FitRun
    rng: np.random.RandomState  # NumPy's stream as this variant's own fit would see it
    per_variant_data: bool  # trains on its own rows (a fold)
    per_variant_validation: bool


def fit(build_model: Callable[[dict], Any], variants: Any, x: Any = None, y: Any = None, *,
        group_size: int | None = None, **fit_kwargs: Any) -> SweepResult:
    """Train the model `build_model(variant)` of every variant; returns a `SweepResult`.

    Args:
        build_model: called once per variant (a dict), in order; returns a compiled
            `Model`. Every model must share one structure (layers, weight shapes, loss,
            metrics, optimizer class); they may differ in any number: initial weights,
            the optimizer's hyperparameters, loss weights, dropout rates...
        variants: a sequence of dicts. The sweep itself reads "seed" (set with
            `set_random_seed` before `build_model`), "train_index" and
            "validation_index" (a fold: rows of `x`/`y`); see `layerwise.sweep.variants`.
        x, y: the data, as for `Model.fit`.
        group_size: how many variants train in one program; by default as many as the
            device's free memory allows (estimated).
        **fit_kwargs: `Model.fit`'s epochs, batch_size, verbose, callbacks (a list,
            copied for each variant, or a function of the variant returning its list),
            validation_split, validation_data, shuffle, class_weight, sample_weight,
            initial_epoch, validation_batch_size, validation_freq, check_finite.
    """
    options = _check_options(fit_kwargs)
    if not callable(build_model):
        raise TypeError("sweep.fit: `build_model` must be a function of a variant (a dict) "
                        f"returning a compiled Model. Received: {build_model!r}")
    variants = variant_keys.check_variants(variants)
    if group_size is not None:
        group_size = _check_count("sweep.fit", "group_size", group_size, minimum=1)
    verbose = _check_verbose(options["verbose"])
    epochs = _check_count("sweep.fit", "epochs", options["epochs"], minimum=0)
    data = _Data(x, y, options)
    prepared: list[Prepared] = []
    try:
        for index, variant in enumerate(variants):
            prepared.append(_prepare(index, variant, build_model, data, options))
            _check_new_model(prepared, index)
            # Checked as soon as built: a mismatch fails before the other models are made.
            structure.check_same_structure(prepared[0].model, prepared[0].run.steps,
                                           prepared[-1].model, prepared[-1].run.steps, index)
        models = [item.model for item in prepared]
        for item in prepared:
            _begin_training(item, options["initial_epoch"])
        groups, fields = _plan_groups(prepared, group_size)
        progress = SweepProgress(
            len(groups) * max(0, epochs - options["initial_epoch"]), verbose)
        for group in groups:
            _train_group([prepared[index] for index in group], group, fields, options,
                         progress)
        progress.close()
    finally:
        for item in prepared:
            item.model._in_fit = False
    return SweepResult(variants, models, [item.run.callbacks.history for item in prepared])


def _check_options(fit_kwargs: dict) -> dict:
    unknown = sorted(set(fit_kwargs) - set(_FIT_DEFAULTS))
    if unknown:
        raise TypeError(
            f"sweep.fit() got unexpected keyword argument(s) {unknown}. Expected Model.fit's "
            f"{sorted(_FIT_DEFAULTS)} (and `group_size`).")
    return {**_FIT_DEFAULTS, **fit_kwargs}


class _Data:
    """The sweep's data, checked once: on the host for folds, on the device for the rest."""

    def __init__(self, x: Any, y: Any, options: dict):
        if y is None:
            raise ValueError("sweep.fit: `y` is required.")
        (self.x, self.y, self.sample_weight), self.rows = data_utils.labelled_arrays(
            "sweep.fit", x, y, options["sample_weight"])
        if options["check_finite"]:
            data_utils.check_finite("sweep.fit", x=self.x, y=self.y,
                                    sample_weight=self.sample_weight)
        # Class weights weigh training rows only (not the validation rows of a fold).
        self.train_weight = self.sample_weight
        if options["class_weight"] is not None:
            self.train_weight = class_weights_to_sample_weights(
                options["class_weight"], self.y, self.sample_weight)
        self._on_device: tuple | None = None

    def on_device(self) -> tuple:
        if self._on_device is None:
            self._on_device = _put_on_device((self.x, self.y, self.train_weight))
        return self._on_device

    def rows_of(self, index: np.ndarray, weight: Any) -> tuple:
        def take(structure):
            return None if structure is None else jax.tree_util.tree_map(
                lambda a: np.asarray(a)[index], structure)

        return take(self.x), take(self.y), take(weight)


def _prepare(index: int, variant: dict, build_model: Callable, data: _Data,
             options: dict) -> Prepared:
    """Build one variant's model and let it prepare its fit, as `Model.fit` does."""
    if variant_keys.SEED in variant:
        set_random_seed(variant[variant_keys.SEED])
    tracked = variant_keys.TrackedVariant(variant)
    model = build_model(tracked)
    if not (hasattr(model, "_prepare_fit") and getattr(model, "compiled", False)):
        raise TypeError(
            f"sweep.fit: `build_model` must return a compiled Model. For variants[{index}] "
            f"it returned {model!r}" + (" (not compiled: call `model.compile(...)` in "
                                        "build_model)" if hasattr(model, "compile") else ""))
    variant_keys.check_unread(index, tracked)
    if uses_custom_steps(model):
        raise ValueError(
            f"sweep.fit: the model of variants[{index}] overrides a step or the loss "
            "(`train_step`, `test_step`, `predict_step` or `compute_loss`); a sweep runs "
            "Model.fit's own step, so such models are not supported. Train them one by one "
            "with their own `fit`.")
    train_index = variant_keys.row_index(variant, variant_keys.TRAIN_INDEX, index, data.rows)
    validation_index = variant_keys.row_index(variant, variant_keys.VALIDATION_INDEX, index,
                                              data.rows)
    train = data.on_device() if train_index is None else \
        data.rows_of(train_index, data.train_weight)
    validation_data = options["validation_data"]
    if validation_index is not None:
        if validation_data is not None:
            raise ValueError(
                f"sweep.fit: variants[{index}] has a 'validation_index', so `validation_data` "
                "must not be given too. Received both.")
        x_val, y_val, w_val = data.rows_of(validation_index, data.sample_weight)
        validation_data = (x_val, y_val) if w_val is None else (x_val, y_val, w_val)
    callbacks = options["callbacks"]
    callbacks = callbacks(dict(variant)) if callable(callbacks) else _copied(callbacks)
    run = model._prepare_fit(
        train[0], train[1], options["batch_size"], options["epochs"], 0, callbacks,
        options["validation_split"], validation_data, options["shuffle"], None, train[2],
        None, None, options["validation_batch_size"], False)
    if run.callbacks.wants_batch_hooks():
        raise ValueError(
            "sweep.fit runs each epoch of every variant as one program, so callbacks with "
            f"per-batch hooks are not supported. Received callbacks: {list(run.callbacks)}")
    # The draws this variant's own fit would make next are those of NumPy's global stream
    # now; the variant keeps a copy, so the next variant's building does not move it.
    rng = np.random.RandomState()
    rng.set_state(np.random.get_state())
    # A fold's validation rows are its own too when split off its training rows.
    own_rows = train_index is not None
    return Prepared(model, run, rng, own_rows, own_rows or validation_index is not None)


def _check_new_model(prepared: list[Prepared], index: int) -> None:
    for earlier, item in enumerate(prepared[:-1]):
        if item.model is prepared[-1].model:
            raise ValueError(
                f"sweep.fit: `build_model` returned the same Model object for variants"
                f"[{earlier}] and variants[{index}]; each variant needs a model of its own "
                "(build a new one on every call).")


def _begin_training(item: Prepared, initial_epoch: int) -> None:
    """`on_train_begin`, as the variant's fit runs it."""
    first_epoch, skip_steps = item.model._begin_training(item.run.callbacks, initial_epoch)
    if (first_epoch, skip_steps) != (initial_epoch, 0):
        raise ValueError("sweep.fit: resuming a variant mid-way (BackupAndRestore) is not "
                         "supported; pass `initial_epoch` instead.")


def _copied(callbacks: Any) -> Any:
    """Each variant's own copy of the callbacks; a model a callback still holds from an
    earlier fit is not copied (the variant's fit sets its own)."""
    if callbacks is None:
        return None
    held = {id(getattr(callback, "model", None)): None for callback in callbacks
            if getattr(callback, "model", None) is not None}
    return copy.deepcopy(list(callbacks), memo=held)


def _plan_groups(prepared: list[Prepared],
                 group_size: int | None) -> tuple[list[list[int]], list[structure.Field]]:
    """Variants that can share one program, in groups no larger than memory allows; and
    the hyperparameters passed to the programs per variant."""
    found = [structure.owners(item.model, item.run.steps) for item in prepared]
    traceable, static = structure.differing_fields(found)
    by_key: dict[tuple, list[int]] = {}
    for index, item in enumerate(prepared):
        key = (item.run.plan, item.run.validation_plan, item.per_variant_data,
               item.per_variant_validation, structure.optimizer_slots(item.model),
               structure.static_key(static, found[index]))
        by_key.setdefault(key, []).append(index)
    groups = []
    for members in by_key.values():
        size = group_size or _group_size_for(prepared[members[0]], len(members))
        groups.extend(members[start:start + size] for start in range(0, len(members), size))
    return groups, traceable


def _group_size_for(item: Prepared, count: int) -> int:
    run = item.run
    state = item.model._read_state(run.steps)
    x_batch = jax.tree_util.tree_map(lambda a: a[:run.plan.batch_size], run.train[0])
    data_bytes = 0
    if item.per_variant_data:
        data_bytes = sum(leaf.nbytes for leaf in jax.tree_util.tree_leaves(run.train))
    return engine.largest_group(run.steps, state, x_batch, data_bytes, count)


def _train_group(group: list[Prepared], indices: list[int], fields: list[structure.Field],
                 options: dict, progress: SweepProgress) -> None:
    """Train one group's variants to the end: one compiled call per epoch for them all."""
    owners = [structure.owners(item.model, item.run.steps) for item in group]
    inputs = _GroupInputs(group, fields, owners)
    program = _program(group, fields, owners)
    try:
        static = program.prepare(inputs.abstract(fields))
    except TypeError:
        # A number needed as a Python value while tracing (`if rate == 0`).
        static = [field for field in fields if not _program(group, [field], owners).traces(
            inputs.abstract([field]))]
        if not static:
            raise
    if static:
        # Those numbers become static: the variants differing in them train separately.
        kept = [field for field in fields if field not in static]
        parts = _split_on(group, indices, static, owners)
        progress.add_epochs((len(parts) - 1) * max(0, group[0].run.epochs
                                                   - options["initial_epoch"]))
        for part, part_indices in parts:
            _train_group(part, part_indices, kept, options, progress)
        return
    _run_epochs(group, indices, program, inputs, options, progress)


def _program(group: list[Prepared], fields: list, owners: list) -> engine.SweepProgram:
    template = group[0]
    return engine.SweepProgram(template.run.steps, fields, owners[0],
                               template.per_variant_data, template.per_variant_validation)


def _split_on(group, indices, fields, owners) -> list[tuple[list, list]]:
    parts: dict[tuple, tuple[list, list]] = {}
    for item, index, found in zip(group, indices, owners):
        part = parts.setdefault(structure.static_key(fields, found), ([], []))
        part[0].append(item)
        part[1].append(index)
    return list(parts.values())


class _GroupInputs:
    """The stacked arguments of a group's program that stay fixed over its epochs."""

    def __init__(self, group: list[Prepared], fields: list, owners: list):
        self.group = group
        self.hyperparameters = jax.device_put(
            {field.label(): structure.attribute_values(field, owners) for field in fields})
        runs = [item.run for item in group]
        self.data = engine.stack([run.train for run in runs]) \
            if group[0].per_variant_data else runs[0].train
        self.validation = runs[0].validation
        if group[0].per_variant_validation:
            self.validation = engine.stack([run.validation for run in runs])

    def state(self) -> TrainState:
        return engine.stack([item.model._read_state(item.run.steps) for item in self.group])

    def abstract(self, fields: list) -> tuple:
        """Shapes of the program's arguments with only `fields` passed per variant."""
        def spec(tree):
            return jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype),
                                          tree)

        template = self.group[0].run
        count = len(self.group)
        one_state = self.group[0].model._read_state(template.steps)
        state = jax.tree_util.tree_map(
            lambda a: jax.ShapeDtypeStruct((count,) + a.shape, a.dtype), one_state)
        hyperparameters = {field.label(): spec(self.hyperparameters[field.label()])
                           for field in fields}
        rows = data_utils.num_samples(template.train[0])
        order = jax.ShapeDtypeStruct((count, rows), np.int32) if template.plan.shuffled \
            else None
        active = jax.ShapeDtypeStruct((count,), np.bool_)
        validation = spec(self.validation) if template.plan.validation is not None else None
        progress = (0, template.plan.scan_steps, True)
        return (state, active, hyperparameters, spec(self.data), order, progress,
                validation, template.plan)


def _run_epochs(group: list[Prepared], indices: list[int], program: engine.SweepProgram,
                inputs: _GroupInputs, options: dict, progress: SweepProgress) -> None:
    template = group[0].run
    plan = template.plan
    count = len(group)
    rows = data_utils.num_samples(template.train[0])
    # Callbacks may read or change a model's weights between epochs, so with any besides
    # the History each model holds its weights after every epoch; without, only at the end.
    synced = any(len(list(item.run.callbacks)) > 1 for item in group)
    active = np.ones(count, bool)
    state = inputs.state()
    last_logs: list[dict] = [{} for _ in group]
    validation_freq = options["validation_freq"]
    for epoch in range(options["initial_epoch"], template.epochs):
        if not active.any():
            break
        if synced and epoch > options["initial_epoch"]:
            state = inputs.state()
        for item, live in zip(group, active):
            if live:
                item.run.callbacks.on_epoch_begin(epoch)
        validate = template.validation is not None and (epoch + 1) % validation_freq == 0
        order = None
        if plan.shuffled:
            order = np.stack([item.rng.permutation(rows).astype(np.int32) if live
                              else np.arange(rows, dtype=np.int32)
                              for item, live in zip(group, active)])
        state, results, first_invalid, validation_output = program.train_epoch(
            state, jax.device_put(active), inputs.hyperparameters, inputs.data, order,
            (0, plan.scan_steps, validate),
            inputs.validation if plan.validation is not None else None)
        # The epoch gives validation as (metric states, results); the logs need the results.
        validation_results = None if validation_output is None else validation_output[1]
        if synced:
            _write_back(group, state, active)
        host = jax.device_get((results, first_invalid,
                               validation_results if validate else None))
        shown = {}
        for position, item in enumerate(group):
            if not active[position]:
                continue
            logs = _epoch_logs(item, epoch, validate, host, position)
            last_logs[position] = logs
            shown[indices[position]] = logs
            if item.model.stop_training:
                active[position] = False
        progress.epoch_done(epoch, template.epochs, shown)
    _write_back(group, state, np.ones(count, bool))
    for item, logs in zip(group, last_logs):
        item.model._in_fit = False
        item.model._end_training(item.run.callbacks, item.run.epochs, logs)


def _epoch_logs(item: Prepared, epoch: int, validate: bool, host: tuple, position: int):
    """One variant's end of epoch, as `Model.fit` runs it: logs, validation hooks, callbacks."""
    model, run = item.model, item.run
    results, first_invalid, validation_results = host
    own_results = [value[position] for value in results]
    logs, validation_logs = model._logs(run.steps, own_results), None
    halted = run.plan.halt_on_invalid_loss and int(first_invalid[position]) >= 0
    if halted:
        run.callbacks.on_train_batch_end(int(first_invalid[position]), logs)
    elif validate and run.plan.validation is not None:
        validation_logs = model._logs(run.steps, [value[position]
                                                  for value in validation_results],
                                      prefix="val_")
    if validate:
        validation_logs = model._validation_hooks(run, validation_logs)
    logs = dict(sorted({**logs, **(validation_logs or {})}.items()))
    run.callbacks.on_epoch_end(epoch, dict(logs))
    return logs


def _write_back(group: list[Prepared], state: TrainState, which: np.ndarray) -> None:
    for item, own, wanted in zip(group, engine.unstack(state, len(group)), which):
        if wanted:
            item.model._write_state(item.run.steps, TrainState(*own))
