"""`keras.ops` neural-network ops: activations, convolution and pooling, losses,
normalization, attention and label encodings."""
from __future__ import annotations

import math as _math
from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from layerwise import activations
from layerwise.ops import convolution, dtypes
from layerwise.ops.core import convert_to_tensor
from layerwise.ops.operation import symbolic_op

__all__ = [
    "adaptive_average_pool", "adaptive_max_pool", "average_pool", "batch_normalization",
    "binary_crossentropy", "categorical_crossentropy", "celu", "conv", "conv_transpose",
    "ctc_decode", "ctc_loss", "depth_to_space", "depthwise_conv", "dot_product_attention",
    "elu", "fold", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "layer_normalization", "leaky_relu", "log_sigmoid", "log_softmax",
    "max_pool", "moments", "multi_hot", "normalize", "one_hot", "polar", "psnr", "relu",
    "relu6", "rms_normalization", "selu", "separable_conv", "sigmoid", "silu",
    "soft_shrink", "softmax", "softplus", "softsign", "space_to_depth",
    "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid", "sparsemax",
    "squareplus", "swish", "tanh_shrink", "threshold", "unfold",
]


def _epsilon() -> float:
    from layerwise import backend

    return backend.epsilon()


def _data_format(data_format: str | None) -> str:
    from layerwise import backend

    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("Invalid value for argument `data_format`. Expected "
                         "'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def _floatx_array(x: Any) -> jax.Array:
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(dtypes.standardize_dtype(None))
    return x


# -- activations ------------------------------------------------------------------------
@symbolic_op
def relu(x: Any) -> jax.Array:
    """`max(x, 0)`; integer inputs stay integers."""
    x = convert_to_tensor(x)
    return jax.nn.relu(x.astype("int32") if x.dtype == jnp.bool_ else x)


@symbolic_op
def relu6(x: Any) -> jax.Array:
    """`min(max(x, 0), 6)`."""
    return jax.nn.relu6(_floatx_array(x))


@symbolic_op
def sigmoid(x: Any) -> jax.Array:
    """`1 / (1 + exp(-x))`."""
    return jax.nn.sigmoid(_floatx_array(x))


@symbolic_op
def sparse_sigmoid(x: Any) -> jax.Array:
    """Piecewise-linear sigmoid: 0 below -1, 1 above 1, `(x + 1) / 2` between."""
    return activations.sparse_sigmoid(_floatx_array(x))


@symbolic_op
def softplus(x: Any) -> jax.Array:
    """`log(exp(x) + 1)`."""
    return jax.nn.softplus(_floatx_array(x))


@symbolic_op
def softsign(x: Any) -> jax.Array:
    """`x / (abs(x) + 1)`."""
    return jax.nn.soft_sign(_floatx_array(x))


@symbolic_op
def soft_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """`x - threshold` above it, `x + threshold` below `-threshold`, 0 between."""
    return activations.soft_shrink(_floatx_array(x), threshold)


@symbolic_op
def sparse_plus(x: Any) -> jax.Array:
    """0 below -1, `x` above 1, `(x + 1)**2 / 4` between."""
    return activations.sparse_plus(_floatx_array(x))


@symbolic_op
def silu(x: Any) -> jax.Array:
    """`x * sigmoid(x)`."""
    return jax.nn.silu(_floatx_array(x))


@symbolic_op
def swish(x: Any) -> jax.Array:
    """`x * sigmoid(x)` (the same as `silu`)."""
    return jax.nn.silu(_floatx_array(x))


@symbolic_op
def squareplus(x: Any, b: float = 4) -> jax.Array:
    """`(x + sqrt(x**2 + b)) / 2`."""
    return activations.squareplus(_floatx_array(x), b)


@symbolic_op
def log_sigmoid(x: Any) -> jax.Array:
    """`log(sigmoid(x))`, computed stably."""
    return jax.nn.log_sigmoid(_floatx_array(x))


@symbolic_op
def leaky_relu(x: Any, negative_slope: float = 0.2) -> jax.Array:
    """`x` for positive `x`, `negative_slope * x` otherwise."""
    return jax.nn.leaky_relu(_floatx_array(x), negative_slope=negative_slope)


@symbolic_op
def hard_sigmoid(x: Any) -> jax.Array:
    """`relu6(x + 3) / 6`."""
    return jax.nn.hard_sigmoid(_floatx_array(x))


@symbolic_op
def hard_silu(x: Any) -> jax.Array:
    """`x * relu6(x + 3) / 6`."""
    return jax.nn.hard_silu(_floatx_array(x))


@symbolic_op
def hard_swish(x: Any) -> jax.Array:
    """`x * relu6(x + 3) / 6` (the same as `hard_silu`)."""
    return jax.nn.hard_silu(_floatx_array(x))


@symbolic_op
def elu(x: Any, alpha: float = 1.0) -> jax.Array:
    """`x` for positive `x`, `alpha * (exp(x) - 1)` otherwise."""
    return jax.nn.elu(_floatx_array(x), alpha=alpha)


@symbolic_op
def selu(x: Any) -> jax.Array:
    """Scaled exponential linear unit."""
    return jax.nn.selu(_floatx_array(x))


@symbolic_op
def gelu(x: Any, approximate: bool = True) -> jax.Array:
    """Gaussian error linear unit (tanh approximation by default, as in Keras's op)."""
    return jax.nn.gelu(_floatx_array(x), approximate=approximate)


@symbolic_op
def celu(x: Any, alpha: float = 1.0) -> jax.Array:
    """`max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)`."""
    return jax.nn.celu(_floatx_array(x), alpha=alpha)


@symbolic_op
def glu(x: Any, axis: int = -1) -> jax.Array:
    """Gated linear unit: the first half of `axis` times the sigmoid of the second half."""
    x = _floatx_array(x)
    if x.shape[axis] % 2:
        raise ValueError("glu: the size of axis `axis` must be divisible by 2. Received: "
                         f"x.shape={x.shape}, axis={axis}")
    return jax.nn.glu(x, axis=axis)


@symbolic_op
def tanh_shrink(x: Any) -> jax.Array:
    """`x - tanh(x)`."""
    x = _floatx_array(x)
    return x - jnp.tanh(x)


@symbolic_op
def hard_tanh(x: Any) -> jax.Array:
    """`x` clipped to [-1, 1]; integer inputs stay integers."""
    x = convert_to_tensor(x)
    return jax.nn.hard_tanh(x.astype("int32") if x.dtype == jnp.bool_ else x)


@symbolic_op
def hard_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """`x` where `|x| > threshold`, 0 elsewhere."""
    return activations.hard_shrink(_floatx_array(x), threshold)


@symbolic_op
def threshold(x: Any, threshold: float, default_value: float) -> jax.Array:
    """`x` where `x > threshold`, `default_value` elsewhere."""
    x = convert_to_tensor(x)
    return jnp.where(x > threshold, x, jnp.asarray(default_value, x.dtype))


@symbolic_op
def softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """`exp(x) / sum(exp(x))` along `axis`."""
    return jax.nn.softmax(_floatx_array(x), axis=axis)


@symbolic_op
def log_softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """`x - logsumexp(x)` along `axis`."""
    return jax.nn.log_softmax(_floatx_array(x), axis=axis)


@symbolic_op
def sparsemax(x: Any, axis: int = -1) -> jax.Array:
    """Euclidean projection of `x` onto the probability simplex along `axis`."""
    return activations.sparsemax(_floatx_array(x), axis=axis)


@symbolic_op
def polar(abs_: Any, angle: Any) -> jax.Array:
    """The complex number with modulus `abs_` and argument `angle`."""
    abs_, angle = _floatx_array(abs_), _floatx_array(angle)
    return abs_ * jnp.cos(angle) + 1j * abs_ * jnp.sin(angle)


# -- convolution and pooling ------------------------------------------------------------
def _conv_padding(padding: str) -> str:
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding not in ("valid", "same"):
        raise ValueError("Invalid value for argument `padding`. Expected 'valid' or 'same'. "
                         f"Received: padding={padding!r}")
    return padding


@symbolic_op
def conv(inputs: Any, kernel: Any, strides: int | Sequence[int] = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: int | Sequence[int] = 1) -> jax.Array:
    """N-D convolution; `kernel` is `kernel_size + (in_channels // groups, filters)`."""
    inputs, kernel = _floatx_array(inputs), _floatx_array(kernel)
    return convolution.conv(inputs, kernel, strides, _conv_padding(padding), dilation_rate,
                            _data_format(data_format))


@symbolic_op
def depthwise_conv(inputs: Any, kernel: Any, strides: int | Sequence[int] = 1,
                   padding: str = "valid", data_format: str | None = None,
                   dilation_rate: int | Sequence[int] = 1) -> jax.Array:
    """Per-channel convolution; `kernel` is `kernel_size + (in_channels, multiplier)`."""
    inputs, kernel = _floatx_array(inputs), _floatx_array(kernel)
    grouped = kernel.reshape(kernel.shape[:-2] + (1, kernel.shape[-2] * kernel.shape[-1]))
    return convolution.conv(inputs, grouped, strides, _conv_padding(padding), dilation_rate,
                            _data_format(data_format))


@symbolic_op
def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any,
                   strides: int | Sequence[int] = 1, padding: str = "valid",
                   data_format: str | None = None,
                   dilation_rate: int | Sequence[int] = 1) -> jax.Array:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    depthwise = depthwise_conv.raw_function(inputs, depthwise_kernel, strides, padding,
                                            data_format, dilation_rate)
    return conv.raw_function(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


@symbolic_op
def conv_transpose(inputs: Any, kernel: Any, strides: int | Sequence[int] = 1,
                   padding: str = "valid", output_padding: Any = None,
                   data_format: str | None = None,
                   dilation_rate: int | Sequence[int] = 1) -> jax.Array:
    """Transposed convolution; `kernel` is `kernel_size + (filters, in_channels)`."""
    inputs, kernel = _floatx_array(inputs), _floatx_array(kernel)
    return convolution.conv_transpose(inputs, kernel, strides, _conv_padding(padding),
                                      output_padding, dilation_rate,
                                      _data_format(data_format))


def _pool(inputs: jax.Array, init: float, reducer: Any, pool_size: Any, strides: Any,
          padding: str, data_format: str) -> jax.Array:
    rank = inputs.ndim - 2
    pool_size = convolution._as_tuple(pool_size, rank)
    strides = pool_size if strides is None else convolution._as_tuple(strides, rank)
    if data_format == "channels_last":
        window, steps = (1, *pool_size, 1), (1, *strides, 1)
    else:
        window, steps = (1, 1, *pool_size), (1, 1, *strides)
    return lax.reduce_window(inputs, jnp.asarray(init, inputs.dtype), reducer, window, steps,
                             _conv_padding(padding).upper())


@symbolic_op
def max_pool(inputs: Any, pool_size: int | Sequence[int], strides: Any = None,
             padding: str = "valid", data_format: str | None = None) -> jax.Array:
    """Maximum over sliding windows of the spatial axes."""
    inputs = convert_to_tensor(inputs)
    init = -jnp.inf if jnp.issubdtype(inputs.dtype, jnp.floating) else jnp.iinfo(
        inputs.dtype).min
    return _pool(inputs, init, lax.max, pool_size, strides, padding, _data_format(data_format))


@symbolic_op
def average_pool(inputs: Any, pool_size: int | Sequence[int], strides: Any = None,
                 padding: str = "valid", data_format: str | None = None) -> jax.Array:
    """Mean over sliding windows of the spatial axes ('same': over the cells inside)."""
    inputs = _floatx_array(inputs)
    data_format = _data_format(data_format)
    total = _pool(inputs, 0.0, lax.add, pool_size, strides, padding, data_format)
    if _conv_padding(padding) == "valid":
        return total / _math.prod(convolution._as_tuple(pool_size, inputs.ndim - 2))
    counts = _pool(jnp.ones_like(inputs), 0.0, lax.add, pool_size, strides, padding,
                   data_format)
    return total / counts


def _adaptive_pool(inputs: jax.Array, output_size: Any, data_format: str,
                   reduce: Any) -> jax.Array:
    rank = inputs.ndim - 2
    output_size = convolution._as_tuple(output_size, rank)
    channels_last = data_format == "channels_last"
    spatial_axes = range(1, rank + 1) if channels_last else range(2, rank + 2)
    x = inputs
    for axis, out in zip(spatial_axes, output_size):
        size = x.shape[axis]
        pieces = []
        for i in range(out):
            # Bin i covers [floor(i * n / out), ceil((i + 1) * n / out)).
            start, stop = (i * size) // out, -((-(i + 1) * size) // out)
            pieces.append(reduce(lax.slice_in_dim(x, start, stop, axis=axis), axis))
        x = jnp.stack(pieces, axis=axis)
    return x


@symbolic_op
def adaptive_average_pool(inputs: Any, output_size: Any,
                          data_format: str | None = None) -> jax.Array:
    """Average pooling into a fixed `output_size` of bins (as PyTorch's adaptive pools)."""
    return _adaptive_pool(_floatx_array(inputs), output_size, _data_format(data_format),
                          lambda piece, axis: jnp.mean(piece, axis=axis))


@symbolic_op
def adaptive_max_pool(inputs: Any, output_size: Any,
                      data_format: str | None = None) -> jax.Array:
    """Max pooling into a fixed `output_size` of bins."""
    return _adaptive_pool(convert_to_tensor(inputs), output_size, _data_format(data_format),
                          lambda piece, axis: jnp.max(piece, axis=axis))


# -- label encodings ---------------------------------------------------------------------
@symbolic_op
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> jax.Array:
    """One-hot vectors of the integer labels `x`, along a new axis `axis`."""
    if sparse:
        raise ValueError("one_hot: `sparse=True` is not supported by the JAX backend.")
    return jax.nn.one_hot(convert_to_tensor(x), num_classes, axis=axis,
                          dtype=dtypes.standardize_dtype(dtype))


@symbolic_op
def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> jax.Array:
    """Multi-hot vectors: 1 at every class present in each sample (last axis)."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: argument `num_classes` must be specified.")
    if sparse:
        raise ValueError("multi_hot: `sparse=True` is not supported by the JAX backend.")
    inputs = convert_to_tensor(inputs)
    reduction_axis = 1 if inputs.ndim > 1 else 0
    encoded = jax.nn.one_hot(inputs, num_classes, axis=axis,
                             dtype=dtypes.standardize_dtype(dtype))
    return jnp.max(encoded, axis=reduction_axis)


# -- losses -----------------------------------------------------------------------------
@symbolic_op
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> jax.Array:
    """Elementwise binary crossentropy."""
    target, output = _floatx_array(target), _floatx_array(output)
    if from_logits:
        return -target * jax.nn.log_sigmoid(output) - (1 - target) * jax.nn.log_sigmoid(
            -output)
    output = jnp.clip(output, _epsilon(), 1 - _epsilon())
    return -(target * jnp.log(output) + (1 - target) * jnp.log(1 - output))


@symbolic_op
def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> jax.Array:
    """Crossentropy of one-hot `target` and probabilities (or logits) `output`."""
    target, output = _floatx_array(target), _floatx_array(output)
    if target.shape != output.shape:
        raise ValueError("categorical_crossentropy: arguments `target` and `output` must "
                         f"have the same shape. Received: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    return -jnp.sum(target * _log_probabilities(output, from_logits, axis), axis=axis)


def _log_probabilities(output: jax.Array, from_logits: bool, axis: int) -> jax.Array:
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(output, _epsilon(), 1 - _epsilon()))


@symbolic_op
def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> jax.Array:
    """Crossentropy of integer labels `target` and probabilities (or logits) `output`."""
    target = convert_to_tensor(target).astype("int32")
    output = _floatx_array(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    encoded = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -jnp.sum(encoded * _log_probabilities(output, from_logits, axis), axis=axis)


@symbolic_op
def psnr(x1: Any, x2: Any, max_val: float) -> jax.Array:
    """Peak signal-to-noise ratio `20 log10(max_val) - 10 log10(mse)`."""
    x1, x2 = _floatx_array(x1), _floatx_array(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"psnr: input shapes must match. Received: x1.shape={x1.shape}, "
                         f"x2.shape={x2.shape}")
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20 * jnp.log10(max_val) - 10 * jnp.log10(mse)


# -- normalization ----------------------------------------------------------------------
@symbolic_op
def moments(x: Any, axes: Sequence[int], keepdims: bool = False,
            synchronized: bool = False) -> tuple[jax.Array, jax.Array]:
    """Mean and variance of `x` over `axes` (half precision computed in float32)."""
    if synchronized:
        raise NotImplementedError("moments: `synchronized=True` is not supported with JAX.")
    x = _floatx_array(x)
    original = x.dtype
    if original in (jnp.float16, jnp.bfloat16):
        x = x.astype("float32")
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    mean = jnp.mean(x, axis=axes, keepdims=keepdims)
    variance = jnp.var(x, axis=axes, keepdims=keepdims)
    if original != x.dtype:
        limit = jnp.finfo(original).max
        mean = jnp.clip(mean, -limit, limit).astype(original)
        variance = jnp.clip(variance, -limit, limit).astype(original)
    return mean, variance


@symbolic_op
def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None,
                        scale: Any = None, epsilon: float = 1e-3) -> jax.Array:
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, statistics along `axis`."""
    x = _floatx_array(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def broadcast(value):
        return None if value is None else jnp.reshape(convert_to_tensor(value), shape)

    mean, variance = broadcast(mean), broadcast(variance)
    offset, scale = broadcast(offset), broadcast(scale)
    inverse = lax.rsqrt(variance + epsilon)
    if scale is not None:
        inverse = inverse * scale
    shift = -mean * inverse
    if offset is not None:
        shift = shift + offset
    return x * inverse + shift


@symbolic_op
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError("Invalid value for argument `order`. Expected an integer >= 1. "
                         f"Received: order={order!r}")
    epsilon = _epsilon() if epsilon is None else epsilon
    x = _floatx_array(x)
    if order == 2:
        squares = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
        return x * jnp.minimum(lax.rsqrt(squares), 1.0 / epsilon)
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, epsilon)


@symbolic_op
def rms_normalization(x: Any, scale: Any = None, axis: int = -1,
                      epsilon: float | None = None) -> jax.Array:
    """`x / sqrt(mean(x**2) + epsilon) * scale` along `axis`."""
    epsilon = _epsilon() if epsilon is None else epsilon
    x = _floatx_array(x)
    normalized = x * lax.rsqrt(jnp.mean(jnp.square(x), axis=axis, keepdims=True) + epsilon)
    return normalized if scale is None else normalized * convert_to_tensor(scale)


@symbolic_op
def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: int = -1,
                        epsilon: float | None = None, **kwargs: Any) -> jax.Array:
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta` along `axis`."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if rms_scaling:
        return rms_normalization.raw_function(x, gamma, axis, epsilon)
    epsilon = _epsilon() if epsilon is None else epsilon
    x = _floatx_array(x)
    mean, variance = moments.raw_function(x, axes=(axis,), keepdims=True)
    normalized = (x - mean) * lax.rsqrt(variance + epsilon)
    if gamma is not None:
        normalized = normalized * convert_to_tensor(gamma)
    if beta is not None:
        normalized = normalized + convert_to_tensor(beta)
    return normalized


# -- attention ---------------------------------------------------------------------------
@symbolic_op
def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None,
                          mask: Any = None, scale: float | None = None,
                          is_causal: bool = False, flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> jax.Array:
    """Scaled dot-product attention over (batch, length, heads, head_dim) tensors."""
    if flash_attention:
        raise ValueError("dot_product_attention: flash attention is not supported here. "
                         f"Received: flash_attention={flash_attention}")
    query, key, value = (_floatx_array(t) for t in (query, key, value))
    if query.ndim != 4:
        raise ValueError("dot_product_attention: `query` must be 4D (batch, length, heads, "
                         f"head_dim). Received: query.shape={query.shape}")
    scale = 1.0 / _math.sqrt(query.shape[-1]) if scale is None else scale
    key_heads, query_heads = key.shape[-2], query.shape[-2]
    if query_heads != key_heads:  # grouped-query attention: repeat the key/value heads
        key = jnp.repeat(key, query_heads // key_heads, axis=-2)
        value = jnp.repeat(value, query_heads // key_heads, axis=-2)
    logits = jnp.einsum("BTNH,BSNH->BNTS", query, key) * jnp.asarray(scale, query.dtype)
    if attn_logits_soft_cap is not None:
        logits = jnp.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
    if bias is not None:
        logits = logits + convert_to_tensor(bias).astype(logits.dtype)
    large_negative = jnp.asarray(jnp.finfo(logits.dtype).min * 0.7, logits.dtype)
    if mask is not None:
        logits = jnp.where(convert_to_tensor(mask).astype(bool), logits, large_negative)
    if is_causal:
        length_q, length_k = logits.shape[-2:]
        causal = jnp.tril(jnp.ones((length_q, length_k), bool))
        logits = jnp.where(causal, logits, large_negative)
    probabilities = jax.nn.softmax(logits.astype("float32"), axis=-1).astype(value.dtype)
    return jnp.einsum("BNTS,BSNH->BTNH", probabilities, value)


# -- rearranging -------------------------------------------------------------------------
@symbolic_op
def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> jax.Array:
    """Move blocks of channels into `block_size` x `block_size` spatial blocks."""
    x = convert_to_tensor(x)
    if data_format == "channels_first":
        x = jnp.transpose(x, (0, 2, 3, 1))
    batch, height, width, channels = x.shape
    depth = channels // (block_size * block_size)
    x = x.reshape(batch, height, width, block_size, block_size, depth)
    x = jnp.transpose(x, (0, 1, 3, 2, 4, 5)).reshape(
        batch, height * block_size, width * block_size, depth)
    return jnp.transpose(x, (0, 3, 1, 2)) if data_format == "channels_first" else x


@symbolic_op
def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> jax.Array:
    """Move `block_size` x `block_size` spatial blocks into the channel axis."""
    x = convert_to_tensor(x)
    if data_format == "channels_first":
        x = jnp.transpose(x, (0, 2, 3, 1))
    batch, height, width, channels = x.shape
    x = x.reshape(batch, height // block_size, block_size, width // block_size, block_size,
                  channels)
    x = jnp.transpose(x, (0, 1, 3, 2, 4, 5)).reshape(
        batch, height // block_size, width // block_size, block_size * block_size * channels)
    return jnp.transpose(x, (0, 3, 1, 2)) if data_format == "channels_first" else x


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


@symbolic_op
def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> jax.Array:
    """Sliding local blocks of a (N, C, H, W) tensor as (N, C * kh * kw, blocks)."""
    x = convert_to_tensor(x)
    kernel, dilation, padding, stride = (_pair(v) for v in (kernel_size, dilation, padding,
                                                             stride))
    x = jnp.pad(x, [(0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])])
    patches = lax.conv_general_dilated_patches(
        x, kernel, stride, "VALID", rhs_dilation=dilation,
        dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return patches.reshape(patches.shape[0], patches.shape[1], -1)


@symbolic_op
def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> jax.Array:
    """The inverse of `unfold`: sum (N, C * kh * kw, blocks) blocks into (N, C, H, W)."""
    x = convert_to_tensor(x)
    height, width = _pair(output_size)
    kernel, dilation, padding, stride = (_pair(v) for v in (kernel_size, dilation, padding,
                                                             stride))
    batch = x.shape[0]
    channels = x.shape[1] // (kernel[0] * kernel[1])
    padded = (height + 2 * padding[0], width + 2 * padding[1])
    blocks = [(padded[i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1
              for i in range(2)]
    x = x.reshape(batch, channels, kernel[0], kernel[1], blocks[0], blocks[1])
    out = jnp.zeros((batch, channels, *padded), x.dtype)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            top, left = i * dilation[0], j * dilation[1]
            out = out.at[:, :, top:top + stride[0] * (blocks[0] - 1) + 1:stride[0],
                         left:left + stride[1] * (blocks[1] - 1) + 1:stride[1]].add(
                x[:, :, i, j])
    return out[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width]


# -- CTC ---------------------------------------------------------------------------------
@symbolic_op
def ctc_loss(target: Any, output: Any, target_length: Any, output_length: Any,
             mask_index: int = 0) -> jax.Array:
    """Connectionist temporal classification loss per sample; `output` holds logits
    (batch, time, classes), `mask_index` is the blank class."""
    import optax

    target = convert_to_tensor(target).astype("int32")
    output = _floatx_array(output)
    target_length = convert_to_tensor(target_length).astype("int32")
    output_length = convert_to_tensor(output_length).astype("int32")
    log_probs = jax.nn.log_softmax(output, axis=-1)
    time = output.shape[1]
    logit_paddings = (jnp.arange(time)[None, :] >= output_length[:, None]).astype(
        output.dtype)
    label_paddings = (jnp.arange(target.shape[1])[None, :] >= target_length[:, None]).astype(
        output.dtype)
    return optax.ctc_loss(log_probs, logit_paddings, target, label_paddings,
                          blank_id=mask_index)


@symbolic_op
def ctc_decode(inputs: Any, sequence_lengths: Any, strategy: str = "greedy",
               beam_width: int = 100, top_paths: int = 1, merge_repeated: bool = True,
               mask_index: int = 0) -> tuple[jax.Array, jax.Array]:
    """Greedy CTC decoding: (decoded labels (1, batch, time) padded with -1, scores)."""
    if strategy != "greedy":
        raise ValueError("ctc_decode: only strategy='greedy' is supported. "
                         f"Received: strategy={strategy!r}")
    inputs = _floatx_array(inputs)
    sequence_lengths = convert_to_tensor(sequence_lengths).astype("int32")
    batch, time, _ = inputs.shape
    labels = jnp.argmax(inputs, axis=-1).astype("int32")
    valid = jnp.arange(time)[None, :] < sequence_lengths[:, None]
    # The score is minus the summed best raw inputs over the valid steps.
    scores = -jnp.sum(jnp.where(valid, jnp.max(inputs, axis=-1), 0.0), axis=1, keepdims=True)
    keep = valid & (labels != mask_index)
    if merge_repeated:
        repeated = jnp.concatenate(
            [jnp.zeros((batch, 1), bool), labels[:, 1:] == labels[:, :-1]], axis=1)
        keep = keep & ~repeated
    # Stable compaction: kept labels first, in order, then -1 padding.
    order = jnp.argsort(~keep, axis=1, stable=True)
    compacted = jnp.take_along_axis(jnp.where(keep, labels, -1), order, axis=1)
    return compacted[None], scores
