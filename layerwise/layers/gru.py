"""GRU (Cho et al., 2014), with Keras's gate order: update z, reset r, candidate h.

    z = sigmoid(x_z + h_{t-1} @ R_z),  r = sigmoid(x_r + h_{t-1} @ R_r)
    reset_after=True:  candidate = tanh(x_h + r * (h_{t-1} @ R_h + recurrent bias))
    reset_after=False: candidate = tanh(x_h + (r * h_{t-1}) @ R_h)
    h_t = z * h_{t-1} + (1 - z) * candidate

where x = inputs @ kernel + input bias. With `reset_after` the bias is (2, 3 * units):
row 0 for the inputs, row 1 for the recurrent state.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.layers.lstm import _check_use_cudnn
from layerwise.layers.flat_matmul import flat_matmul
from layerwise.layers.rnn import RNN, cell_layer_config, expose_cell_arguments
from layerwise.layers.rnn_cell import DropoutMasks, RecurrentCell, gate_matmul, masked
from layerwise import activations

__all__ = ["GRU", "GRUCell"]

_CELL_ARGUMENTS = (
    "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "reset_after")


class GRUCell(RecurrentCell):
    """One GRU step; its one state is its output.

    Args: as `RecurrentCell`, plus `recurrent_activation` ("sigmoid") and `reset_after`
        (apply the reset gate after the recurrent matmul, with a separate recurrent bias).
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def build(self, input_shape: Any) -> None:
        width = 3 * self.units
        self.add_kernels(input_shape[-1], (2, width) if self.reset_after else (width,))

    def _biases(self) -> tuple[jax.Array | None, jax.Array | None]:
        """(input bias, recurrent bias); either may be None."""
        if self.bias is None:
            return None, None
        bias = self.bias.value
        return (bias[0], bias[1]) if self.reset_after else (bias, None)

    def project_inputs(self, inputs: jax.Array, masks: DropoutMasks) -> jax.Array:
        if self.implementation == 2:
            projected = flat_matmul(masked(inputs, masks.inputs), self.kernel.value)
        else:
            projected = gate_matmul(inputs, self.kernel.value, self.per_gate(masks.inputs))
        input_bias, _ = self._biases()
        return projected if input_bias is None else projected + input_bias

    @property
    def separable(self) -> bool:
        # Without reset_after, r gates h before the candidate's matmul: no single product.
        return self.reset_after

    product_added = False

    def recurrent_weights(self) -> Any:
        return self.recurrent_kernel.value, self._biases()[1]

    def recurrent_product(self, h: jax.Array, weights: Any, masks: DropoutMasks
                          ) -> jax.Array:
        kernel, recurrent_bias = weights
        product = gate_matmul(h, kernel, self.per_gate(masks.recurrent))
        return product if recurrent_bias is None else product + recurrent_bias

    def update(self, projected: jax.Array, product: jax.Array, states: list) -> list:
        """reset_after's step: the reset gate scales the candidate's recurrent part."""
        x_z, x_r, x_h = jnp.split(projected, 3, axis=-1)
        inner_z, inner_r, inner_h = jnp.split(product, 3, axis=-1)
        z = self.recurrent_activation(x_z + inner_z)
        r = self.recurrent_activation(x_r + inner_r)
        candidate = self.activation(x_h + r * inner_h)
        return [z * states[0] + (1 - z) * candidate]

    def step(self, projected: jax.Array, states: list, masks: DropoutMasks
             ) -> tuple[jax.Array, list]:
        if self.reset_after:
            return super().step(projected, states, masks)
        h = states[0]
        units = self.units
        kernel = self.recurrent_kernel.value
        recurrent_masks = self.per_gate(masks.recurrent)
        x_z, x_r, x_h = jnp.split(projected, 3, axis=-1)
        gate_masks = None if recurrent_masks is None else recurrent_masks[:2]
        inner_z, inner_r = jnp.split(gate_matmul(h, kernel[:, :2 * units], gate_masks), 2,
                                     axis=-1)
        z = self.recurrent_activation(x_z + inner_z)
        r = self.recurrent_activation(x_r + inner_r)
        h_masked = h if recurrent_masks is None else h * recurrent_masks[2]
        candidate = self.activation(x_h + jnp.matmul(r * h_masked, kernel[:, 2 * units:]))
        h = z * h + (1 - z) * candidate
        return h, [h]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


@expose_cell_arguments(*_CELL_ARGUMENTS)
class GRU(RNN):
    """Gated Recurrent Unit layer: a `GRUCell` run over time.

    Args: the cell's (see `GRUCell`) and the RNN's (return_sequences, return_state,
        go_backwards, stateful, unroll). `use_cudnn` is accepted; XLA compiles one program
        on every device here.
    """

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, use_cudnn: Any = "auto", **kwargs: Any):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = _check_use_cudnn(use_cudnn)

    def get_config(self) -> dict[str, Any]:
        return cell_layer_config(self, super().get_config())

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        return cls(**config)
