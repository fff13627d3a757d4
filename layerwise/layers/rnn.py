"""`RNN`: runs a cell over the time axis of (batch, time, features) sequences, and
`StackedRNNCells`, several cells run one after the other at every step.

Any cell works: an object with `state_size` and `call(inputs, states) -> (output,
new_states)`. The built-in cells also split their step (see `rnn_cell`), which lets the
layer multiply the whole sequence by the input kernel once, before the time loop, and
keep only the recurrent matmul inside the `lax.scan`.
"""
from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp

from layerwise.engine.layer import Layer
from layerwise.engine.variables import Variable, tracing_shapes_only
from layerwise.layers import rnn_loop, rnn_scan
from layerwise.layers.nested import build_inside
from layerwise.layers.rnn_cell import DropoutMasks, RecurrentCell
from layerwise import regularizers
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object


def _is_nested(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _takes_training(cell: Any) -> bool:
    try:
        return "training" in inspect.signature(cell.call).parameters
    except (TypeError, ValueError):
        return False


def _call_cell(cell: Any, inputs: jax.Array, states: list, training: Any) -> tuple:
    """`cell(inputs, states)` for any cell, with `training` if its `call` takes it."""
    kwargs = {"training": training} if _takes_training(cell) else {}
    function = cell if callable(cell) else cell.call
    return function(inputs, states, **kwargs)


def _output_size(cell: Any) -> int:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    return cell.state_size[0] if _is_nested(cell.state_size) else cell.state_size


def _check_cell(cell: Any, argument: str = "cell") -> None:
    if not hasattr(cell, "call"):
        raise ValueError(f"Argument `{argument}` should have a `call` method. "
                         f"Received: {argument}={cell!r}")
    if not hasattr(cell, "state_size"):
        raise ValueError("The RNN cell should have a `state_size` attribute (single integer "
                         "or list of integers, one integer per RNN state). "
                         f"Received: {argument}={cell!r}")


class StackedRNNCells(Layer):
    """Several cells as one: each step runs them in order, each on the previous one's output.

    Args:
        cells: the cells, first to last.
    """

    def __init__(self, cells: list, **kwargs: Any):
        super().__init__(**kwargs)
        for cell in cells:
            _check_cell(cell, "cells")
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> int:
        return _output_size(self.cells[-1])

    def build(self, input_shape: Any) -> None:
        for cell in self.cells:
            build_inside(self, cell, input_shape)
            input_shape = (input_shape[0], _output_size(cell))

    def get_initial_state(self, batch_size: int | None = None) -> list:
        return [_initial_state(cell, batch_size) for cell in self.cells]

    def draw_dropout_masks(self, input_shape: tuple, states: list) -> list:
        """Each cell's masks, in order (Keras's draw order); None for user cells."""
        masks = []
        for cell, cell_states in zip(self.cells, states):
            draw = getattr(cell, "draw_dropout_masks", None)
            first_state = jax.tree_util.tree_leaves(cell_states)[0]
            masks.append(draw(input_shape, first_state.shape) if draw else None)
            input_shape = (input_shape[0], _output_size(cell))
        return masks

    def call(self, inputs: jax.Array, states: list, training: bool | None = False) -> tuple:
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            given_a_list = _is_nested(cell_states)
            cell_states = list(cell_states) if given_a_list else [cell_states]
            inputs, cell_new_states = _call_cell(cell, inputs, cell_states, training)
            if not _is_nested(cell_new_states):
                cell_new_states = [cell_new_states]
            if len(cell_new_states) == 1 and not given_a_list:
                cell_new_states = cell_new_states[0]
            new_states.append(cell_new_states)
        return inputs, new_states[0] if len(new_states) == 1 else new_states

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None
                    ) -> "StackedRNNCells":
        config = dict(config)
        cells = [deserialize_keras_object(cell, custom_objects)
                 for cell in config.pop("cells")]
        return cls(cells, **config)


def _initial_state(cell: Any, batch_size: int | None) -> Any:
    get_initial_state = getattr(cell, "get_initial_state", None)
    if get_initial_state is not None:
        state = get_initial_state(batch_size=batch_size)
        return list(state) if _is_nested(state) else [state]
    sizes = cell.state_size if _is_nested(cell.state_size) else [cell.state_size]
    return [jnp.zeros((batch_size, size), cell.compute_dtype) for size in sizes]


class RNN(Layer):
    """Runs `cell` over the time axis of (batch, time, features) inputs.

    Args:
        cell: a cell, or a list of cells (made a `StackedRNNCells`).
        return_sequences: return every step's output, not only the last.
        return_state: also return the final states (after the output).
        go_backwards: process the sequence from its end; outputs come in that order.
        stateful: start each batch from the states the previous batch ended with
            (sample i from sample i); needs a fixed batch size.
        unroll: a Python loop over time instead of a `lax.scan` (short sequences only).
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments: `sequences`, `initial_state` (a list of states), `mask` ((batch,
    time) booleans, False to skip a step) and `training`.
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        _check_cell(cell)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states: list[Variable] | None = None
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers "
                             f"(one for each state tensor). Received: state_size={state_size!r}")
        self.state_size = list(state_size) if _is_nested(state_size) else [state_size]

    # -- shapes and building -------------------------------------------------------------
    def check_input_shape(self, input_shape: Any) -> None:
        if isinstance(input_shape, tuple) and len(input_shape) != 3:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"ndim=3, found ndim={len(input_shape)}. Full shape received: {input_shape}")

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        self.check_input_shape(tuple(sequences_shape))
        build_inside(self, self.cell, (sequences_shape[0],) + tuple(sequences_shape[2:]))
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            elif sequences_shape[0] is not None:
                self._create_states(sequences_shape[0])
            # Else the first call, which knows the batch size, creates them.

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None
                             ) -> Any:
        batch, length = sequences_shape[0], sequences_shape[1]
        output_size = _output_size(self.cell)
        output = (batch, length, output_size) if self.return_sequences else (batch, output_size)
        if not self.return_state:
            return output
        states = [(batch, size) if isinstance(size, int) else [(batch, s) for s in size]
                  for size in self.state_size]
        return (output, *states)

    # -- states --------------------------------------------------------------------------
    def get_initial_state(self, batch_size: int | None) -> list:
        return _initial_state(self.cell, batch_size)

    def _create_states(self, batch_size: int) -> None:
        self.states = []
        for value in jax.tree_util.tree_leaves(self.get_initial_state(batch_size)):
            variable = Variable(jnp.zeros_like(value), trainable=False, name="rnn_state")
            variable.path = f"{self.name}/rnn_state"
            self.states.append(variable)
        self._state_variables = list(self.states)

    def reset_state(self) -> None:
        """Zero the states of a stateful layer (nothing to do otherwise)."""
        for variable in self.states or []:
            variable.assign(jnp.zeros_like(variable.value))

    def reset_states(self) -> None:
        self.reset_state()

    def _starting_states(self, sequences: jax.Array, initial_state: Any) -> list:
        batch_size = sequences.shape[0]
        template = self.get_initial_state(batch_size)
        if initial_state is not None:
            states = list(initial_state) if _is_nested(initial_state) else [initial_state]
            leaves = [jnp.asarray(s, self.compute_dtype)
                      for s in jax.tree_util.tree_leaves(states)]
            return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(template), leaves)
        if not self.stateful:
            return template
        # A traced call outside a stateless scope only works out shapes (e.g. the model's
        # output spec, on all the data at once): it neither needs nor may touch the states.
        if _shape_only(sequences):
            return template
        if self.states is None:
            if isinstance(sequences, jax.core.Tracer):
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    f"Found dynamic batch size: sequence.shape={(None,) + sequences.shape[1:]}")
            self._create_states(batch_size)
        expected = self.states[0].shape[0]
        if batch_size != expected:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences must be the "
                f"same as the batch size of the initial state. \n- Expected batch size: "
                f"{expected}\n- Received batch size: {batch_size}")
        return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(template),
                                            [variable.value for variable in self.states])

    # -- calling -------------------------------------------------------------------------
    def call(self, sequences: jax.Array, initial_state: Any = None, mask: Any = None,
             training: bool | None = False) -> Any:
        sequences = jnp.asarray(sequences, self.compute_dtype)
        states = self._starting_states(sequences, initial_state)
        separable = getattr(self.cell, "separable", False) and not self.unroll
        if separable and (mask is None or not self.zero_output_for_mask):
            last_output, outputs, final_states = self._run_separable(sequences, states,
                                                                     mask, training)
        else:
            step, inputs = self._step_and_inputs(sequences, states, training)
            time_major = jnp.swapaxes(inputs, 0, 1)
            if mask is not None:
                mask = jnp.swapaxes(jnp.asarray(mask).astype(bool), 0, 1)
            last_output, outputs, final_states = rnn_loop.run_over_time(
                step, time_major, states, mask=mask, go_backwards=self.go_backwards,
                unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask,
                return_sequences=self.return_sequences)
        if self.stateful and not _shape_only(sequences):
            for variable, value in zip(self.states, jax.tree_util.tree_leaves(final_states)):
                variable.assign(value)
        output = jnp.swapaxes(outputs, 0, 1) if self.return_sequences else last_output
        if self.return_state:
            return (output, *final_states)
        return output

    def _run_separable(self, sequences: jax.Array, states: list, mask: Any, training: Any):
        """A built-in cell's loop, with a written-out backward pass (see rnn_scan)."""
        cell = self.cell
        step_shape = (sequences.shape[0],) + sequences.shape[2:]
        masks = cell.active_masks(cell.draw_dropout_masks(step_shape, states[0].shape),
                                  training)
        if masks.inputs is None:
            # Time-major before projecting: the inputs are narrower than the gates.
            projected = cell.project_inputs(jnp.swapaxes(sequences, 0, 1), masks)
        else:  # input dropout masks are (batch, features): project batch-major
            projected = jnp.swapaxes(cell.project_inputs(sequences, masks), 0, 1)
        batch = sequences.shape[0]

        def recurrent_product(h: jax.Array, weights: Any) -> jax.Array:
            # The weights' gradient runs this on every step's rows at once (time-major).
            repeats = h.shape[0] // batch
            return cell.recurrent_product(h, weights, _repeat_masks(masks, repeats))

        return rnn_scan.run_separable(
            cell.update, recurrent_product, cell.recurrent_weights(), projected, list(states),
            go_backwards=self.go_backwards, return_sequences=self.return_sequences,
            product_added=cell.product_added,
            mask=None if mask is None else jnp.swapaxes(jnp.asarray(mask), 0, 1))

    def _step_and_inputs(self, sequences: jax.Array, states: list, training: Any):
        """The loop's step function and what it runs over (inputs projected if it can)."""
        cell = self.cell
        step_shape = (sequences.shape[0],) + sequences.shape[2:]
        if isinstance(cell, RecurrentCell):
            first_state = jax.tree_util.tree_leaves(states)[0]
            masks = cell.active_masks(cell.draw_dropout_masks(step_shape, first_state.shape),
                                      training)
            return (lambda projected, s: cell.step(projected, s, masks)), \
                cell.project_inputs(sequences, masks)
        if isinstance(cell, StackedRNNCells):
            return self._stacked_step(cell, sequences, states, training)

        def step(inputs_t, s):
            output, new_states = _call_cell(cell, inputs_t, s, training)
            return output, _like(s, new_states)

        return step, sequences

    def _stacked_step(self, stacked: StackedRNNCells, sequences: jax.Array, states: list,
                      training: Any):
        step_shape = (sequences.shape[0],) + sequences.shape[2:]
        all_masks = stacked.draw_dropout_masks(step_shape, states)
        masks = [cell.active_masks(m, training) if isinstance(cell, RecurrentCell) else None
                 for cell, m in zip(stacked.cells, all_masks)]
        first = stacked.cells[0]
        projects_first = isinstance(first, RecurrentCell)
        inputs = first.project_inputs(sequences, masks[0]) if projects_first else sequences

        def step(inputs_t, states):
            new_states = []
            for index, (cell, cell_states) in enumerate(zip(stacked.cells, states)):
                given_a_list = _is_nested(cell_states)
                cell_list = list(cell_states) if given_a_list else [cell_states]
                if isinstance(cell, RecurrentCell):
                    projected = inputs_t if index == 0 and projects_first else \
                        cell.project_inputs(inputs_t, masks[index])
                    inputs_t, cell_new = cell.step(projected, cell_list, masks[index])
                else:
                    inputs_t, cell_new = _call_cell(cell, inputs_t, cell_list, training)
                    cell_new = list(cell_new) if _is_nested(cell_new) else [cell_new]
                new_states.append(cell_new if given_a_list else cell_new[0])
            return inputs_t, new_states

        return step, inputs

    # -- configuration -------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "RNN":
        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _shape_only(sequences: jax.Array) -> bool:
    return tracing_shapes_only(sequences)


def _like(states: list, new_states: Any) -> list:
    """A cell's new states in the structure of the loop's states (lists all the way)."""
    if not _is_nested(new_states):
        new_states = [new_states]
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(states),
                                        jax.tree_util.tree_leaves(new_states))


# -- the layers made of one built-in cell (SimpleRNN, LSTM, GRU) ----------------------------
def expose_cell_arguments(*names: str):
    """Class decorator: read-only properties `layer.<name>` that return `layer.cell.<name>`."""
    def decorate(cls: type) -> type:
        for name in names:
            setattr(cls, name, property(lambda self, name=name: getattr(self.cell, name),
                                        doc=f"The cell's `{name}`."))
        return cls

    return decorate


def cell_layer_config(layer: RNN, config: dict[str, Any]) -> dict[str, Any]:
    """The layer's config as Keras writes it: the RNN's arguments and the cell's, no `cell`."""
    cell_config = {key: value for key, value in layer.cell.get_config().items()
                   if key not in ("name", "trainable", "dtype")}
    rnn_config = {key: value for key, value in config.items() if key != "cell"}
    return {**rnn_config, **cell_config,
            "activity_regularizer": regularizers.serialize(layer.activity_regularizer)}


def _repeat_masks(masks: DropoutMasks, repeats: int) -> DropoutMasks:
    """Dropout masks (batch, units) for `repeats` time steps of rows stacked time-major."""
    if repeats == 1:
        return masks
    return jax.tree_util.tree_map(lambda mask: jnp.tile(mask, (repeats, 1)), masks)
