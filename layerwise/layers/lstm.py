"""LSTM (Hochreiter & Schmidhuber, 1997), with Keras's gate order: input, forget, cell, output.

    i, f, g, o = split(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)
    c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g);   h_t = sigmoid(o) * tanh(c_t)

(sigmoid and tanh being `recurrent_activation` and `activation`).
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import initializers
from layerwise.layers.flat_matmul import flat_matmul
from layerwise.layers.rnn import RNN, cell_layer_config, expose_cell_arguments
from layerwise.layers.rnn_cell import DropoutMasks, RecurrentCell, gate_matmul, masked
from layerwise import activations

__all__ = ["LSTM", "LSTMCell"]

_CELL_ARGUMENTS = (
    "units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout")


def _check_use_cudnn(use_cudnn: Any) -> Any:
    if use_cudnn not in ("auto", True, False):
        raise ValueError("Invalid value for argument `use_cudnn`. Expected one of "
                         f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}")
    return use_cudnn


class LSTMCell(RecurrentCell):
    """One LSTM step; its states are [h, c] and its output is h.

    Args: as `RecurrentCell`, plus `recurrent_activation` ("sigmoid") and
        `unit_forget_bias` (start the forget gate's bias at 1).
    """

    separable = True
    product_added = True
    gates = 4

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs: Any):
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape: Any) -> None:
        bias_initializer = self._forget_bias_initializer if self.unit_forget_bias else None
        self.add_kernels(input_shape[-1], (4 * self.units,), bias_initializer)

    def _forget_bias_initializer(self, shape: Any, dtype: Any = None) -> jax.Array:
        """The bias initializer for each gate, but ones for the forget gate."""
        units = self.units
        return jnp.concatenate([
            jnp.asarray(self.bias_initializer((units,), dtype=dtype)),
            jnp.asarray(initializers.get("ones")((units,), dtype=dtype)),
            jnp.asarray(self.bias_initializer((2 * units,), dtype=dtype))])

    def project_inputs(self, inputs: jax.Array, masks: DropoutMasks) -> jax.Array:
        input_masks = masks.inputs
        if self.implementation == 2:
            projected = flat_matmul(masked(inputs, input_masks), self.kernel.value)
        else:
            projected = gate_matmul(inputs, self.kernel.value, self.per_gate(input_masks))
        if self.bias is not None:
            projected = projected + self.bias.value
        return projected

    def update(self, projected: jax.Array, product: jax.Array, states: list) -> list:
        i, f, g, o = jnp.split(projected + product, 4, axis=-1)
        c = self.recurrent_activation(f) * states[1] + \
            self.recurrent_activation(i) * self.activation(g)
        h = self.recurrent_activation(o) * self.activation(c)
        return [h, c]

    def states_like(self, states: Any, new_states: list) -> Any:
        return new_states

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


@expose_cell_arguments(*_CELL_ARGUMENTS)
class LSTM(RNN):
    """Long Short-Term Memory layer: an `LSTMCell` run over time.

    Args: the cell's (see `LSTMCell`) and the RNN's (return_sequences, return_state,
        go_backwards, stateful, unroll). `use_cudnn` is accepted; XLA compiles one program
        on every device here.
    """

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 use_cudnn: Any = "auto", **kwargs: Any):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell", seed=seed,
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = _check_use_cudnn(use_cudnn)

    def get_config(self) -> dict[str, Any]:
        return cell_layer_config(self, super().get_config())

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        return cls(**config)
