"""Convolution math behind `ops.conv`, `ops.conv_transpose` and the convolution layers.

The convolution itself has two formulations with the same numbers (up to float32
summation order). On GPU/TPU it is XLA's own convolution, exactly the call Keras-JAX makes.
On CPU it is im2col: the shifted (strided, dilated) windows of the padded input are
concatenated along the channel axis and multiplied with the flattened kernel in one
matmul. XLA's CPU convolution is slow, and many times slower inside the `lax.scan`
that runs a training epoch. Measured on our 2-core CPU machines (shared with other jobs,
so noisy), a (128, 28, 28, 1) -> Conv2D(32, 3) -> Conv2D(64, 3) -> Dense(10) stack,
forward + backward + SGD update, inside a jitted lax.scan of 8 steps, per step:

    lax.conv_general_dilated (NHWC)        4870 ms   (8120 ms in a busier rerun)
    lax.conv_general_dilated (NCHW)        4180 ms
    im2col, concatenate + one matmul        290 ms   ( 193 ms in the rerun)
    im2col, stacked windows + einsum        310 ms   ( 207 ms in the rerun)
    conv_general_dilated_patches + matmul   370 ms
    one matmul per kernel offset, summed    500 ms

As a jitted single step (no scan) XLA's convolution took 314-760 ms and im2col
269-410 ms. So the CPU path is concatenate + one matmul, or one matmul per offset when
the concatenated windows would be too large (`MAX_PATCH_BYTES`).
"""
from __future__ import annotations

import itertools
from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

Padding = Sequence[tuple[int, int]]


def _as_tuple(value: int | Sequence[int], n: int) -> tuple[int, ...]:
    """An int repeated `n` times, or the given sequence as a tuple."""
    if isinstance(value, int):
        return (value,) * n
    return tuple(int(v) for v in value)


# -- shapes and paddings -----------------------------------------------------------------
def effective_size(kernel: int, dilation: int) -> int:
    return (kernel - 1) * dilation + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """XLA's 'SAME' padding of one axis: the extra cell, if odd, goes after."""
    output = -(-size // stride)
    total = max((output - 1) * stride + effective_size(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


def explicit_padding(spatial_shape: Sequence[int], kernel_size: Sequence[int],
                     strides: Sequence[int], dilation_rate: Sequence[int],
                     padding: str | Padding) -> list[tuple[int, int]]:
    """(low, high) padding per spatial axis for 'valid', 'same' or explicit pairs."""
    if padding == "valid":
        return [(0, 0)] * len(spatial_shape)
    if padding == "same":
        return [same_padding(n, k, s, d) for n, k, s, d in
                zip(spatial_shape, kernel_size, strides, dilation_rate)]
    return [(int(low), int(high)) for low, high in padding]


def conv_output_size(size: int | None, kernel: int, stride: int, dilation: int,
                     padding: str) -> int | None:
    """Length of one spatial axis after a convolution (None stays None)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - effective_size(kernel, dilation)) // stride + 1
    return (size - 1) // stride + 1  # 'same' and 'causal'


def _channels_to_last(x: jax.Array) -> jax.Array:
    return jnp.moveaxis(x, 1, -1)


def _channels_to_first(x: jax.Array) -> jax.Array:
    return jnp.moveaxis(x, -1, 1)


def default_implementation() -> str:
    """'im2col' on CPU, where XLA's convolution is slow; 'xla' on GPU and TPU."""
    return "im2col" if jax.default_backend() == "cpu" else "xla"


# -- the two formulations ----------------------------------------------------------------
def _windows(x: jax.Array, kernel_size: Sequence[int], strides: Sequence[int],
             dilation_rate: Sequence[int]) -> list[jax.Array]:
    """The input seen by each kernel offset, in kernel order: one strided slice each.

    `x` is channels-last and already padded. Slice `k` holds, at output position `p`,
    the input at `p * stride + offset_k * dilation`.
    """
    spatial = x.shape[1:-1]
    outputs = [(n - effective_size(k, d)) // s + 1
               for n, k, s, d in zip(spatial, kernel_size, strides, dilation_rate)]
    windows = []
    for offsets in itertools.product(*(range(k) for k in kernel_size)):
        starts = [o * d for o, d in zip(offsets, dilation_rate)]
        limits = [start + (m - 1) * s + 1 for start, m, s in zip(starts, outputs, strides)]
        windows.append(lax.slice(x, (0, *starts, 0), (x.shape[0], *limits, x.shape[-1]),
                                 (1, *strides, 1)))
    return windows


# Above this many bytes of stacked windows, im2col accumulates one matmul per kernel
# offset instead: slower (500 vs 290 ms in the benchmark above) but its memory stays at
# the output's size, where the stacked windows are kernel-size times the input.
MAX_PATCH_BYTES = 1 << 28


def _conv_im2col(x: jax.Array, kernel: jax.Array, strides: Sequence[int],
                 pads: Padding, dilation_rate: Sequence[int]) -> jax.Array:
    """Channels-last convolution as matmuls of the input windows (see the module doc)."""
    kernel_size = kernel.shape[:-2]
    group_channels, filters = kernel.shape[-2:]
    groups = x.shape[-1] // group_channels
    if any(low or high for low, high in pads):
        x = jnp.pad(x, [(0, 0), *pads, (0, 0)])
    windows = _windows(x, kernel_size, strides, dilation_rate)
    positions = windows[0].shape[:-1]
    if windows[0].size * len(windows) * x.dtype.itemsize > MAX_PATCH_BYTES:
        per_offset = kernel.reshape(len(windows), group_channels, groups, filters // groups)
        outputs = sum(jnp.einsum("...gc,cgf->...gf",
                                 window.reshape(*positions, groups, group_channels), weights)
                      for window, weights in zip(windows, per_offset))
        return outputs.reshape(*positions, filters)
    if groups == 1:
        # Channel index (offset, channel) of the patches matches kernel.reshape(-1, filters).
        patches = jnp.concatenate(windows, axis=-1).reshape(-1, len(windows) * group_channels)
        outputs = jnp.matmul(patches, kernel.reshape(-1, filters))
        return outputs.reshape(*positions, filters)
    # Groups: input channel block g meets output channel block g only.
    patches = jnp.stack(windows, axis=-2).reshape(-1, len(windows), groups, group_channels)
    kernel = kernel.reshape(len(windows), group_channels, groups, filters // groups)
    outputs = jnp.einsum("pkgc,kcgf->pgf", patches, kernel)
    return outputs.reshape(*positions, filters)


def _dimension_numbers(rank: int, data_format: str) -> lax.ConvDimensionNumbers:
    spatial = tuple(range(rank))
    if data_format == "channels_last":
        inputs = (0, rank + 1) + tuple(range(1, rank + 1))
    else:
        inputs = (0, 1) + tuple(range(2, rank + 2))
    return lax.ConvDimensionNumbers(lhs_spec=inputs, rhs_spec=(rank + 1, rank) + spatial,
                                    out_spec=inputs)


def conv(inputs: jax.Array, kernel: jax.Array, strides: int | Sequence[int] = 1,
         padding: str | Padding = "valid", dilation_rate: int | Sequence[int] = 1,
         data_format: str = "channels_last", implementation: str | None = None) -> jax.Array:
    """N-D convolution (cross-correlation), as Keras's `ops.conv`.

    Args:
        inputs: (batch, *spatial, channels), or (batch, channels, *spatial).
        kernel: `kernel_size + (channels // groups, filters)`; `groups` follows from the
            number of input channels.
        padding: 'valid', 'same', or one (low, high) pair per spatial axis.
        implementation: 'im2col' or 'xla'; None chooses per platform.
    """
    rank = inputs.ndim - 2
    strides = _as_tuple(strides, rank)
    dilation_rate = _as_tuple(dilation_rate, rank)
    spatial = inputs.shape[1:-1] if data_format == "channels_last" else inputs.shape[2:]
    pads = explicit_padding(spatial, kernel.shape[:-2], strides, dilation_rate, padding)
    implementation = implementation or default_implementation()
    if implementation == "xla":
        channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
        return lax.conv_general_dilated(
            inputs, kernel, strides, pads, rhs_dilation=dilation_rate,
            dimension_numbers=_dimension_numbers(rank, data_format),
            feature_group_count=channels // kernel.shape[-2])
    if data_format == "channels_first":
        outputs = _conv_im2col(_channels_to_last(inputs), kernel, strides, pads, dilation_rate)
        return _channels_to_first(outputs)
    return _conv_im2col(inputs, kernel, strides, pads, dilation_rate)


def transpose_padding(kernel: int, stride: int, dilation: int, padding: str,
                      output_padding: int | None) -> tuple[int, int]:
    """Keras's padding of the stride-dilated input of a transposed convolution."""
    size = effective_size(kernel, dilation)
    if padding == "valid":
        if output_padding is None:
            output_padding = max(size, stride) - size
        return size - 1, size - 1 + output_padding
    if output_padding is None:
        total = stride + size - 2
    else:
        total = size + size % 2 - 2 + output_padding
    low = min(total // 2 + total % 2, size - 1)
    return low, total - low


def conv_transpose(inputs: jax.Array, kernel: jax.Array, strides: int | Sequence[int] = 1,
                   padding: str = "valid", output_padding: Any = None,
                   dilation_rate: int | Sequence[int] = 1, data_format: str = "channels_last",
                   implementation: str | None = None) -> jax.Array:
    """Transposed convolution, as Keras's `ops.conv_transpose`.

    `kernel` is `kernel_size + (filters, channels)`. The input is spread out by the
    strides (zeros in between), padded, and convolved with the spatially flipped kernel.
    """
    rank = inputs.ndim - 2
    strides = _as_tuple(strides, rank)
    dilation_rate = _as_tuple(dilation_rate, rank)
    if output_padding is None or isinstance(output_padding, int):
        output_padding = (output_padding,) * rank
    pads = [transpose_padding(k, s, d, padding, o) for k, s, d, o in
            zip(kernel.shape[:-2], strides, dilation_rate, output_padding)]
    implementation = implementation or default_implementation()
    if implementation == "xla":
        return lax.conv_transpose(inputs, kernel, strides, pads, rhs_dilation=dilation_rate,
                                  dimension_numbers=_dimension_numbers(rank, data_format),
                                  transpose_kernel=True)
    x = _channels_to_last(inputs) if data_format == "channels_first" else inputs
    # Zeros between input cells (interior padding) make the stride; then pad the edges.
    x = lax.pad(x, jnp.zeros((), x.dtype),
                [(0, 0, 0), *((low, high, s - 1) for (low, high), s in zip(pads, strides)),
                 (0, 0, 0)])
    flipped = jnp.swapaxes(jnp.flip(kernel, axis=tuple(range(rank))), -1, -2)
    outputs = _conv_im2col(x, flipped, (1,) * rank, [(0, 0)] * rank, dilation_rate)
    return _channels_to_first(outputs) if data_format == "channels_first" else outputs
