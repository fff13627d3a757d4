"""`keras.ops` math: segment reductions, top-k, special functions and Fourier transforms."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy as jsp
from jax import lax

from layerwise.ops import dtypes
from layerwise.ops.core import convert_to_tensor
from layerwise.ops.operation import symbolic_op

__all__ = [
    "cdist", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "ifft2", "in_top_k",
    "irfft", "istft", "logdet", "logsumexp", "rfft", "rsqrt", "segment_max", "segment_min",
    "segment_prod", "segment_sum", "stft", "top_k", "view_as_complex", "view_as_real",
]


def _float(x: Any) -> jax.Array:
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(dtypes.standardize_dtype(None))
    return x


# -- segments ---------------------------------------------------------------------------
def _segment(reduce: Any, data: Any, segment_ids: Any, num_segments: int | None,
             sorted: bool) -> jax.Array:
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids)
    if num_segments is None:
        raise ValueError("Argument `num_segments` must be set when using the JAX backend "
                         "(the output size must be known when tracing). "
                         "Received: num_segments=None")
    return reduce(data, segment_ids, num_segments=num_segments, indices_are_sorted=sorted)


@symbolic_op
def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> jax.Array:
    """Sum of the rows of `data` in each segment."""
    return _segment(jax.ops.segment_sum, data, segment_ids, num_segments, sorted)


@symbolic_op
def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> jax.Array:
    """Maximum of the rows of `data` in each segment (the dtype's lowest for empty ones)."""
    return _segment(jax.ops.segment_max, data, segment_ids, num_segments, sorted)


@symbolic_op
def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None,
                sorted: bool = False) -> jax.Array:
    """Minimum of the rows of `data` in each segment."""
    return _segment(jax.ops.segment_min, data, segment_ids, num_segments, sorted)


@symbolic_op
def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None,
                 sorted: bool = False) -> jax.Array:
    """Product of the rows of `data` in each segment."""
    return _segment(jax.ops.segment_prod, data, segment_ids, num_segments, sorted)


# -- top-k ------------------------------------------------------------------------------
@symbolic_op
def top_k(x: Any, k: int, sorted: bool = True) -> tuple[jax.Array, jax.Array]:
    """The `k` largest entries along the last axis and their (int32) indices."""
    values, indices = lax.top_k(convert_to_tensor(x), k)
    return values, indices if indices.dtype == jnp.int32 else indices.astype("int32")


@symbolic_op
def in_top_k(targets: Any, predictions: Any, k: int) -> jax.Array:
    """Whether each target class is among the `k` highest predictions of its row."""
    targets = convert_to_tensor(targets)
    predictions = _float(predictions)
    target_scores = jnp.take_along_axis(predictions, targets[:, None].astype("int32"),
                                        axis=-1)
    # Ties count in the target's favour: it is in the top k when fewer than k scores
    # strictly exceed its own.
    higher = jnp.sum(predictions > target_scores, axis=-1)
    finite = jnp.isfinite(target_scores[:, 0])
    return (higher < k) & finite


# -- special functions ------------------------------------------------------------------
@symbolic_op
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """`log(sum(exp(x)))` over `axis`, computed stably."""
    return jsp.special.logsumexp(_float(x), axis=axis, keepdims=keepdims)


@symbolic_op
def rsqrt(x: Any) -> jax.Array:
    """`1 / sqrt(x)`."""
    return lax.rsqrt(_float(x))


@symbolic_op
def erf(x: Any) -> jax.Array:
    """The Gauss error function."""
    return jsp.special.erf(_float(x))


@symbolic_op
def erfc(x: Any) -> jax.Array:
    """`1 - erf(x)`, accurate for large `x`."""
    return jsp.special.erfc(_float(x))


@symbolic_op
def erfinv(x: Any) -> jax.Array:
    """The inverse error function."""
    return jsp.special.erfinv(_float(x))


@symbolic_op
def logdet(x: Any) -> jax.Array:
    """`log(det(x))` of Hermitian positive-definite matrices."""
    return jnp.linalg.slogdet(_float(x))[1]


@symbolic_op
def cdist(x: Any, y: Any) -> jax.Array:
    """Pairwise Euclidean distances between the rows of `x` and `y`."""
    x, y = _float(x), _float(y)
    difference = x[..., :, None, :] - y[..., None, :, :]
    return jnp.sqrt(jnp.sum(jnp.square(difference), axis=-1))


# -- sequences and Fourier transforms ---------------------------------------------------
@symbolic_op
def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> jax.Array:
    """Frames of length `sequence_length` every `sequence_stride` along the last axis."""
    x = convert_to_tensor(x)
    count = 1 + (x.shape[-1] - sequence_length) // sequence_stride
    starts = jnp.arange(count) * sequence_stride
    index = starts[:, None] + jnp.arange(sequence_length)[None, :]
    return x[..., index]


def _complex_pair(x: Any) -> jax.Array:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary. "
                         f"Received: x={x!r}")
    real, imag = _float(x[0]), _float(x[1])
    if real.shape != imag.shape:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary. "
                         "Both the real and imaginary parts should have the same shape. "
                         f"Received: x[0].shape = {real.shape}, x[1].shape = {imag.shape}")
    return lax.complex(real, imag)


@symbolic_op
def fft(x: Any) -> tuple[jax.Array, jax.Array]:
    """FFT over the last axis of a (real, imaginary) pair; returns the pair."""
    result = jnp.fft.fft(_complex_pair(x))
    return jnp.real(result), jnp.imag(result)


@symbolic_op
def fft2(x: Any) -> tuple[jax.Array, jax.Array]:
    """2D FFT over the last two axes of a (real, imaginary) pair."""
    result = jnp.fft.fft2(_complex_pair(x))
    return jnp.real(result), jnp.imag(result)


@symbolic_op
def ifft2(x: Any) -> tuple[jax.Array, jax.Array]:
    """Inverse 2D FFT over the last two axes of a (real, imaginary) pair."""
    result = jnp.fft.ifft2(_complex_pair(x))
    return jnp.real(result), jnp.imag(result)


@symbolic_op
def rfft(x: Any, fft_length: int | None = None) -> tuple[jax.Array, jax.Array]:
    """FFT of a real signal over its last axis; (real, imaginary) of the half spectrum."""
    result = jnp.fft.rfft(_float(x), n=fft_length, axis=-1)
    return jnp.real(result), jnp.imag(result)


@symbolic_op
def irfft(x: Any, fft_length: int | None = None) -> jax.Array:
    """Inverse of `rfft`: a real signal from a (real, imaginary) half spectrum."""
    return jnp.fft.irfft(_complex_pair(x), n=fft_length, axis=-1)


def _window(window: Any, length: int, dtype: Any) -> jax.Array | None:
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError("Invalid value for argument `window`. Expected 'hann', "
                             f"'hamming', a tensor or None. Received: window={window!r}")
        n = jnp.arange(length, dtype=dtype)
        # Periodic windows (as scipy.signal.get_window's default).
        if window == "hann":
            return 0.5 - 0.5 * jnp.cos(2 * jnp.pi * n / length)
        return 0.54 - 0.46 * jnp.cos(2 * jnp.pi * n / length)
    return convert_to_tensor(window, dtype=dtype)


def _padded_window(window: Any, sequence_length: int, fft_length: int,
                   dtype: Any) -> jax.Array:
    """The window of `sequence_length` centred in `fft_length` samples (ones if None)."""
    weights = _window(window, sequence_length, dtype)
    if weights is None:
        weights = jnp.ones((sequence_length,), dtype)
    left = (fft_length - sequence_length) // 2
    return jnp.pad(weights, (left, fft_length - sequence_length - left))


@symbolic_op
def stft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int,
         window: Any = "hann", center: bool = True) -> tuple[jax.Array, jax.Array]:
    """Short-time Fourier transform of the last axis; (real, imaginary).

    Frames are `fft_length` samples every `sequence_stride`, weighted by the window of
    `sequence_length` centred in the frame.
    """
    x = _float(x)
    if center:
        pad = fft_length // 2
        x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)], mode="reflect")
    frames = extract_sequences.raw_function(x, fft_length, sequence_stride)
    frames = frames * _padded_window(window, sequence_length, fft_length, x.dtype)
    result = jnp.fft.rfft(frames, n=fft_length, axis=-1)
    return jnp.real(result), jnp.imag(result)


@symbolic_op
def istft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int,
          length: int | None = None, window: Any = "hann", center: bool = True) -> jax.Array:
    """Inverse of `stft` by windowed overlap-add."""
    frames = jnp.fft.irfft(_complex_pair(x), n=fft_length, axis=-1)
    weights = _padded_window(window, sequence_length, fft_length, frames.dtype)
    frames = frames * weights
    count = frames.shape[-2]
    total = fft_length + sequence_stride * (count - 1)
    signal = jnp.zeros(frames.shape[:-2] + (total,), frames.dtype)
    norm = jnp.zeros((total,), frames.dtype)
    for i in range(count):
        start = i * sequence_stride
        signal = signal.at[..., start:start + fft_length].add(frames[..., i, :])
        norm = norm.at[start:start + fft_length].add(jnp.square(weights))
    signal = signal / jnp.where(norm > 1e-10, norm, 1.0)
    if center:
        signal = signal[..., fft_length // 2:]
        if length is None:
            signal = signal[..., :signal.shape[-1] - fft_length // 2]
    if length is not None:
        signal = signal[..., :length]
    return signal


@symbolic_op
def view_as_complex(x: Any) -> jax.Array:
    """A (..., 2) real tensor as complex numbers (last axis: real, imaginary)."""
    x = _float(x)
    if x.shape[-1] != 2:
        raise ValueError("view_as_complex: the last dimension of `x` must be 2. "
                         f"Received: x.shape={x.shape}")
    return lax.complex(x[..., 0], x[..., 1])


@symbolic_op
def view_as_real(x: Any) -> jax.Array:
    """Complex numbers as a (..., 2) real tensor of (real, imaginary)."""
    x = convert_to_tensor(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)
