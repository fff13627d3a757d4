"""Convolution layers: Conv1D/2D/3D, Conv1D/2D/3DTranspose, DepthwiseConv1D/2D,
SeparableConv1D/2D.

Kernels are stored as Keras stores them, `kernel_size + (in_channels // groups, filters)`
(transposed convolutions: `kernel_size + (filters, in_channels)`), so weights move between
Keras and layerwise unchanged.

The convolution math (im2col on CPU, XLA elsewhere) lives in `layerwise.ops.convolution`.
"""
from __future__ import annotations

from typing import Any, Sequence

import jax

from layerwise import activations, constraints, initializers, regularizers
from layerwise.engine.layer import Layer
from layerwise.layers.arguments import (check_rank, positive_int,
                                        standardize_data_format, standardize_padding,
                                        standardize_tuple)
from layerwise.ops.convolution import (effective_size, conv, conv_output_size, conv_transpose,
                                        transpose_padding)

__all__ = [
    "Conv3D",
    "Conv3DTranspose",
    "Convolution3D",
    "Convolution3DTranspose",
    "DepthwiseConv1D",
    "SeparableConv1D",
    "SeparableConvolution1D",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution1D",
    "Convolution1DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "conv",
    "conv_transpose",
]

Padding = Sequence[tuple[int, int]]


# -- layers ------------------------------------------------------------------------------
def _add_bias(outputs: jax.Array, bias: jax.Array, data_format: str) -> jax.Array:
    if data_format == "channels_last":
        return outputs + bias
    return outputs + bias.reshape((1, -1) + (1,) * (outputs.ndim - 2))


def _channels(input_shape: tuple, data_format: str) -> int | None:
    return input_shape[-1] if data_format == "channels_last" else input_shape[1]


def _spatial(input_shape: tuple, data_format: str) -> tuple:
    return tuple(input_shape[1:-1] if data_format == "channels_last" else input_shape[2:])


def _with_spatial(input_shape: tuple, spatial: Sequence, channels: Any,
                  data_format: str) -> tuple:
    if data_format == "channels_last":
        return (input_shape[0], *spatial, channels)
    return (input_shape[0], channels, *spatial)


class _SpatialLayer(Layer):
    """What every convolution shares: rank, data format, input checks, bias, activation."""

    rank = 2

    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _input_channels(self, input_shape: tuple) -> int:
        check_rank(self, tuple(input_shape), self.rank + 2)
        channels = _channels(input_shape, self.data_format)
        if channels is None:
            raise ValueError(
                f"{self._owner()}: the channel axis of the input must be known. "
                f"Received: input_shape={input_shape}")
        return channels

    def check_input_shape(self, input_shape: Any) -> None:
        if not isinstance(input_shape, tuple):
            return
        check_rank(self, input_shape, self.rank + 2)
        if self.built:
            axis = -1 if self.data_format == "channels_last" else 1
            received = input_shape[axis]
            if received is not None and received != self._built_channels:
                raise ValueError(
                    f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                    f"expected axis {axis} of input shape to have value "
                    f"{self._built_channels}, but received input with shape {input_shape}")

    def _finish(self, outputs: jax.Array) -> jax.Array:
        if self.bias is not None:
            outputs = _add_bias(outputs, self.bias.value, self.data_format)
        return self.activation(outputs)

    def _conv_output_shape(self, input_shape: tuple, filters: int) -> tuple:
        spatial = _spatial(input_shape, self.data_format)
        sizes = [conv_output_size(n, k, s, d, self.padding) for n, k, s, d in
                 zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]
        if any(size is not None and size <= 0 for size in sizes):
            raise ValueError(
                f"{self._owner()}: computed output size would be zero or negative. "
                f"Received: input_shape={tuple(input_shape)}, kernel_size="
                f"{self.kernel_size}, strides={self.strides}, dilation_rate="
                f"{self.dilation_rate}, padding={self.padding!r}")
        return _with_spatial(tuple(input_shape), sizes, filters, self.data_format)

    def _check_strides_and_dilation(self) -> None:
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{self._owner()}: `strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}")


class _Conv(_SpatialLayer):
    """N-D convolution: `activation(conv(inputs, kernel) + bias)`.

    Args:
        filters: number of output channels.
        kernel_size: an int or `rank` ints, the window's size.
        strides: an int or `rank` ints (> 1 excludes dilation_rate > 1).
        padding: 'valid', 'same' (XLA's split: the odd cell goes after), and for Conv1D
            'causal' (all padding before, so no output sees a later step).
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: an int or `rank` ints, the spacing of the kernel's taps.
        groups: input and output channels split into this many independent blocks.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 lora_rank: int | None = None, lora_alpha: Any = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = self._owner()
        if lora_rank:
            raise NotImplementedError(f"{owner}: `lora_rank` is not supported yet.")
        self.filters = positive_int(filters, "filters", owner)
        self.groups = positive_int(groups, "groups", owner)
        if self.filters % self.groups:
            raise ValueError(
                f"{owner}: the number of filters must be evenly divisible by the number "
                f"of groups. Received: groups={self.groups}, filters={self.filters}")
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, self.rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate",
                                               owner)
        self.padding = standardize_padding(padding, owner, allow_causal=self.rank == 1)
        self.data_format = standardize_data_format(data_format, owner)
        self._check_strides_and_dilation()
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        # Created here, not in build: unseeded initializers draw their seed at construction.
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"{self._owner()}: the number of input channels must be evenly divisible "
                f"by the number of groups. Received groups={self.groups}, but the input "
                f"has {channels} channels (full input shape is {tuple(input_shape)})")
        self.compute_output_shape(input_shape)  # rejects inputs smaller than the window
        self._built_channels = channels
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _op_padding(self) -> str | Padding:
        if self.padding == "causal":
            return [(self.dilation_rate[0] * (self.kernel_size[0] - 1), 0)]
        return self.padding

    def call(self, inputs: jax.Array) -> jax.Array:
        outputs = conv(inputs, self.kernel.value, self.strides, self._op_padding(),
                       self.dilation_rate, self.data_format)
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._conv_output_shape(input_shape, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv1D(_Conv):
    """1D convolution over (batch, steps, channels) inputs; see `_Conv` for the arguments."""

    rank = 1


class Conv2D(_Conv):
    """2D convolution over (batch, height, width, channels) inputs; see `_Conv`."""

    rank = 2


class Conv3D(_Conv):
    """3D convolution over (depth, rows, columns); see `_Conv` for the arguments."""

    rank = 3


class _ConvTranspose(_SpatialLayer):
    """N-D transposed convolution (the gradient of a convolution with respect to its input).

    Args:
        output_padding: an int or `rank` ints (each < the stride) added after the output's
            spatial axes; None lets the padding mode decide, as in Keras.
        The other arguments are those of the convolutions (no `groups`).
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = self._owner()
        self.filters = positive_int(filters, "filters", owner)
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, self.rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate",
                                               owner)
        self.padding = standardize_padding(padding, owner)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, self.rank, "output_padding", owner, allow_zero=True)
        if self.output_padding is not None and any(
                o >= s for o, s in zip(self.output_padding, self.strides)):
            raise ValueError(
                f"{owner}: `output_padding` must be strictly less than `strides` on every "
                f"axis. Received: output_padding={self.output_padding}, "
                f"strides={self.strides}")
        self.data_format = standardize_data_format(data_format, owner)
        self._check_strides_and_dilation()
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = self._input_channels(input_shape)
        self._built_channels = channels
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, inputs: jax.Array) -> jax.Array:
        outputs = conv_transpose(inputs, self.kernel.value, self.strides, self.padding,
                                 self.output_padding, self.dilation_rate, self.data_format)
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        output_padding = self.output_padding or (None,) * self.rank
        sizes = []
        for n, k, s, d, o in zip(_spatial(input_shape, self.data_format), self.kernel_size,
                                 self.strides, self.dilation_rate, output_padding):
            low, high = transpose_padding(k, s, d, self.padding, o)
            # Spread input, plus padding, minus what the (dilated) window consumes.
            sizes.append(None if n is None else
                         (n - 1) * s + 1 + low + high - effective_size(k, d) + 1)
        return _with_spatial(tuple(input_shape), sizes, self.filters, self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv1DTranspose(_ConvTranspose):
    """1D transposed convolution; see `_ConvTranspose` for the arguments."""

    rank = 1


class Conv2DTranspose(_ConvTranspose):
    """2D transposed convolution; see `_ConvTranspose` for the arguments."""

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """3D transposed convolution; see `_ConvTranspose` for the arguments."""

    rank = 3


def depthwise_kernel_as_grouped(kernel: jax.Array) -> jax.Array:
    """(*k, channels, multiplier) -> (*k, 1, channels * multiplier): one group per channel."""
    return kernel.reshape(kernel.shape[:-2] + (1, kernel.shape[-2] * kernel.shape[-1]))


class _DepthwiseBase(_SpatialLayer):
    """Arguments shared by depthwise and separable convolutions."""

    def _init_spatial(self, kernel_size: Any, strides: Any, padding: str,
                      depth_multiplier: int, data_format: Any, dilation_rate: Any) -> None:
        owner = self._owner()
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", owner)
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, self.rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate",
                                               owner)
        self.padding = standardize_padding(padding, owner)
        self.data_format = standardize_data_format(data_format, owner)
        self._check_strides_and_dilation()

    def _depthwise(self, inputs: jax.Array, kernel: jax.Array) -> jax.Array:
        return conv(inputs, depthwise_kernel_as_grouped(kernel), self.strides, self.padding,
                    self.dilation_rate, self.data_format)


class DepthwiseConv2D(_DepthwiseBase):
    """Convolves each input channel with its own `depth_multiplier` filters.

    The kernel is (kh, kw, channels, depth_multiplier); output channel
    `c * depth_multiplier + m` comes from input channel `c`.
    """

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._init_spatial(kernel_size, strides, padding, depth_multiplier, data_format,
                           dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._built_channels = channels
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(channels * self.depth_multiplier,),
                initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint)

    def call(self, inputs: jax.Array) -> jax.Array:
        return self._finish(self._depthwise(inputs, self.kernel.value))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        channels = _channels(input_shape, self.data_format)
        filters = None if channels is None else channels * self.depth_multiplier
        return self._conv_output_shape(input_shape, filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class SeparableConv2D(_DepthwiseBase):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution to `filters`.

    Weights: depthwise_kernel (kh, kw, channels, depth_multiplier), pointwise_kernel
    (1, 1, channels * depth_multiplier, filters), bias (filters,).
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = positive_int(filters, "filters", self._owner())
        self._init_spatial(kernel_size, strides, padding, depth_multiplier, data_format,
                           dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.depthwise_kernel = None
        self.pointwise_kernel = None
        self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._built_channels = channels
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, inputs: jax.Array) -> jax.Array:
        depthwise = self._depthwise(inputs, self.depthwise_kernel.value)
        outputs = conv(depthwise, self.pointwise_kernel.value, 1, "valid", 1,
                       self.data_format)
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._conv_output_shape(input_shape, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class DepthwiseConv1D(DepthwiseConv2D):
    """Convolves each channel of (batch, steps, channels) inputs with its own filters."""

    rank = 1

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = 1, **kwargs: Any):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, **kwargs)


class SeparableConv1D(SeparableConv2D):
    """A depthwise 1D convolution followed by a pointwise one to `filters`."""

    rank = 1

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, depth_multiplier: int = 1, **kwargs: Any):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, **kwargs)


# Keras's alternative names for the same classes.
Convolution1D = Conv1D
Convolution3D = Conv3D
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
Convolution2D = Conv2D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
