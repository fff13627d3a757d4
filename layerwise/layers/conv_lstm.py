"""ConvLSTM1D/2D/3D: an LSTM whose kernels are convolutions (Shi et al., 2015).

The gates are computed as LSTM's (input, forget, cell, output), with `x @ kernel` a
convolution of the step's image (strides, padding and dilation as given) and
`h @ recurrent_kernel` a 'same' convolution with stride 1. The input convolution of
every time step runs at once, the time steps folded into the batch, before the loop.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import activations, initializers
from layerwise.layers import arguments
from layerwise.ops import convolution
from layerwise.layers.rnn import RNN, cell_layer_config, expose_cell_arguments
from layerwise.layers.rnn_cell import DropoutMasks, RecurrentCell, masked

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


class ConvLSTMCell(RecurrentCell):
    """One ConvLSTM step over (batch, *spatial, channels) images (or channels first)."""

    gates = 4
    seed_generator_first = True

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", unit_forget_bias: bool = True,
                 **kwargs: Any):
        super().__init__(filters, activation=activation, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        self.filters = self.units
        self.kernel_size = arguments.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = arguments.standardize_tuple(strides, rank, "strides", owner,
                                                    allow_zero=True)
        self.padding = arguments.standardize_padding(padding, owner)
        self.data_format = arguments.standardize_data_format(data_format, owner)
        self.dilation_rate = arguments.standardize_tuple(dilation_rate, rank,
                                                          "dilation_rate", owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please "
                f"provide `strides=1` or `dilation_rate=1`. Received: strides={self.strides} "
                f"and dilation_rate={self.dilation_rate}")
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        # Keras draws one mask per gate for ConvLSTM whatever the rates.
        self.implementation = 1
        self.state_size = -1  # the states are images; see get_initial_state

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape: Any) -> None:
        channels_last = self.data_format == "channels_last"
        self.spatial_dims = tuple(input_shape[1:-1] if channels_last else input_shape[2:])
        if None in self.spatial_dims:
            raise ValueError("ConvLSTM layers only support static input shapes for the "
                             f"spatial dimension. Received invalid input shape: "
                             f"input_shape={input_shape}")
        self.input_dim = input_shape[-1] if channels_last else input_shape[1]
        width = 4 * self.filters
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.input_dim, width), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(width,), name="bias",
                initializer=self._forget_bias_initializer if self.unit_forget_bias
                else self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _forget_bias_initializer(self, shape: Any, dtype: Any = None) -> jax.Array:
        filters = self.filters
        return jnp.concatenate([
            jnp.asarray(self.bias_initializer((filters,), dtype=dtype)),
            jnp.asarray(initializers.get("ones")((filters,), dtype=dtype)),
            jnp.asarray(self.bias_initializer((2 * filters,), dtype=dtype))])

    def output_shape_for(self, input_shape: tuple) -> tuple:
        """(batch, *spatial, filters) (or channels first) of one step's output."""
        channels_last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if channels_last else input_shape[2:]
        out = tuple(convolution.conv_output_size(size, kernel, stride, dilation, self.padding)
                    for size, kernel, stride, dilation in zip(
                        spatial, self.kernel_size, self.strides, self.dilation_rate))
        if channels_last:
            return (input_shape[0], *out, self.filters)
        return (input_shape[0], self.filters, *out)

    def get_initial_state(self, batch_size: int | None = None) -> list[jax.Array]:
        if self.data_format == "channels_last":
            step_shape = (batch_size,) + self.spatial_dims + (self.input_dim,)
        else:
            step_shape = (batch_size, self.input_dim) + self.spatial_dims
        state = jnp.zeros(self.output_shape_for(step_shape), jnp.float32)
        return [state, state]

    def _convolve(self, values: jax.Array, kernel: jax.Array, masks: tuple | None, *,
                  recurrent: bool) -> jax.Array:
        """The four gates' convolutions, one per gate's mask if there are masks."""
        def convolve(x, w):
            if recurrent:
                return convolution.conv(x, w, 1, "same", 1, self.data_format)
            return convolution.conv(x, w, self.strides, self.padding, self.dilation_rate,
                                   self.data_format)

        if masks is None:
            return convolve(values, kernel)
        blocks = jnp.split(kernel, 4, axis=-1)
        return jnp.concatenate([convolve(values * mask, block)
                                for mask, block in zip(masks, blocks)],
                               axis=self._channel_axis)

    def project_inputs(self, inputs: jax.Array, masks: DropoutMasks) -> jax.Array:
        step_rank = self.rank + 2
        if inputs.ndim == step_rank + 1:  # (batch, time, ...): fold time into the batch
            batch, steps = inputs.shape[:2]
            input_masks = masks.inputs
            if input_masks is not None:
                inputs = jnp.stack([masked(inputs, mask) for mask in input_masks])
                folded = inputs.reshape((4, batch * steps) + inputs.shape[3:])
                projected = jnp.concatenate(
                    [convolution.conv(x, w, self.strides, self.padding, self.dilation_rate,
                                     self.data_format)
                     for x, w in zip(folded, jnp.split(self.kernel.value, 4, axis=-1))],
                    axis=self._channel_axis)
            else:
                projected = self._convolve(inputs.reshape((batch * steps,) + inputs.shape[2:]),
                                           self.kernel.value, None, recurrent=False)
            projected = projected.reshape((batch, steps) + projected.shape[1:])
        else:
            projected = self._convolve(inputs, self.kernel.value, masks.inputs,
                                       recurrent=False)
        if self.bias is None:
            return projected
        if self.data_format == "channels_last":
            return projected + self.bias.value
        return projected + self.bias.value.reshape((-1,) + (1,) * self.rank)

    def step(self, projected: jax.Array, states: list, masks: DropoutMasks
             ) -> tuple[jax.Array, list]:
        h, c = states[0], states[1]
        z = projected + self._convolve(h, self.recurrent_kernel.value, masks.recurrent,
                                       recurrent=True)
        i, f, g, o = jnp.split(z, 4, axis=self._channel_axis)
        c = self.recurrent_activation(f) * c + self.recurrent_activation(i) * self.activation(g)
        h = self.recurrent_activation(o) * self.activation(c)
        return h, [h, c]

    def states_like(self, states: Any, new_states: list) -> Any:
        return new_states

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = self.output_shape_for(tuple(input_shape))
        return shape, [shape, shape]

    def get_config(self) -> dict[str, Any]:
        config = {key: value for key, value in super().get_config().items() if key != "units"}
        return {**config, "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


_CELL_ARGUMENTS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
    "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout")


@expose_cell_arguments(*_CELL_ARGUMENTS)
class _ConvLSTM(RNN):
    """A `ConvLSTMCell` run over the time axis of (batch, time, *spatial, channels) inputs."""

    rank = 0

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs: Any):
        cell = ConvLSTMCell(
            rank=self.rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell",
            dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)

    def check_input_shape(self, input_shape: Any) -> None:
        if isinstance(input_shape, tuple) and len(input_shape) != self.rank + 3:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"ndim={self.rank + 3}, found ndim={len(input_shape)}. Full shape received: "
                f"{input_shape}")

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None
                             ) -> Any:
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = self.cell.output_shape_for((batch,) + tuple(sequences_shape[2:]))
        output = (batch, steps) + state[1:] if self.return_sequences else state
        if self.return_state:
            return output, state, state
        return output

    def get_config(self) -> dict[str, Any]:
        return cell_layer_config(self, super().get_config())

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        return cls(**config)


class ConvLSTM1D(_ConvLSTM):
    """ConvLSTM over (batch, time, steps, channels) inputs (see `_ConvLSTM`)."""

    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """ConvLSTM over (batch, time, rows, cols, channels) inputs (see `_ConvLSTM`)."""

    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """ConvLSTM over (batch, time, depth, rows, cols, channels) inputs (see `_ConvLSTM`)."""

    rank = 3
