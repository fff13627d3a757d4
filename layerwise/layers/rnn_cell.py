"""What the built-in recurrent cells share: arguments, dropout masks, and a step split in two.

A cell's step is `project_inputs` (the input kernel matmul, done for the whole sequence
at once before the time loop) followed by `step` (the recurrent matmul and the gates,
inside the loop). `call(inputs, states)` runs both on one time step, as Keras's cells do.

Dropout masks are drawn once per layer call and reused at every time step, in Keras's
order and with Keras's draws: the input mask(s) then the recurrent mask(s), each one
draw from the cell's seed generator. With `implementation=1` (forced by a recurrent
dropout) LSTM and GRU draw one mask per gate. Keras draws them even in inference,
where they are not applied; we do the same so that seeded streams stay in step.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import activations, constraints, initializers, random, regularizers
from layerwise.engine.layer import Layer
from layerwise.layers.flat_matmul import flat_matmul


class DropoutMasks(NamedTuple):
    """Masks of ones scaled by 1/(1-rate) and zeros: one array, a tuple (per gate), or None."""
    inputs: Any = None
    recurrent: Any = None


def positive_units(layer: str, units: Any) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(
            f"Invalid value for argument `units` of {layer}. Expected a positive integer. "
            f"Received: units={units!r}")
    return int(units)


def clamp_rate(value: Any, argument: str, layer: str) -> float:
    """A dropout rate clipped into [0, 1], as Keras's cells accept it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"Invalid type for argument `{argument}` of {layer}. Expected a float in [0, 1]. "
            f"Received: {argument}={value!r}")
    return min(1.0, max(0.0, float(value)))


def masked(values: jax.Array, mask: jax.Array | None) -> jax.Array:
    """`values` (batch, [time,] ...) times a (batch, ...) mask, if there is one."""
    if mask is None:
        return values
    if values.ndim == mask.ndim + 1:
        mask = mask[:, None]
    return values * mask


def gate_matmul(values: jax.Array, kernel: jax.Array, masks: tuple | None) -> jax.Array:
    """`values @ kernel`, or with one mask per gate: each gate's block of columns gets
    `(values * its mask) @ block`."""
    if masks is None:
        return flat_matmul(values, kernel)
    blocks = jnp.split(kernel, len(masks), axis=1)
    return jnp.concatenate(
        [flat_matmul(masked(values, mask), block) for mask, block in zip(masks, blocks)],
        axis=-1)


class RecurrentCell(Layer):
    """Base of SimpleRNNCell, LSTMCell and GRUCell.

    Args:
        units: size of the output and of each state.
        dropout / recurrent_dropout: fraction of the inputs / of the previous output to
            drop in training (the same units at every step of a sequence).
        seed: seed of the dropout masks.
        implementation: 1 draws one mask per gate; 2 (default) one mask for all gates.
    """

    # Gates whose blocks of columns make up the kernels (Keras's order).
    gates = 1
    # Whether the seed generator is made before the initializers (Keras's SimpleRNNCell)
    # or after them (LSTMCell, GRUCell): unseeded, each draws a seed in that order.
    seed_generator_first = False

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 implementation: int = 2, **kwargs: Any):
        super().__init__(**kwargs)
        layer = f"{type(self).__name__} '{self.name}'"
        self.units = positive_units(layer, units)
        if self.seed_generator_first:
            self.seed_generator = self.add_seed_generator(seed)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = clamp_rate(dropout, "dropout", layer)
        self.recurrent_dropout = clamp_rate(recurrent_dropout, "recurrent_dropout", layer)
        if implementation not in (1, 2):
            raise ValueError(f"Invalid value for argument `implementation` of {layer}. "
                             f"Expected 1 or 2. Received: implementation={implementation!r}")
        self.implementation = 1 if self.recurrent_dropout else int(implementation)
        self.seed = seed
        if not self.seed_generator_first:
            self.seed_generator = self.add_seed_generator(seed)
        self.state_size: Any = self.units
        self.output_size = self.units

    # -- weights -------------------------------------------------------------------------
    def add_kernels(self, input_dim: int, bias_shape: tuple | None,
                    bias_initializer: Any = None) -> None:
        """The kernel, recurrent kernel and (with `use_bias`) bias, in Keras's order."""
        width = self.units * self.gates
        self.kernel = self.add_weight(
            shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=bias_shape, name="bias",
                initializer=bias_initializer or self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    # -- dropout -------------------------------------------------------------------------
    def draw_dropout_masks(self, input_shape: tuple, state_shape: tuple) -> DropoutMasks:
        """This call's masks for one step's inputs and first state (concrete shapes, batch
        first): input then recurrent, each drawn only if its rate is > 0."""
        count = self.gates if self.implementation == 1 else 1

        def draw(rate: float, shape: tuple) -> Any:
            if rate <= 0:
                return None
            ones = jnp.ones(shape, self.compute_dtype)
            masks = tuple(random.dropout(ones, rate, seed=self.seed_generator)
                          for _ in range(count))
            return masks if self.implementation == 1 else masks[0]

        return DropoutMasks(draw(self.dropout, tuple(input_shape)),
                            draw(self.recurrent_dropout, tuple(state_shape)))

    def active_masks(self, masks: DropoutMasks | None, training: Any) -> DropoutMasks:
        """The masks to apply: none outside training or for a rate of 1 (as in Keras)."""
        if masks is None or not training:
            return DropoutMasks()
        return DropoutMasks(masks.inputs if 0 < self.dropout < 1 else None,
                            masks.recurrent if 0 < self.recurrent_dropout < 1 else None)

    def per_gate(self, mask: Any) -> tuple | None:
        """A mask as one per gate (the same array repeated under implementation 2)."""
        if mask is None or isinstance(mask, tuple):
            return mask
        return (mask,) * self.gates

    # -- the step ------------------------------------------------------------------------
    def project_inputs(self, inputs: jax.Array, masks: DropoutMasks) -> jax.Array:
        """The input part of the gates, for (batch, features) or (batch, time, features)."""
        raise NotImplementedError

    def step(self, projected: jax.Array, states: list, masks: DropoutMasks
             ) -> tuple[jax.Array, list]:
        """One time step from the projected inputs: (output, new states)."""
        product = self.recurrent_product(states[0], self.recurrent_weights(), masks)
        new_states = self.update(projected, product, states)
        return new_states[0], new_states

    # A separable cell's step is `update(projected, recurrent_product(h), states)`: one
    # matrix product affine in the previous output h, then elementwise work. Its time loop
    # can then take `rnn_scan.run_separable`, whose backward pass is written out. A cell
    # that defines its own `step` leaves this False.
    separable = False
    # Whether `update` uses the projected inputs and the product only through their sum.
    product_added = False

    def recurrent_weights(self) -> Any:
        """Every array `recurrent_product` reads (passed explicitly, for its gradient)."""
        return self.recurrent_kernel.value

    def recurrent_product(self, h: jax.Array, weights: Any, masks: DropoutMasks
                          ) -> jax.Array:
        """The recurrent matmul of the previous output h (rows of any count)."""
        return gate_matmul(h, weights, self.per_gate(masks.recurrent))

    def update(self, projected: jax.Array, product: jax.Array, states: list) -> list:
        """The elementwise rest of a step: the new states, the first being the output."""
        raise NotImplementedError

    def call(self, inputs: jax.Array, states: Any, training: bool | None = False) -> Any:
        state_list = list(states) if isinstance(states, (list, tuple)) else [states]
        state_list = [jnp.asarray(s) for s in state_list]
        masks = self.active_masks(self.draw_dropout_masks(inputs.shape, state_list[0].shape),
                                  training)
        output, new_states = self.step(self.project_inputs(inputs, masks), state_list, masks)
        return output, self.states_like(states, new_states)

    def states_like(self, states: Any, new_states: list) -> Any:
        """New states nested as the given ones were (Keras returns a bare array for one)."""
        return new_states if isinstance(states, (list, tuple)) else new_states[0]

    def get_initial_state(self, batch_size: int | None = None) -> list[jax.Array]:
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [jnp.zeros((batch_size, size), self.compute_dtype) for size in sizes]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.output_size)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
