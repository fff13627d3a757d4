"""Optimizers written as Keras writes them: one update rule applied to each variable with
its own slots, wrapped into the optax transformation the `Optimizer` base runs."""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import optax

from layerwise.optimizers.base import Optimizer

__all__ = ["PerVariableOptimizer", "SlotState"]


class SlotState(NamedTuple):
    """The optax state of a per-variable rule: the step and the slots by name."""

    step: jax.Array
    slots: dict[str, list]


class PerVariableOptimizer(Optimizer):
    """Base of optimizers whose rule updates one variable at a time.

    A subclass creates its slots in `build` (aligned lists, one entry per variable, named
    in `_slot_names`) and implements `_update_variable`. The rule returns the variable's
    new value, which is assigned as Keras assigns it (adding a difference back would
    round differently, and some rules amplify that rounding step after step).
    """

    _slot_names: tuple[str, ...] = ()

    def _update_variable(self, gradient: jax.Array, variable: jax.Array, slots: dict,
                         step: jax.Array, learning_rate: jax.Array) -> tuple[jax.Array, dict]:
        """`(the variable's new value, new values of its slots)` for one variable.

        `step` counts the updates done before this one (Keras's `iterations`).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `_update_variable`.")

    def _transform(self, learning_rate: jax.Array) -> optax.GradientTransformation:
        def init(params: Any) -> SlotState:
            raise NotImplementedError("the state comes from the optimizer's variables")

        def update(grads: list, state: SlotState, params: list) -> tuple[list, SlotState]:
            new_values = []
            new_slots = {name: list(slot) if isinstance(slot, list) else slot
                         for name, slot in state.slots.items()}
            for index, (gradient, variable) in enumerate(zip(grads, params)):
                own = self._slots_of(state.slots, index)
                new_value, own = self._update_variable(gradient, variable, own, state.step,
                                                       learning_rate)
                new_values.append(new_value)
                self._store_slots(new_slots, index, own)
            return new_values, SlotState(state.step, new_slots)

        return optax.GradientTransformation(init, update)

    def _apply_updates(self, params: list, updates: list) -> list:
        return list(updates)  # the rule's new values

    def _slots_of(self, slots: dict, index: int) -> dict:
        """The slots of variable `index` by name (from aligned lists by default)."""
        return {name: slots[name][index] for name in self._slot_names}

    def _store_slots(self, slots: dict, index: int, own: dict) -> None:
        """Write variable `index`'s new slot values back into `slots`."""
        for name in self._slot_names:
            slots[name][index] = own[name]

    def _keep_slots_of(self, index: int, new_slots: dict, slots: dict) -> None:
        super()._keep_slots_of(index, new_slots, slots)
        self._store_slots(new_slots, index, self._slots_of(slots, index))

    def _pack_state(self, slots: dict, step: jax.Array) -> SlotState:
        return SlotState(step, {name: list(slot) if isinstance(slot, list) else slot
                                for name, slot in slots.items()})

    def _unpack_state(self, state: SlotState) -> dict:
        return dict(state.slots)
