"""Audio spectrograms: STFTSpectrogram (a trainable Conv1D over DFT kernels) and
MelSpectrogram (a fixed mel-scaled, optionally decibel, spectrogram)."""
from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from layerwise import initializers
from layerwise.backend import epsilon
from layerwise.engine.input_spec import InputSpec
from layerwise.engine.layer import Layer
from layerwise.layers.arguments import choose, standardize_data_format
from layerwise.ops import math as math_ops
from layerwise.ops import nn as nn_ops

_STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """The short-time Fourier transform of each channel of a `(batch, time, channels)`
    signal, as a strided convolution with trainable real and imaginary DFT kernels."""

    def __init__(self, mode: str = "log", frame_length: int = 256,
                 frame_step: int | None = None, fft_length: int | None = None,
                 window: Any = "hann", periodic: bool = False, scaling: str | None = "density",
                 padding: str = "valid", expand_dims: bool = False,
                 data_format: str | None = None, **kwargs: Any):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError(
                "`frame_step` should be a positive integer not greater than `frame_length`. "
                f"Received frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. Received "
                             f"fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and fft_length & -fft_length != fft_length:
            warnings.warn("`fft_length` is recommended to be a power of two. Received "
                          f"fft_length={fft_length}")
        super().__init__(**kwargs)
        owner = f"STFTSpectrogram '{self.name}'"
        self.mode = choose(mode, _STFT_MODES, "mode", owner)
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or "
                             f"'spectrum'. Received scaling={scaling}")
        self.padding = choose(padding, ("valid", "same"), "padding", owner)
        if isinstance(window, str):
            initializers.window_weights(window, 1, periodic)  # an unknown name fails now
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=3)

    @property
    def step(self) -> int:
        return self.frame_step or self.frame_length // 2

    @property
    def bins(self) -> int:
        fft_length = self.fft_length or 2 ** int(math.ceil(math.log2(self.frame_length)))
        return fft_length // 2 + 1

    def build(self, input_shape: Any) -> None:
        shape = (self.frame_length, 1, self.bins)
        for side in ("real", "imag"):
            if self.mode != {"real": "imag", "imag": "real"}[side]:
                setattr(self, f"{side}_kernel", self.add_weight(
                    name=f"{side}_kernel", shape=shape,
                    initializer=initializers.STFT(side, self.window, self.scaling,
                                                  self.periodic)))
        self.built = True

    def _transform(self, inputs: jax.Array, kernel: Any) -> jax.Array:
        """(batch, channels, bins, frames): every channel convolved on its own."""
        if self.data_format == "channels_last":
            _, time, channels = inputs.shape
            signals = jnp.transpose(inputs, (0, 2, 1)).reshape(-1, time, 1)
        else:
            _, channels, time = inputs.shape
            signals = inputs.reshape(-1, 1, time)
        outputs = nn_ops.conv(signals, jnp.asarray(kernel).astype(inputs.dtype),
                              strides=self.step, padding=self.padding,
                              data_format=self.data_format)
        if self.data_format == "channels_last":
            outputs = jnp.transpose(outputs, (0, 2, 1))
        return outputs.reshape(-1, channels, outputs.shape[1], outputs.shape[2])

    def _arrange(self, outputs: jax.Array) -> jax.Array:
        _, channels, bins, frames = outputs.shape
        if self.expand_dims:
            order = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return jnp.transpose(outputs, order)
        outputs = outputs.reshape(-1, channels * bins, frames)
        return jnp.transpose(outputs, (0, 2, 1)) if self.data_format == "channels_last" \
            else outputs

    def call(self, inputs: jax.Array) -> jax.Array:
        # Integer signals arrive cast to the layer's float dtype (Keras refuses them).
        real = None if self.mode == "imag" else self._transform(inputs, self.real_kernel)
        imag = None if self.mode == "real" else self._transform(inputs, self.imag_kernel)
        if self.mode in ("real", "imag"):
            return self._arrange(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._arrange(jnp.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(jnp.concatenate([real, imag], axis=2))
        power = jnp.square(real) + jnp.square(imag)
        if self.mode == "psd":
            # One-sided density: every bin but the first and last counts twice.
            inner = jnp.pad(power[:, :, 1:-1, :], ((0, 0), (0, 0), (1, 1), (0, 0)))
            return self._arrange(power + inner)
        magnitude = self._arrange(jnp.sqrt(jnp.maximum(power, epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return jnp.log(jnp.maximum(magnitude, epsilon()))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        channels_last = self.data_format == "channels_last"
        batch = input_shape[0]
        time, channels = (input_shape[1], input_shape[2]) if channels_last else \
            (input_shape[2], input_shape[1])
        bins = self.bins * (2 if self.mode == "stft" else 1)
        if time is None:
            frames = None
        elif self.padding == "same":
            frames = (time - 1) // self.step + 1
        else:
            frames = (time - self.frame_length) // self.step + 1
        if self.expand_dims:
            return (batch, frames, bins, channels) if channels_last else \
                (batch, channels, frames, bins)
        features = None if channels is None else bins * channels
        return (batch, frames, features) if channels_last else (batch, features, frames)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}


# The mel scale of HTK (and tf.signal): mel = 1127 ln(1 + f / 700).
_MEL_BREAK_HERTZ, _MEL_HIGH_Q = 700.0, 1127.0


def _hertz_to_mel(hertz: jax.Array) -> jax.Array:
    return _MEL_HIGH_Q * jnp.log(1.0 + hertz / _MEL_BREAK_HERTZ)


def mel_weight_matrix(mel_bins: int, spectrogram_bins: int, sampling_rate: float,
                      lower_hertz: float, upper_hertz: float) -> jax.Array:
    """(spectrogram_bins, mel_bins) triangular filters, the DC bin given no weight."""
    dtype = "float32"
    zero = jnp.asarray(0.0, dtype)
    nyquist = jnp.asarray(sampling_rate, dtype) / 2.0
    bin_mels = _hertz_to_mel(jnp.linspace(zero, nyquist, spectrogram_bins)[1:])[:, None]
    edges = jnp.linspace(_hertz_to_mel(jnp.asarray(lower_hertz, dtype)),
                         _hertz_to_mel(jnp.asarray(upper_hertz, dtype)), mel_bins + 2)
    edges = math_ops.extract_sequences(edges, 3, 1)
    lower, center, upper = (edges[:, i].reshape(1, mel_bins) for i in range(3))
    rising = (bin_mels - lower) / (center - lower)
    falling = (upper - bin_mels) / (upper - center)
    weights = jnp.maximum(zero, jnp.minimum(rising, falling))
    return jnp.pad(weights, ((1, 0), (0, 0)))


class MelSpectrogram(Layer):
    """Audio `(batch, samples)` to a mel spectrogram `(batch, num_mel_bins, frames)`, in
    decibels below the batch's loudest value (at most `top_db`) with `power_to_db`."""

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512,
                 sequence_length: int | None = None, window: str | None = "hann",
                 sampling_rate: int = 16000, num_mel_bins: int = 128, min_freq: float = 20.0,
                 max_freq: float | None = None, power_to_db: bool = True, top_db: float = 80.0,
                 mag_exp: float = 2.0, min_power: float = 1e-10, ref_power: float = 1.0,
                 **kwargs: Any):
        sequence_length = sequence_length or fft_length
        if fft_length < sequence_length:
            raise ValueError(
                "`fft_length` must be greater than or equal to `sequence_length`. Received: "
                f"`sequence_length`={sequence_length}, `fft_length`={fft_length}.")
        super().__init__(**kwargs)
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        dtype = self.dtype if self.dtype in ("float32", "float64") else "float32"
        inputs = jnp.asarray(inputs, dtype)
        real, imag = math_ops.stft(inputs, self.sequence_length, self.sequence_stride,
                                   self.fft_length, window=self.window, center=True)
        spectrum = jnp.power(jnp.sqrt(jnp.square(real) + jnp.square(imag)), self.mag_exp)
        matrix = mel_weight_matrix(self.num_mel_bins, spectrum.shape[-1], self.sampling_rate,
                                   self.min_freq, self.max_freq)
        outputs = jnp.tensordot(spectrum, matrix, axes=1)
        if self.power_to_db:
            outputs = self._decibels(outputs)
        return jnp.swapaxes(outputs, -1, -2).astype(self.dtype)

    def _decibels(self, power: jax.Array) -> jax.Array:
        decibels = 10.0 * jnp.log10(jnp.maximum(power, self.min_power))
        reference = jnp.abs(jnp.asarray(self.ref_power))
        decibels = decibels - 10.0 * jnp.log10(jnp.maximum(reference, self.min_power))
        # The floor is relative to the loudest value of the whole batch, as in Keras.
        return jnp.maximum(decibels, jnp.max(decibels) - self.top_db)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        def frames(samples: int | None) -> int | None:
            # Keras's formula (it differs from the frame count when the stride divides
            # samples + 1).
            if samples is None:
                return None
            return (samples + self.sequence_stride + 1) // self.sequence_stride
        if len(input_shape) == 1:
            return (self.num_mel_bins, frames(input_shape[0]))
        return (input_shape[0], self.num_mel_bins, frames(input_shape[1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
