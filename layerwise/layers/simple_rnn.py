"""SimpleRNN: `output_t = activation(x_t @ kernel + bias + output_{t-1} @ recurrent_kernel)`."""
from __future__ import annotations

from typing import Any

import jax

from layerwise.layers.flat_matmul import flat_matmul
from layerwise.layers.rnn import RNN, cell_layer_config, expose_cell_arguments
from layerwise.layers.rnn_cell import DropoutMasks, RecurrentCell, masked

__all__ = ["SimpleRNN", "SimpleRNNCell"]

_CELL_ARGUMENTS = (
    "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
    "recurrent_dropout")


class SimpleRNNCell(RecurrentCell):
    """One step of a fully connected RNN whose output is its state.

    Args: as `RecurrentCell` (units, activation="tanh", initializers, regularizers,
        constraints, dropout, recurrent_dropout, seed).
    """

    separable = True
    product_added = True
    seed_generator_first = True

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any):
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        # One mask each for the inputs and the recurrent state, whatever the rates.
        self.implementation = 2

    def build(self, input_shape: Any) -> None:
        self.add_kernels(input_shape[-1], (self.units,))

    def project_inputs(self, inputs: jax.Array, masks: DropoutMasks) -> jax.Array:
        projected = flat_matmul(masked(inputs, masks.inputs), self.kernel.value)
        if self.bias is not None:
            projected = projected + self.bias.value
        return projected

    def update(self, projected: jax.Array, product: jax.Array, states: list) -> list:
        return [self.activation(projected + product)]


@expose_cell_arguments(*_CELL_ARGUMENTS)
class SimpleRNN(RNN):
    """A fully connected RNN layer: a `SimpleRNNCell` run over time.

    Args: the cell's (see `SimpleRNNCell`) and the RNN's (return_sequences, return_state,
        go_backwards, stateful, unroll).
    """

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, seed: int | None = None, **kwargs: Any):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        # Keras 3.15's SimpleRNN accepts `activity_regularizer` but does not use or save it.
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = cell_layer_config(self, super().get_config())
        # Keras leaves the seed out of SimpleRNN's config (not of the cell's).
        config.pop("seed")
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        return cls(**config)
