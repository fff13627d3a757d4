"""The compiled heart of training: pure step and epoch functions over pytrees.

`StepFunctions` is made once per compiled model. It turns the model into
`forward(params, x, training) -> (y_pred, new_non_trainable, penalty)` by running the
model's ordinary `call` inside a `StatelessScope`, and builds on it the train step, the
evaluation step and the jitted functions that run a whole epoch as one `lax.scan` over
batches gathered on the device. Nothing here touches a `Variable` outside a scope, so
every function can be traced, differentiated and compiled.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from layerwise.models.cache import program_cache
from layerwise.engine import masking
from layerwise.engine.layer import added_losses, call_as_trainer
from layerwise.engine.variables import StatelessScope
from layerwise.metrics import MeanMetricWrapper
from layerwise.models.compile_losses import MultiOutputLoss, flat_outputs



class TrainState(NamedTuple):
    trainable: list
    non_trainable: list
    optimizer: list
    metrics: list  # one state dict per metric; the first is the loss tracker


class StepFunctions:
    """Pure functions of one compiled model.

    Args:
        model: the model; its variable lists are read once, here.
        loss: a Loss object `(y_true, y_pred, sample_weight) -> scalar`, or None.
        metrics: Metric objects; the first is the loss tracker (a Mean).
        optimizer: the optimizer (its `stateless_apply` is used), or None for inference.
        weighted_metrics: Metric objects that, unlike `metrics`, use the sample weights.
        placement: under a distribution, the layouts of the state and batches
            (distribution/placement.py); None on one device.
    """

    def __init__(self, model: Any, loss: Any, metrics: list, optimizer: Any,
                 weighted_metrics: list = (), eager: bool = False, placement: Any = None,
                 per_sample_loss: bool = True):
        self.model = model
        self.placement = placement
        self.loss = loss
        self.metrics = list(metrics) + list(weighted_metrics)
        self.first_weighted = len(metrics)
        # A multi-output loss reports each output's loss to the Means after the tracker.
        self.output_loss_count = len(getattr(loss, "log_names", ()))
        self.log_names = log_names(metrics[1:], list(weighted_metrics),
                                   self.output_loss_count)
        self.optimizer = optimizer
        self.trainable_variables = list(model.trainable_variables)
        self.non_trainable_variables = list(model.non_trainable_variables)
        self.regularized = [v for v in model.weights if v.regularizer is not None]
        self.layers = _all_layers(model)
        # Eager steps show the user's code each real batch, so the last one is not padded;
        # nor is it for a loss already averaged over the batch (padding would count in it).
        self.pads_last_batch = not eager and per_sample_loss and (
            getattr(loss, "reduction", "sum_over_batch_size") == "sum_over_batch_size"
            and not any(getattr(layer, "mixes_samples", False) for layer in self.layers))

        if eager:
            # compile(run_eagerly=True): every step runs op by op, so a `print` in a
            # layer's `call` prints values; for debugging, not speed.
            self.train_epoch, self.evaluate_data, self.predict_blocks, self.train_batch, \
                self.test_batch, self.results = (_without_jit(f) for f in (
                    self._train_epoch, self._evaluate_data, self._predict_blocks,
                    self._train_step, self._test_step, self._results))
            return
        # The whole-data programs are found by the model's description first (see
        # program_cache): a warm start or a same-shaped model skips tracing them.
        self.train_epoch = program_cache.CachedProgram(
            self._train_epoch, "train_epoch", self.fingerprint, static=("plan",),
            varying=("data", "order", "validation_data"), donated=("state",))
        self.evaluate_data = program_cache.CachedProgram(
            self._evaluate_data, "evaluate_data", self.fingerprint, static=("plan",),
            varying=("data",))
        self.predict_blocks = program_cache.CachedProgram(
            self._predict_blocks, "predict_blocks", self.fingerprint, varying=("blocks",))
        self.train_batch = jax.jit(self._train_step, donate_argnums=(0,))
        self.test_batch = jax.jit(self._test_step)
        self.results = jax.jit(self._results)

    def fingerprint(self) -> str | None:
        """The model's description for program_cache (computed once), or None."""
        if self.placement is not None:  # the cache's keys know nothing of layouts
            return None
        if not hasattr(self, "_fingerprint"):
            self._fingerprint = program_cache.model_fingerprint(
                self.model, self.layers, self.loss, self.metrics[:self.first_weighted],
                self.metrics[self.first_weighted:], self.optimizer)
        return self._fingerprint

    def _laid_out(self, how: str, tree: Any) -> Any:
        """`tree` pinned by the placement's method `how` under a distribution, else as is."""
        return tree if self.placement is None else getattr(self.placement, how)(tree)

    # -- the model as a pure function ----------------------------------------------------
    def forward(self, trainable: list, non_trainable: list, x: Any, training: bool):
        """Run the model on `x` with these weight values; return outputs, new state, penalty."""
        return self.forward_masked(trainable, non_trainable, x, training)[:3]

    def forward_masked(self, trainable: list, non_trainable: list, x: Any, training: bool):
        """`forward`, plus the mask of a single output (None without one): masked steps
        count in neither the loss nor the metrics, as in Keras."""
        mapping = list(zip(self.trainable_variables, trainable)) + list(
            zip(self.non_trainable_variables, non_trainable))
        penalties: list = []
        token = added_losses.set(penalties)
        try:
            with StatelessScope(mapping) as scope, masking.mask_scope():
                y_pred = call_as_trainer(self.model, x, training)
                output_mask = masking.mask_of(y_pred) if isinstance(y_pred, jax.Array) else None
                penalty = sum((v.regularizer(v.value) for v in self.regularized),
                              jnp.zeros((), jnp.float32))
                new_non_trainable = [scope.new_value(v) for v in self.non_trainable_variables]
        finally:
            added_losses.reset(token)
        penalty = penalty + sum(penalties, jnp.zeros((), jnp.float32))
        return y_pred, new_non_trainable, penalty, output_mask

    def _total_loss(self, y, y_pred, sample_weight, penalty, mask=None, padding=None):
        """The loss to minimise, and each output's own loss (multi-output models only).

        With an output mask on a padded batch, `padding` is (row mask, the user's sample
        weight): the padding rows leave the mask instead, since Keras averages a masked
        loss over the unmasked steps.
        """
        data_loss, output_losses = jnp.zeros((), jnp.float32), []
        if padding is not None and padding[1] is None and mask is None:
            sample_weight = _padding_weights_for(sample_weight, y_pred, self.loss)
        if self.output_loss_count:
            output_losses = self.loss.output_losses(y, y_pred, sample_weight=sample_weight)
            data_loss = self.loss.total(output_losses)
        elif self.loss is not None:
            if mask is not None and padding is not None:
                row_mask, sample_weight = padding
                mask = jnp.logical_and(mask, _with_step_mask(row_mask, mask) > 0)
            masked = {} if mask is None else {"mask": mask}
            if mask is not None and sample_weight is not None:
                # Per-row weights (the padded batch's) reach each step of the mask.
                sample_weight = _with_step_mask(sample_weight, jnp.ones(mask.shape))
            data_loss = self.loss(y, y_pred, sample_weight=sample_weight, **masked)
        return data_loss + penalty, output_losses

    def _update_metrics(self, metric_states, loss, y, y_pred, batch_size, row_mask=None,
                        sample_weight=None, output_losses=(), mask=None):
        tracker, *others = self.metrics
        states = [tracker.update(metric_states[0], loss, sample_weight=batch_size)]
        for index, value in enumerate(output_losses, start=1):
            states.append(self.metrics[index].update(metric_states[index], value,
                                                     sample_weight=batch_size))
        others = others[len(output_losses):]
        # As in Keras, `metrics` ignore sample weights (only `weighted_metrics` use them);
        # `row_mask` only hides the padding rows of a padded last batch.
        weights = _masked_weights(sample_weight, row_mask)
        first = 1 + len(output_losses)
        for index, (metric, state) in enumerate(zip(others, metric_states[first:]), start=first):
            weight = weights if index >= self.first_weighted else row_mask
            if mask is not None and isinstance(metric, MeanMetricWrapper):
                weight = _with_step_mask(weight, mask)
            states.append(metric.update(state, y, y_pred, sample_weight=weight))
        return states

    def _results(self, metric_states):
        return [metric.compute(state) for metric, state in zip(self.metrics, metric_states)]

    def initial_metric_states(self) -> list:
        return [metric.initial_state() for metric in self.metrics]

    # -- one batch -----------------------------------------------------------------------
    def _train_step(self, state: TrainState, batch: tuple) -> TrainState:
        return self._train_step_with_loss(state, batch)[0]

    def _train_step_with_loss(self, state: TrainState, batch: tuple, real_rows=None):
        """One optimizer step; returns the new state and the batch's loss.

        With `real_rows`, only the first `real_rows` rows of the batch are data and the
        rest is padding: the loss and metrics are those of the real rows alone.
        """
        x, y, sample_weight = self._laid_out("pin_batch", batch)
        batch_size = jax.tree_util.tree_leaves(x)[0].shape[0]
        row_mask, loss_weight = None, sample_weight
        if real_rows is not None:
            loss_weight, row_mask = _mask_padding(sample_weight, batch_size, real_rows)
            batch_size = real_rows

        def loss_of(trainable):
            y_pred, new_non_trainable, penalty, mask = self.forward_masked(
                trainable, state.non_trainable, x, True)
            loss, output_losses = self._total_loss(
                y, y_pred, loss_weight, penalty, mask,
                None if row_mask is None else (row_mask, sample_weight))
            # Differentiated: the loss times the optimizer's loss scale (mixed float16).
            scaled = self.optimizer.stateless_scale_loss(state.optimizer, loss)
            return scaled, (loss, y_pred, new_non_trainable, output_losses, mask)

        (_, (loss, y_pred, new_non_trainable, output_losses, mask)), grads = \
            jax.value_and_grad(loss_of, has_aux=True)(state.trainable)
        # The optimizer also applies the variables' constraints, as Keras's does.
        new_trainable, new_optimizer = self.optimizer.stateless_apply(
            state.optimizer, grads, state.trainable)
        # Keras 3.15 masks the loss in training but not the metrics (the mask does not
        # reach them in its train step; its test step does mask them).
        metric_states = self._update_metrics(state.metrics, loss, y, y_pred, batch_size, row_mask,
                                             sample_weight, output_losses)
        return self._laid_out("pin_state", TrainState(
            new_trainable, new_non_trainable, new_optimizer, metric_states)), loss

    def _test_step(self, trainable, non_trainable, metric_states, batch, real_rows=None):
        x, y, sample_weight = self._laid_out("pin_batch", batch)
        batch_size = jax.tree_util.tree_leaves(x)[0].shape[0]
        row_mask, loss_weight = None, sample_weight
        if real_rows is not None:
            loss_weight, row_mask = _mask_padding(sample_weight, batch_size, real_rows)
            batch_size = real_rows
        y_pred, _, penalty, mask = self.forward_masked(trainable, non_trainable, x, False)
        loss, output_losses = self._total_loss(
            y, y_pred, loss_weight, penalty, mask,
            None if row_mask is None else (row_mask, sample_weight))
        return self._update_metrics(metric_states, loss, y, y_pred, batch_size, row_mask,
                                    sample_weight, output_losses, mask)

    # -- whole epochs --------------------------------------------------------------------
    def _train_epoch(self, state, data, order, progress, validation_data, *, plan):
        """Run one call's steps of an epoch (see `EpochPlan`), then maybe validate.

        Args:
            state: the `TrainState` (donated: its buffers become the new state's).
            data: (x, y, sample_weight) on the device; `order` the epoch's row
                permutation when `plan.shuffled`.
            progress: (first step, stop step, validate): this call runs `plan.segment`
                steps from the first on; with `plan.guarded`, steps at or past the stop
                step are skipped, so one program serves every segment of an epoch.
            validation_data: evaluated with `plan.validation` after the epoch's last
                step when `validate` is true. In the same program as the training, the
                two compile together: ~0.15 s less than two programs.

        Returns:
            (state, training results, first invalid step or -1, validation results).
        """
        first_step, stop_step, validate = progress

        def step(state, index):
            if plan.padded_tail:
                batch, real_rows = self._padded_batch(data, order, index, plan)
                return self._train_step_with_loss(state, batch, real_rows)
            batch = _take_batch(data, order, index * plan.batch_size, plan.batch_size,
                                plan.shuffled)
            return self._train_step_with_loss(state, batch)

        def skip(state, _):
            return state, jnp.zeros((), jnp.float32)

        def body(carry, offset):
            state, first_invalid = carry
            index = first_step + offset
            if plan.guarded or plan.halt_on_invalid_loss:
                active = index < stop_step
                if plan.halt_on_invalid_loss:
                    active = active & (first_invalid < 0)
                state, loss = lax.cond(active, step, skip, state, index)
            else:
                active = True
                state, loss = step(state, index)
            if plan.halt_on_invalid_loss:
                first_invalid = jnp.where(active & ~jnp.isfinite(loss) & (first_invalid < 0),
                                          index, first_invalid)
            return (state, first_invalid), None

        # Metrics restart at the epoch's first step; zeros made here cost nothing per epoch,
        # while zeros made eagerly would be a handful of device calls every epoch.
        fresh = self.initial_metric_states()
        state = state._replace(metrics=jax.tree_util.tree_map(
            lambda zero, current: jnp.where(first_step == 0, zero, current),
            fresh, state.metrics))
        carry = (state, jnp.array(-1, jnp.int32))
        if plan.segment:
            carry, _ = lax.scan(body, carry, jnp.arange(plan.segment))
        state, first_invalid = carry
        if plan.exact_tail:
            tail = _take_tail(data, order, _num_samples(data) - plan.tail_rows, plan.shuffled)
            if plan.halt_on_invalid_loss:
                state, loss = lax.cond(first_invalid < 0, self._train_step_with_loss, skip,
                                       state, tail)
                first_invalid = jnp.where((first_invalid < 0) & ~jnp.isfinite(loss),
                                          stop_step, first_invalid)
            else:
                state, _ = self._train_step_with_loss(state, tail)
        validation_results = None
        if validation_data is not None:
            validation_results = self._validate_at_end(
                state, validation_data, validate & (first_step + plan.segment >= stop_step),
                plan.validation)
        # Pinned again at the end: XLA may otherwise pick other layouts for the outputs.
        state = self._laid_out("pin_state", state)
        return state, self._laid_out("pin_replicated", self._results(state.metrics)), \
            first_invalid, self._laid_out("pin_replicated", validation_results)

    def _validate_at_end(self, state, validation_data, due, plan):
        """Validation metric states and results if `due`, else fresh states and zeros."""
        def run(weights):
            return self._evaluate_data(*weights, validation_data, plan=plan)

        def skip(weights):  # results of the same structure, without tracing `run` again
            states = self.initial_metric_states()
            return states, jax.tree_util.tree_map(jnp.zeros_like, self._results(states))

        return lax.cond(due, run, skip, (state.trainable, state.non_trainable))

    def _evaluate_data(self, trainable, non_trainable, data, *, plan):
        """All batches of `data`: the plan's scan steps, then its exact tail if any."""
        metric_states = self.initial_metric_states()

        def body(states, index):
            if plan.padded_tail:
                batch, real_rows = self._padded_batch(data, None, index, plan)
                return self._test_step(trainable, non_trainable, states, batch, real_rows), None
            batch = _take_batch(data, None, index * plan.batch_size, plan.batch_size, False)
            return self._test_step(trainable, non_trainable, states, batch), None

        if plan.scan_steps:
            metric_states, _ = lax.scan(body, metric_states, jnp.arange(plan.scan_steps))
        if plan.exact_tail:
            tail = _take_tail(data, None, _num_samples(data) - plan.tail_rows, False)
            metric_states = self._test_step(trainable, non_trainable, metric_states, tail)
        return metric_states, self._laid_out("pin_replicated", self._results(metric_states))

    @staticmethod
    def _padded_batch(data, order, index, plan):
        """Batch `index` as a full batch; the partial last one is padded with other rows.

        Padding gives the last step the shape of every other step, so an epoch compiles
        one step function instead of two (about half the compile time). Returns the
        batch and its number of real rows.
        """
        n = _num_samples(data)
        rows = (index * plan.batch_size + jnp.arange(plan.batch_size)) % n
        if order is not None:
            rows = jnp.take(order, rows)
        batch = jax.tree_util.tree_map(lambda a: jnp.take(a, rows, axis=0), data)
        real_rows = jnp.where(index == n // plan.batch_size, plan.tail_rows, plan.batch_size)
        return batch, real_rows

    def _predict_blocks(self, trainable, non_trainable, blocks):
        """Predict a (blocks, batch, ...) array block by block; returns (blocks, batch, ...)."""
        def body(_, x):
            y_pred, _, _ = self.forward(trainable, non_trainable, self._laid_out("pin_batch", x),
                                        False)
            return None, self._laid_out("pin_replicated", y_pred)  # readable by every process

        _, outputs = lax.scan(body, None, blocks)
        return outputs


def log_names(metrics: list, weighted_metrics: list, output_losses: int = 0) -> list[str]:
    """The logs' names: "loss", the metrics', then the weighted metrics', as Keras names them.

    A repeated name gets "_1", "_2", ...; a weighted metric whose name is taken becomes
    "weighted_<name>" (then numbered if that is taken too). The first `output_losses`
    metrics are the outputs' losses: outputs of one layer share a name, and so do their
    losses' logs, the last one's value standing (as in Keras).
    """
    names = ["loss"] + [metric.name for metric in metrics[:output_losses]]
    metrics = metrics[output_losses:]
    counts: dict[str, int] = {name: 1 for name in names}

    def unique(name: str) -> str:
        if name not in counts:
            counts[name] = 1
            return name
        counts[name] += 1
        return f"{name}_{counts[name] - 1}"

    for metric in metrics:
        names.append(unique(metric.name))
    for metric in weighted_metrics:
        names.append(unique(metric.name) if metric.name not in counts
                     else unique(f"weighted_{metric.name}"))
    return names


def _without_jit(function):
    """`function` run with JAX's compilation off: loops and conditions run in Python."""
    def run(*args, **kwargs):
        with jax.disable_jit():
            return function(*args, **kwargs)

    return run


def _all_layers(layer) -> list:
    found = []
    for sublayer in layer._sublayers():
        found.append(sublayer)
        found.extend(_all_layers(sublayer))
    return found


def _mask_padding(sample_weight, batch_size: int, real_rows: int):
    """Loss weights and metric mask that ignore the padding rows of a padded batch.

    The loss is averaged over the whole padded batch, so the real rows are weighted
    batch_size / real_rows: their mean is then exactly the mean of the real batch.
    """
    row_mask = (jnp.arange(batch_size) < real_rows).astype(jnp.float32)
    loss_weight = row_mask * (batch_size / real_rows.astype(jnp.float32))
    if sample_weight is not None:  # per-output weights (a dict or list) each get the mask
        loss_weight = jax.tree_util.tree_map(
            lambda weight: loss_weight * weight.reshape((batch_size,) + (1,) * (weight.ndim - 1)),
            sample_weight)
    return loss_weight, row_mask


def _padding_weights_for(row_weights, y_pred, loss):
    """The padding's per-row weights shaped for each output's loss values.

    A loss reduces an output's last axis only, so a sequence output's values keep a step
    axis: the rows' weights get a unit axis for each such axis (one list entry per output
    of a multi-output model).
    """
    def shaped(prediction):
        return row_weights.reshape(row_weights.shape + (1,) * max(0, prediction.ndim - 2))

    if isinstance(y_pred, jax.Array):
        return shaped(y_pred)
    if isinstance(loss, MultiOutputLoss):
        return [shaped(p) for p in flat_outputs(y_pred, loss.names, "y_pred")]
    return row_weights


def _with_step_mask(weight, mask):
    """Metric weights times an output's step mask (Keras multiplies them, unnormalised)."""
    mask = mask.astype(jnp.float32)
    if weight is None:
        return mask
    weight = weight.reshape(weight.shape + (1,) * max(0, mask.ndim - weight.ndim))
    return weight * mask


def _masked_weights(sample_weight, row_mask):
    """Sample weights for weighted metrics, zero on the padding rows of a padded batch."""
    if sample_weight is None or row_mask is None:
        return row_mask if sample_weight is None else sample_weight
    return jax.tree_util.tree_map(lambda weight: weight * row_mask.reshape(
        row_mask.shape + (1,) * (weight.ndim - 1)).astype(weight.dtype), sample_weight)


def _num_samples(data: tuple) -> int:
    return jax.tree_util.tree_leaves(data[0])[0].shape[0]


def _take_batch(data, permutation, start, size, shuffled):
    if shuffled:
        indices = lax.dynamic_slice_in_dim(permutation, start, size)
        return jax.tree_util.tree_map(lambda a: jnp.take(a, indices, axis=0), data)
    return jax.tree_util.tree_map(lambda a: lax.dynamic_slice_in_dim(a, start, size), data)


def _take_tail(data, permutation, start, shuffled):
    if shuffled:
        indices = permutation[start:]
        return jax.tree_util.tree_map(lambda a: jnp.take(a, indices, axis=0), data)
    return jax.tree_util.tree_map(lambda a: a[start:], data)

