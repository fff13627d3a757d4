"""The time loop of every recurrent layer: a `lax.scan` (or an unrolled Python loop) of a
step function over time, with Keras's rules for masked steps and backward processing.

A masked step leaves the states as they were and repeats an earlier output. Which
output differs between Keras's two loops, and we keep both: the scan repeats the first
state (a cell's previous output, or zeros with `zero_output_for_mask`), the unrolled
loop repeats the previous step's output (zeros before the first one) and ignores
`zero_output_for_mask`. Outputs come in processing order, so with `go_backwards` the
first output is the one computed from the last time step.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

Step = Callable[[Any, list], tuple[jax.Array, list]]


def run_over_time(step: Step, inputs: jax.Array, initial_states: list, *,
                  mask: jax.Array | None = None, go_backwards: bool = False,
                  unroll: bool = False, zero_output_for_mask: bool = False,
                  return_sequences: bool = True) -> tuple[jax.Array, jax.Array | None, list]:
    """Apply `step(input_t, states) -> (output, new_states)` along the first axis of `inputs`.

    Args:
        inputs: time-major array, (time, batch, ...).
        initial_states: the states before the first step (a list, possibly nested).
        mask: (time, batch) booleans, False where a step is to be skipped.
        return_sequences: whether to collect every output (else only the last is kept).

    Returns:
        (last output, outputs (time, batch, ...) or None, final states).
    """
    if mask is not None:
        mask = jnp.asarray(mask).astype(bool)
    if unroll:
        return _unrolled(step, inputs, initial_states, mask, go_backwards, return_sequences)
    return _scanned(step, inputs, initial_states, mask, go_backwards, zero_output_for_mask,
                    return_sequences)


def _keep(mask_t: jax.Array, like: jax.Array) -> jax.Array:
    """The (batch,) step mask shaped to broadcast against `like` (batch, ...)."""
    return mask_t.reshape(mask_t.shape + (1,) * (like.ndim - 1))


def _first_state(states: list) -> jax.Array:
    """The state a masked scan step repeats as its output: a cell's previous output."""
    first = states[0]
    if isinstance(first, (list, tuple)):
        # Stacked cells: the first state of the last cell.
        return states[-1][0]
    return first


def _hold_states(mask_t: jax.Array, states: list, new_states: list) -> list:
    return jax.tree_util.tree_map(
        lambda old, new: jnp.where(_keep(mask_t, new), new, old), states, new_states)


def _scanned(step, inputs, initial_states, mask, go_backwards, zero_output_for_mask,
             return_sequences):
    def masked_step(states, input_t, mask_t):
        output, new_states = step(input_t, states)
        if zero_output_for_mask:
            held = jnp.zeros_like(output)
        else:
            held = jnp.broadcast_to(_first_state(states), output.shape).astype(output.dtype)
        output = jnp.where(_keep(mask_t, output), output, held)
        return output, _hold_states(mask_t, states, new_states)

    def one_step(states, xs):
        if mask is None:
            return step(xs, states)
        return masked_step(states, *xs)

    xs = inputs if mask is None else (inputs, mask)
    if return_sequences:
        def body(states, xs_t):
            output, new_states = one_step(states, xs_t)
            return new_states, output

        final_states, outputs = jax.lax.scan(body, initial_states, xs, reverse=go_backwards)
        if go_backwards:
            outputs = jnp.flip(outputs, axis=0)
        return outputs[-1], outputs, final_states

    # Only the last output is wanted: carry it rather than stacking every step's.
    output_spec = jax.eval_shape(lambda s, x: one_step(s, x)[0], initial_states,
                                 jax.tree_util.tree_map(lambda a: a[0], xs))

    def carry_last(carry, xs_t):
        states, _ = carry
        output, new_states = one_step(states, xs_t)
        return (new_states, output), None

    start = (initial_states, jnp.zeros(output_spec.shape, output_spec.dtype))
    (final_states, last_output), _ = jax.lax.scan(carry_last, start, xs, reverse=go_backwards)
    return last_output, None, final_states


def _unrolled(step, inputs, initial_states, mask, go_backwards, return_sequences):
    order = range(inputs.shape[0] - 1, -1, -1) if go_backwards else range(inputs.shape[0])
    states = initial_states
    outputs: list[jax.Array] = []
    for time in order:
        output, new_states = step(inputs[time], states)
        if mask is not None:
            previous = outputs[-1] if outputs else jnp.zeros_like(output)
            output = jnp.where(_keep(mask[time], output), output, previous)
            new_states = _hold_states(mask[time], states, new_states)
        states = new_states
        outputs = outputs + [output] if return_sequences else [output]
    stacked = jnp.stack(outputs) if return_sequences else None
    return outputs[-1], stacked, states
