"""The compiled sweep: one epoch of every variant of a group, as one program.

The program is `StepFunctions._train_epoch` (the very epoch `Model.fit` compiles: a
`lax.scan` over batches, validation at the end) under `jax.vmap`: the weights, the
optimizer's and metrics' states, the epoch's row order and the hyperparameters carry a
leading variant axis; the data carries one only when variants train on different rows
(folds). A variant that has stopped (EarlyStopping) keeps its state through a select,
while the others go on in the same program.
"""
from __future__ import annotations

import contextlib
import math
import os
from typing import Any, Iterator

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.models.steps import StepFunctions, TrainState
from layerwise.sweep.structure import Field

# Memory a group may plan to use: this fraction of what the device has free.
_MEMORY_FRACTION = 0.5


@contextlib.contextmanager
def substituted(assignments: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Set `obj.<attribute> = value` for the duration of a trace, then restore it.

    The step reads hyperparameters (Adam's `beta_1`) as plain attributes while it is
    traced; putting traced per-variant values there makes them arguments of the compiled
    program instead of constants baked into it.
    """
    saved = [(obj, attribute, vars(obj)[attribute]) for obj, attribute, _ in assignments]
    try:
        for obj, attribute, value in assignments:
            object.__setattr__(obj, attribute, value)
        yield
    finally:
        for obj, attribute, value in saved:
            object.__setattr__(obj, attribute, value)


class SweepProgram:
    """The vmapped epoch of one group, built on the group's first model's step functions.

    Args:
        steps: the first model's `StepFunctions`; every variant of the group shares its
            structure, so its traced step serves them all.
        fields: the hyperparameters passed per variant, read from `template_owners`.
        template_owners: role -> object of the first model (see `structure.owners`).
        data_per_variant: whether the training data carry a variant axis (folds).
        validation_per_variant: whether the validation data carry one.
    """

    def __init__(self, steps: StepFunctions, fields: list[Field], template_owners: dict,
                 data_per_variant: bool, validation_per_variant: bool):
        self.steps = steps
        self.fields = list(fields)
        self.template_owners = template_owners
        self.data_axis = 0 if data_per_variant else None
        self.validation_axis = 0 if validation_per_variant else None
        self._jitted = jax.jit(self._train_epoch, static_argnames=("plan",),
                               donate_argnums=(0,))
        self._compiled: Any = None

    def prepare(self, arguments: tuple) -> list[Field]:
        """Trace and compile the epoch for these arguments (shapes suffice); returns the
        fields the traced step never read, and then compiles nothing.

        A field that is never read cannot be swept as an argument: its value is either
        irrelevant or held somewhere the step reads instead of the attribute (a loss's
        wrapped keyword arguments), and only a program of its own is sure to be right.

        Raises:
            TypeError: a field's value is needed as a Python value while tracing.
        """
        *dynamic, plan = arguments
        traced = self._jitted.trace(*dynamic, plan=plan)
        unread = self._unread_fields(traced.jaxpr.jaxpr, dynamic)
        if not unread:
            self._compiled = traced.lower().compile()
        return unread

    def train_epoch(self, *arguments: Any) -> tuple:
        """One epoch of every variant (the arguments of `_train_epoch`, `plan` excepted)."""
        return self._compiled(*arguments)

    def _unread_fields(self, jaxpr: Any, dynamic: list) -> list[Field]:
        read = {id(var) for equation in jaxpr.eqns for var in equation.invars}
        read |= {id(var) for var in jaxpr.outvars}
        state, active, hyperparameters = dynamic[:3]
        first = len(jax.tree_util.tree_leaves(state)) + 1
        labels = sorted(hyperparameters)  # the order a dict's leaves are flattened in
        offsets = {}
        for label in labels:
            offsets[label] = first
            first += len(jax.tree_util.tree_leaves(hyperparameters[label]))
        return [field for field in self.fields
                if id(jaxpr.invars[offsets[field.label()]]) not in read]

    def _assignments(self, hyperparameters: dict) -> list[tuple[Any, str, Any]]:
        assignments = []
        for field in self.fields:
            owner = self.template_owners[field.owner]
            value = hyperparameters[field.label()]
            if isinstance(vars(owner)[field.key], (list, tuple)):
                value = type(vars(owner)[field.key])(value[index]
                                                    for index in range(value.shape[0]))
            assignments.append((owner, field.key, value))
        return assignments

    def _train_epoch(self, state: TrainState, active: jax.Array, hyperparameters: dict,
                     data: tuple, order: Any, progress: tuple, validation_data: Any, *, plan):
        def one_variant(state, hyperparameters, data, order, validation_data):
            with substituted(self._assignments(hyperparameters)):
                return self.steps._train_epoch(state, data, order, progress, validation_data,
                                               plan=plan)

        axes = (0, 0, self.data_axis, None if order is None else 0, self.validation_axis)
        new_state, results, first_invalid, validation_results = jax.vmap(
            one_variant, in_axes=axes)(state, hyperparameters, data, order, validation_data)

        def keep_stopped(new, old):
            return jnp.where(active.reshape(active.shape + (1,) * (new.ndim - 1)), new, old)

        new_state = jax.tree_util.tree_map(keep_stopped, new_state, state)
        return new_state, results, first_invalid, validation_results

    def traces(self, arguments: tuple) -> bool:
        """Whether the epoch traces with its fields as arguments (nothing is compiled)."""
        *dynamic, plan = arguments
        try:
            jax.eval_shape(lambda *args: self._train_epoch(*args, plan=plan), *dynamic)
        except TypeError:  # JAX's concretization errors are TypeErrors
            return False
        return True


def stack(trees: list) -> Any:
    """Trees of equal structure as one tree of arrays with a leading axis, on the device.

    Stacked on the host: one transfer each way, where stacking on the device would
    compile a concatenation per shape.
    """
    host = jax.device_get(trees)
    return jax.device_put(jax.tree_util.tree_map(lambda *leaves: np.stack(leaves), *host))


def unstack(tree: Any, count: int) -> list:
    """`stack`'s inverse: `count` trees of device arrays."""
    host = jax.device_get(tree)
    return [jax.device_put(jax.tree_util.tree_map(lambda leaf: leaf[index], host))
            for index in range(count)]


def largest_group(steps: StepFunctions, state: TrainState, x_batch: Any,
                  data_bytes_per_variant: int, count: int) -> int:
    """How many variants fit on the device at once, estimated generously.

    Per variant: the state four times (in, out, gradients, optimizer temporaries), the
    forward pass's intermediate values three times (kept for the backward pass, and its
    gradients), and the variant's own data (folds). Half the free memory is planned for.
    """
    state_bytes = sum(leaf.nbytes for leaf in jax.tree_util.tree_leaves(state))
    per_variant = 4 * state_bytes + 3 * _forward_bytes(steps, state, x_batch) \
        + data_bytes_per_variant
    budget = int(available_memory() * _MEMORY_FRACTION)
    return max(1, min(count, budget // max(per_variant, 1)))


def _forward_bytes(steps: StepFunctions, state: TrainState, x_batch: Any) -> int:
    """Bytes of every intermediate value of one training forward pass on one batch."""
    def forward(trainable, non_trainable, x):
        return steps.forward(trainable, non_trainable, x, True)[0]

    spec = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype),
                                  (state.trainable, state.non_trainable, x_batch))
    jaxpr = jax.make_jaxpr(forward)(*spec)
    return sum(math.prod(var.aval.shape) * var.aval.dtype.itemsize
               for equation in jaxpr.eqns for var in equation.outvars
               if hasattr(var.aval, "shape"))


def available_memory() -> int:
    """Free bytes on the default device (the host's free memory on a CPU)."""
    stats = jax.devices()[0].memory_stats() or {}
    if "bytes_limit" in stats:
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 << 30
