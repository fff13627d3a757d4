"""The Optimizer base class: Keras's stateful API over one pure, jittable update.

An optimizer owns `Variable`s in exactly Keras's order (`iteration`, `learning_rate`,
then its slots), so `.keras` files line up index by index. The training engine never
calls the stateful methods per step: it reads `optimizer.variables` once and calls
`stateless_apply(optimizer_values, grads, trainable_values)` inside its compiled step.
That function unpacks the flat values into an optax state, runs the subclass's optax
transformation and packs the new state back; `apply` / `apply_gradients` are the same
function applied to the variables' current values.

A subclass provides `build` (creating slots with `add_optimizer_variables`, as in Keras),
`_transform(learning_rate)` (an optax transformation), `_pack_state` / `_unpack_state`
(Keras slot values <-> that transformation's state) and `get_config`.
"""
from __future__ import annotations

import difflib
import inspect
import math
import numbers
import re
import warnings
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from layerwise import schedules
from layerwise.engine import naming
from layerwise.engine.registry import get_registered_object
from layerwise.engine.variables import Variable, to_device
from layerwise.optimizers import transforms

__all__ = ["Optimizer"]


class _Default(float):
    """A default learning rate that knows it was not passed, so a legacy `lr=` may replace it."""


class _NotSettableError(TypeError, ValueError):
    """Keras raises TypeError here; ValueError is what the rest of our argument checks raise."""


def _is_real_scalar(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Real):
        return True
    return getattr(value, "shape", None) == () and np.dtype(getattr(value, "dtype", object)).kind in "fiu"


def _learning_rate_float(value: Any) -> float:
    """A constant learning rate as a Python float: finite, >= 0; ints are accepted."""
    if not _is_real_scalar(value) or not math.isfinite(float(value)) or float(value) < 0:
        raise ValueError(
            "Invalid value for argument `learning_rate`. Expected a non-negative float, a "
            "LearningRateSchedule, or a callable that takes no arguments and returns the "
            f"learning rate. Received: learning_rate={value!r}"
        )
    return float(value)


def _check_optional_number(argument: str, value: Any) -> None:
    if value is None:
        return
    if not _is_real_scalar(value) or float(value) < 0:
        raise ValueError(
            f"Invalid value for argument `{argument}`. Expected None or a non-negative float. "
            f"Received: {argument}={value!r}"
        )


def _user_stacklevel() -> int:
    """The `stacklevel` that makes a warning point at the first caller outside this package."""
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("layerwise.optimizers"):
        frame, level = frame.f_back, level + 1
    return level


def _check_common_arguments(
    weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
    ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps,
) -> None:
    """Reject the values of the shared arguments that Keras rejects (and negative numbers)."""
    for argument, value in [
        ("weight_decay", weight_decay),
        ("clipnorm", clipnorm),
        ("clipvalue", clipvalue),
        ("global_clipnorm", global_clipnorm),
    ]:
        _check_optional_number(argument, value)
    if sum(value is not None for value in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
            f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
            f"global_clipnorm={global_clipnorm}"
        )
    if loss_scale_factor is not None and (
        not _is_real_scalar(loss_scale_factor) or float(loss_scale_factor) <= 0
    ):
        raise ValueError(
            "Invalid value for argument `loss_scale_factor`. Expected None or a positive "
            f"float. Received: loss_scale_factor={loss_scale_factor!r}"
        )
    if gradient_accumulation_steps and (
        not isinstance(gradient_accumulation_steps, numbers.Integral)
        or gradient_accumulation_steps < 2
    ):
        raise ValueError(
            "`gradient_accumulation_steps` must be an integer >= 2. "
            f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
        )
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(
                f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}"
            )
        if ema_overwrite_frequency and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
        ):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
            )


def _initial_value(initializer: Any, shape: tuple, dtype: Any) -> jax.Array:
    if isinstance(initializer, str):
        constants = {"zeros": 0.0, "ones": 1.0}
        if initializer not in constants:
            raise ValueError(
                f"Invalid value for argument `initializer`. Expected one of {sorted(constants)}, "
                f"a number or a callable `(shape, dtype) -> array`. Received: initializer={initializer!r}"
            )
        initializer = constants[initializer]
    if callable(initializer):
        return to_device(initializer(shape, dtype=dtype), dtype)
    return to_device(np.full(shape, initializer, dtype))


class Optimizer:
    """Base class of every optimizer; holds the arguments all of them share.

    Args:
        learning_rate: a float, a `LearningRateSchedule` (called with the iteration count)
            or a callable taking no arguments. `lr` is accepted as a legacy alias.
        weight_decay: decoupled weight decay: before each update θ ← θ − θ·weight_decay·lr.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this joint L2 norm.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the average's momentum.
        ema_overwrite_frequency: every this many steps, overwrite the weights with the average.
        loss_scale_factor: gradients are divided by it (the loss is multiplied by `scale_loss`).
        gradient_accumulation_steps: update only every this many steps, with the mean gradient.
        name: the optimizer's name; "adam", "adam_1", ... by default.
    """

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ):
        learning_rate = self._resolve_legacy_arguments(learning_rate, kwargs)
        if not (isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate)):
            learning_rate = _learning_rate_float(learning_rate)
        _check_common_arguments(
            weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps,
        )

        self.name = name if name is not None else naming.unique_name(
            naming.to_snake_case(type(self).__name__)
        )
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False

        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._variable_index: dict[int, int] = {}
        # Slot name -> one Variable per trainable variable (or a single Variable for scalars).
        self._slots: dict[str, list[Variable] | Variable] = {}
        self._exclude_from_weight_decay_ids: set[int] = set()
        self._exclude_from_weight_decay_pattern: re.Pattern | None = None

        self._iterations = self.add_variable((), initializer=0, dtype="int32", name="iteration")
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            self._learning_rate = self.add_variable((), initializer=learning_rate, name="learning_rate")

    def _resolve_legacy_arguments(self, learning_rate: Any, kwargs: dict) -> Any:
        """Accept Keras 2's `lr=` (an alias) and `decay=` (ignored, as Keras 3 does)."""
        if "lr" in kwargs:
            legacy = kwargs.pop("lr")
            if not isinstance(learning_rate, _Default):
                raise ValueError(
                    "Arguments `lr` and `learning_rate` were both given; `lr` is the legacy "
                    f"name of `learning_rate`, pass only one. Received: lr={legacy!r}, "
                    f"learning_rate={learning_rate!r}"
                )
            warnings.warn(
                "The `lr` argument is deprecated, use `learning_rate` instead.",
                stacklevel=_user_stacklevel(),
            )
            learning_rate = legacy
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.",
                stacklevel=_user_stacklevel(),
            )
        if kwargs:
            known = [p for cls in type(self).__mro__ if "__init__" in vars(cls)
                     for p in inspect.signature(cls.__init__).parameters if p not in ("self", "kwargs")]
            hints = [
                f"`{key}` (did you mean `{close[0]}`?)" if close else f"`{key}`"
                for key in kwargs
                for close in [difflib.get_close_matches(key, known, n=1)]
            ]
            raise ValueError(f"Argument(s) not recognized: {kwargs}. Unknown: {', '.join(hints)}")
        if isinstance(learning_rate, _Default):
            return float(learning_rate)
        return learning_rate

    # -- variables -----------------------------------------------------------------------
    def add_variable(
        self,
        shape: tuple = (),
        initializer: Any = "zeros",
        dtype: Any = "float32",
        name: str | None = None,
    ) -> Variable:
        """Create an optimizer Variable, tracked at the end of `variables`."""
        name = name if name is not None else naming.unique_name("variable")
        value = _initial_value(initializer, tuple(shape), jnp.dtype(dtype))
        variable = Variable(value, dtype=dtype, trainable=False, name=name)
        variable.path = f"{self.name}/{name}"
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(
        self, reference_variable: Variable, name: str | None = None, initializer: Any = "zeros"
    ) -> Variable:
        """A slot shaped like `reference_variable`, named "<its path with _>_<name>"."""
        prefix = getattr(reference_variable, "path", None) or reference_variable.name
        full_name = f"{prefix.replace('/', '_').replace(':', '_')}_{name or 'var'}"
        slot = self.add_variable(
            reference_variable.shape, initializer, reference_variable.dtype, full_name
        )
        slot.slot_of = reference_variable  # under a distribution, laid out as its variable
        return slot

    def add_optimizer_variables(
        self, trainable_variables: Sequence[Variable], name: str | Sequence[str], initializer: Any = "zeros"
    ) -> list[Variable] | tuple[list[Variable], ...]:
        """One slot per variable for each name, interleaved per variable as Keras saves them.

        Returns a list for a single name, a tuple of lists for several.
        """
        names = [name] if isinstance(name, str) else list(name)
        slots: tuple[list[Variable], ...] = tuple([] for _ in names)
        for variable in trainable_variables:
            for slot_name, slot_list in zip(names, slots):
                slot_list.append(self.add_variable_from_reference(variable, slot_name, initializer))
        for slot_name, slot_list in zip(names, slots):
            self._slots[slot_name] = slot_list
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables: Sequence[Variable]) -> None:
        """Create the slots for `variables` (idempotent). Subclasses add theirs after this."""
        if self.built:
            return
        self._trainable_variables = list(variables)
        self._variable_index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        if self.use_ema:
            self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self.add_optimizer_variables(variables, "gradient_accumulator")
        self.built = True

    @property
    def variables(self) -> list[Variable]:
        """Every optimizer Variable, in Keras's saved order."""
        return self._variables[:]

    @property
    def iterations(self) -> Variable | jax.Array:
        """The step counter (counting optimizer updates, not batches, when accumulating)."""
        if self.gradient_accumulation_steps:
            return self._iterations.value // self.gradient_accumulation_steps
        return self._iterations

    # -- learning rate -------------------------------------------------------------------
    @property
    def learning_rate(self) -> Variable | jax.Array:
        """The learning-rate Variable, or the schedule's value at the current iteration."""
        return self._learning_rate_value(self._learning_rate, self._iterations.value)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, schedules.LearningRateSchedule) or callable(value):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, Variable):
            raise _NotSettableError(
                f"Optimizer '{self.name}' was created with a "
                f"{'LearningRateSchedule' if isinstance(self._learning_rate, schedules.LearningRateSchedule) else 'callable'}"
                " as its `learning_rate`, hence its learning rate is not settable. Create it with "
                f"a float `learning_rate` to set it later. Received: learning_rate={value!r}"
            )
        self._learning_rate.assign(_learning_rate_float(value))

    @staticmethod
    def _learning_rate_value(learning_rate: Any, iteration: jax.Array) -> Any:
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            return learning_rate(iteration)
        if isinstance(learning_rate, Variable):
            return learning_rate
        return learning_rate()

    # -- the pure update -----------------------------------------------------------------
    def _transform(self, learning_rate: jax.Array) -> optax.GradientTransformation:
        """The optax transformation of this optimizer's update rule (clipping and decay excluded)."""
        raise NotImplementedError(f"Optimizer '{type(self).__name__}' must implement `_transform`.")

    def _pack_state(self, slots: dict[str, Any], step: jax.Array) -> Any:
        """Keras slot values (slot name -> list of arrays) to `_transform`'s optax state."""
        raise NotImplementedError(f"Optimizer '{type(self).__name__}' must implement `_pack_state`.")

    def _unpack_state(self, state: Any) -> dict[str, Any]:
        """`_transform`'s optax state back to slot name -> list of arrays."""
        raise NotImplementedError(f"Optimizer '{type(self).__name__}' must implement `_unpack_state`.")

    def stateless_apply(
        self,
        optimizer_variables: Sequence[jax.Array],
        grads: Sequence[jax.Array | None],
        trainable_variables: Sequence[jax.Array],
    ) -> tuple[list[jax.Array], list[jax.Array]]:
        """One optimizer step as a pure function of arrays; safe to call under `jax.jit`.

        Args:
            optimizer_variables: values of `self.variables`, in that order.
            grads: one gradient per trainable variable the optimizer was built with; a None
                gradient leaves its variable (and its slots) unchanged.
            trainable_variables: the current values of those trainable variables.

        Returns:
            `(new_trainable_values, new_optimizer_values)`, in the same orders.
        """
        self._check_stateless_arguments(optimizer_variables, grads, trainable_variables)
        values = {id(v): value for v, value in zip(self._variables, optimizer_variables)}
        iteration = values[id(self._iterations)]
        if isinstance(self._learning_rate, Variable):
            learning_rate = values[id(self._learning_rate)]
        else:
            learning_rate = self._learning_rate_value(self._learning_rate, iteration)
        learning_rate = jnp.asarray(learning_rate, jnp.float32)
        params = [jnp.asarray(p) for p in trainable_variables]
        has_gradient = [g is not None for g in grads]
        grads = [
            jnp.asarray(g, p.dtype) if g is not None else jnp.zeros_like(p)
            for g, p in zip(grads, params)
        ]
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        slots = {
            name: [values[id(v)] for v in slot] if isinstance(slot, list) else values[id(slot)]
            for name, slot in self._slots.items()
        }

        # Keras's `iterations` counts updates, not batches, when gradients are accumulated.
        steps = self.gradient_accumulation_steps
        step = iteration // steps if steps else iteration
        if steps:
            is_update_step = (iteration + 1) % steps == 0
            accumulated = slots["gradient_accumulator"]
            update_grads = [jnp.where(is_update_step, (g + a) / steps, g) for g, a in zip(grads, accumulated)]
            new_params, new_slots = self._update(update_grads, params, slots, step, learning_rate)
            new_params = [jnp.where(is_update_step, new, old) for new, old in zip(new_params, params)]
            new_slots = jax.tree.map(lambda new, old: jnp.where(is_update_step, new, old), new_slots, slots)
            new_slots["gradient_accumulator"] = [
                jnp.where(is_update_step, jnp.zeros_like(a), g + a) for g, a in zip(grads, accumulated)
            ]
        else:
            new_params, new_slots = self._update(grads, params, slots, step, learning_rate)

        # Keras drops variables without a gradient before updating anything.
        for i, present in enumerate(has_gradient):
            if not present:
                new_params[i] = params[i]
                self._keep_slots_of(i, new_slots, slots)

        if self.use_ema:
            new_params, new_slots["average"] = self._moving_average(new_params, slots["average"], step)
        for i, variable in enumerate(self._trainable_variables):
            if has_gradient[i] and getattr(variable, "constraint", None) is not None:
                new_params[i] = variable.constraint(new_params[i])

        new_values = dict(values)
        new_values[id(self._iterations)] = iteration + 1
        for name, slot in self._slots.items():
            if isinstance(slot, list):
                new_values.update({id(v): value for v, value in zip(slot, new_slots[name])})
            else:
                new_values[id(slot)] = new_slots[name]
        new_optimizer_values = [
            jnp.asarray(new_values[id(v)], v.dtype) for v in self._variables
        ]
        return new_params, new_optimizer_values

    def _update(
        self, grads: list, params: list, slots: dict, step: jax.Array, learning_rate: jax.Array
    ) -> tuple[list, dict]:
        """Clip, decay the weights, then run the update rule: Keras's order."""
        if self.clipnorm and self.clipnorm > 0:
            grads = transforms.clip_by_norm_per_variable(grads, self.clipnorm)
        elif self.global_clipnorm and self.global_clipnorm > 0:
            grads = transforms.clip_by_global_norm(grads, self.global_clipnorm)
        elif self.clipvalue and self.clipvalue > 0:
            grads = transforms.clip_by_value(grads, self.clipvalue)
        params = self._decay_weights(params, learning_rate)
        updates, new_state = self._transform(learning_rate).update(
            grads, self._pack_state(slots, step), params
        )
        new_params = self._apply_updates(params, updates)
        return list(new_params), {**slots, **self._unpack_state(new_state)}

    def _keep_slots_of(self, index: int, new_slots: dict, slots: dict) -> None:
        """Give variable `index` its old slot values back (it had no gradient)."""
        for name, slot in new_slots.items():
            if isinstance(slot, list):
                slot[index] = slots[name][index]

    def _decay_weights(self, params: list, learning_rate: jax.Array) -> list:
        """Decoupled weight decay, before the update rule (see `transforms.decay_weights`)."""
        if self.weight_decay is None:
            return params
        return transforms.decay_weights(
            params, self.weight_decay, learning_rate, self._weight_decay_mask()
        )

    def _apply_updates(self, params: list, updates: list) -> list:
        """The variables after `_transform`'s updates (added to them, as optax does)."""
        return optax.apply_updates(params, updates)

    def _moving_average(self, params: list, averages: list, step: jax.Array) -> tuple[list, list]:
        # The first step copies the weights; Keras starts the momentum at the second.
        momentum = (step != 0).astype(jnp.float32) * self.ema_momentum
        averages = [momentum * a + (1 - momentum) * p for p, a in zip(params, averages)]
        if self.ema_overwrite_frequency:
            overwrite = (step + 1) % self.ema_overwrite_frequency == 0
            params = [jnp.where(overwrite, a, p) for p, a in zip(params, averages)]
        return params, averages

    def _check_stateless_arguments(self, optimizer_variables, grads, trainable_variables) -> None:
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {type(self).__name__} must be built (i.e. its "
                "variables must have been created). You can build it via "
                "`optimizer.build(trainable_variables)`."
            )
        if len(optimizer_variables) != len(self._variables):
            raise ValueError(
                "Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length "
                f"{len(optimizer_variables)}, but expected {len(self._variables)} variables."
            )
        for argument, received in [("trainable_variables", trainable_variables), ("grads", grads)]:
            if len(received) != len(self._trainable_variables):
                raise ValueError(
                    f"Argument `{argument}` must correspond 1:1 to the trainable variables the "
                    f"optimizer was built with. Received a list of length {len(received)}, "
                    f"but the optimizer was built with {len(self._trainable_variables)} variables."
                )
        if all(g is None for g in grads):
            raise ValueError("No gradients provided for any variable.")

    # -- weight decay exclusions ---------------------------------------------------------
    def exclude_from_weight_decay(
        self, var_list: Sequence[Variable] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Exclude these variables, or variables whose name contains any of `var_names`."""
        self._exclude_from_weight_decay_ids = {id(v) for v in var_list or []}
        self._exclude_from_weight_decay_pattern = (
            re.compile("|".join(set(var_names))) if var_names else None
        )

    def _weight_decay_mask(self) -> list[bool]:
        pattern = self._exclude_from_weight_decay_pattern
        return [
            id(v) not in self._exclude_from_weight_decay_ids
            and not (pattern is not None and pattern.search(v.name))
            for v in self._trainable_variables
        ]

    # -- the stateful API ----------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Sequence[tuple[Any, Variable]]) -> Variable:
        """Update variables from (gradient, variable) pairs; returns `iterations`."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(list(grads), list(trainable_variables))
        return self._iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None) -> None:
        """Update `trainable_variables` (default: those the optimizer was built with) in place."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Expected one gradient per variable. Received {len(grads)} gradients for "
                f"{len(trainable_variables)} variables."
            )
        self.build(trainable_variables)
        # A call may update a subset of the variables; the others get no gradient.
        full_grads: list[Any] = [None] * len(self._trainable_variables)
        for grad, variable in zip(grads, trainable_variables):
            if id(variable) not in self._variable_index:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance."
                )
            full_grads[self._variable_index[id(variable)]] = grad
        new_params, new_values = self.stateless_apply(
            [v.value for v in self.variables],
            full_grads,
            [v.value for v in self._trainable_variables],
        )
        for variable, value in zip(self._trainable_variables, new_params):
            variable.assign(value)
        for variable, value in zip(self.variables, new_values):
            variable.assign(value)

    def scale_loss(self, loss: Any) -> Any:
        """Multiply the loss by `loss_scale_factor` (the gradients are divided back)."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def stateless_scale_loss(self, optimizer_variables: Sequence[jax.Array], loss: Any) -> Any:
        """`scale_loss` with the optimizer's state given as values (the compiled step's)."""
        return self.scale_loss(loss)

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        """With `use_ema`, overwrite the weights with their moving averages (end of fit)."""
        if not self.use_ema:
            return
        averages = self._slots.get("average", [])
        if len(var_list) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(var_list)}) to override does not match "
                f"the length of model variables stored in the optimizer ({len(averages)}). "
                "Please check if the optimizer was called on your model."
            )
        for variable, average in zip(var_list, averages):
            variable.assign(average.value)

    # -- weights and saving --------------------------------------------------------------
    def set_weights(self, weights: Sequence[Any]) -> None:
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        for variable, weight in zip(self._variables, weights):
            if tuple(np.shape(weight)) != variable.shape:
                raise ValueError(
                    f"Optimizer variable {variable.path} has shape {variable.shape} not "
                    f"compatible with provided weight shape {tuple(np.shape(weight))}."
                )
            variable.assign(weight)

    def save_own_variables(self, store: dict) -> None:
        """Write the variables as store["0"], store["1"], ... (the `.keras` layout)."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: Any) -> None:
        """Read `save_own_variables`'s layout; warns and skips if the counts differ, as Keras does."""
        if len(store.keys()) != len(self._variables):
            message = (
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self._variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables. "
            )
            if len(self._variables) == 0:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        for i, variable in enumerate(self._variables):
            variable.assign(np.asarray(store[str(i)]))

    # -- config --------------------------------------------------------------------------
    def get_config(self) -> dict:
        learning_rate = self._learning_rate
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(learning_rate)
        elif isinstance(learning_rate, Variable):
            learning_rate = float(learning_rate.numpy())
        else:
            learning_rate = _serialize_function(learning_rate)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Optimizer":
        # Keras 2 / tf.keras configs carry keys that Keras 3 has no use for.
        config = {key: value for key, value in config.items()
                  if key not in ("is_legacy_optimizer", "jit_compile")}
        learning_rate = config.get("learning_rate")
        if isinstance(learning_rate, dict):
            config["learning_rate"] = _deserialize_learning_rate(learning_rate, custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _serialize_function(function: Callable) -> dict:
    """How Keras records a learning-rate function: by name only."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": getattr(function, "__name__", repr(function)),
        "registered_name": "function",
    }


def _deserialize_learning_rate(config: dict, custom_objects: dict | None) -> Any:
    if config.get("class_name") == "function":
        function = get_registered_object(config.get("config"), custom_objects)
        if function is None:
            raise ValueError(
                f"Cannot rebuild the learning-rate function '{config.get('config')}' from its "
                "name: pass it in `custom_objects`."
            )
        return function
    return schedules.deserialize(config, custom_objects)
