"""Weight initializers with Keras 3's names, arguments, configs and (JAX backend) numbers.

An initializer is a callable `(shape, dtype="float32") -> array`. Random initializers
hold a seed: an integer gives the key `[seed, 0]` on every call, so calling the same
initializer twice gives the same values (as in Keras 3); seed=None draws an integer seed
at construction from Python's `random` (see `layerwise.random`), so
`set_random_seed` reproduces Keras's initial weights bit for bit. A `SeedGenerator`
as the seed gives fresh values on every call.
"""
from __future__ import annotations

import difflib
import math
import re
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import random
from layerwise.engine.registry import Namespace, public_dir
from layerwise.engine.variables import to_device

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFT",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]

_MODULE = "keras.initializers"


def _standardize_dtype(dtype: Any) -> jnp.dtype:
    return jnp.dtype("float32" if dtype is None else dtype)


def _standardize_shape(shape: Sequence[int]) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    shape = tuple(shape)
    for size in shape:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
            raise ValueError(
                "Invalid value for argument `shape`. Expected a tuple of non-negative "
                f"integers. Received: shape={shape}"
            )
    return tuple(int(size) for size in shape)


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype)` and, when they take
    arguments, `get_config()`."""

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        raise NotImplementedError(f"{type(self).__name__} must implement `__call__()`.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        return cls(**config)

    def clone(self) -> "Initializer":
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


# -- constants -------------------------------------------------------------------------------


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        # Built on the host: a jnp.zeros here compiles one tiny program per shape.
        return to_device(np.zeros(_standardize_shape(shape), _standardize_dtype(dtype)))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        return to_device(np.ones(_standardize_shape(shape), _standardize_dtype(dtype)))


class Constant(Initializer):
    """Every entry equal to `value` (a scalar, or an array broadcast to the shape)."""

    def __init__(self, value: Any = 0.0):
        self.value = value

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        dtype = _standardize_dtype(dtype)
        value = np.asarray(self.value).astype(dtype)
        return to_device(np.broadcast_to(value, _standardize_shape(shape)).copy())

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, (np.ndarray, jax.Array)):
            # Keras's serialized form for an array value.
            array = np.asarray(value)
            value = {
                "class_name": "__numpy__",
                "config": {"value": array.tolist(), "dtype": array.dtype.name},
            }
        return {"value": value}

    @classmethod
    def from_config(cls, config: dict) -> "Constant":
        value = config.get("value", 0.0)
        if isinstance(value, dict) and value.get("class_name") == "__numpy__":
            value = np.array(value["config"]["value"], dtype=value["config"]["dtype"])
        return cls(value)


class Identity(Initializer):
    """`gain` times the identity matrix; 2-D shapes only."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        shape = _standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * jnp.eye(*shape, dtype=_standardize_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


# -- random ----------------------------------------------------------------------------------


def _resolve_seed(seed: Any) -> "int | random.SeedGenerator":
    """What a random initializer draws with: an int, or a SeedGenerator for fresh draws."""
    if seed is None:
        return random.draw_seed()
    if isinstance(seed, dict):
        if seed.get("class_name") != "SeedGenerator":
            raise ValueError(
                "Invalid value for argument `seed`. Expected an integer, a "
                f"`SeedGenerator` or its config. Received: seed={seed!r}"
            )
        return random.SeedGenerator.from_config(seed["config"])
    if isinstance(seed, random.SeedGenerator):
        return seed
    return random.validate_seed(seed)


class RandomInitializer(Initializer):
    """Base of the random initializers: owns the seed.

    Args:
        seed: an int (the same values on every call), None (an int drawn now with
            `layerwise.random.draw_seed()`), or a `SeedGenerator` (new values per call).
    """

    def __init__(self, seed: "int | random.SeedGenerator | None" = None):
        self._init_seed = seed
        self.seed = _resolve_seed(seed)

    def get_config(self) -> dict:
        seed = self._init_seed
        if isinstance(seed, random.SeedGenerator):
            seed = {
                "module": "keras.random",
                "class_name": "SeedGenerator",
                "config": seed.get_config(),
                "registered_name": None,
            }
        return {"seed": seed}


class RandomNormal(RandomInitializer):
    """Normal distribution with the given mean and standard deviation."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        return random.normal(
            _standardize_shape(shape), self.mean, self.stddev, _standardize_dtype(dtype), self.seed
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal distribution cut at two standard deviations from the mean."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        return random.truncated_normal(
            _standardize_shape(shape), self.mean, self.stddev, _standardize_dtype(dtype), self.seed
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform distribution over [minval, maxval)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        return random.uniform(
            _standardize_shape(shape),
            self.minval,
            self.maxval,
            _standardize_dtype(dtype),
            self.seed,
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(
    shape: Sequence[int],
    input_axes: Sequence[int] | None = None,
    output_axes: Sequence[int] | None = None,
) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape, as Keras counts them.

    A dense kernel `(in, out)` gives `(in, out)`; a conv kernel `(*spatial, in, out)`
    multiplies both by the receptive field size; a vector `(n,)` gives `(n, n)`; a
    scalar `(1, 1)`. Explicit `input_axes` and `output_axes` (both) override this.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[axis] for axis in input_axes), math.prod(
            shape[axis] for axis in output_axes
        )
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


# 1 / the standard deviation of a unit normal truncated to [-2, 2]: dividing by it makes
# the truncated distribution's variance the requested one.
_TRUNCATED_NORMAL_STDDEV_CORRECTION = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def _choice_error(argument: str, value: Any, choices: Sequence[str]) -> ValueError:
    close = difflib.get_close_matches(str(value), choices, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ValueError(
        f"Invalid value for argument `{argument}`. Expected one of {list(choices)}. "
        f"Received: {argument}={value!r}.{hint}"
    )


class VarianceScaling(RandomInitializer):
    """Samples with variance `scale / n`, where n is fan_in, fan_out or their mean.

    Args:
        scale: positive scaling factor.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal" (alias "normal"), "untruncated_normal" or
            "uniform" (limits `±sqrt(3 * scale / n)`).
        seed: see `RandomInitializer`.
        input_axes, output_axes: optional axes whose sizes define the fans.
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed=None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ):
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not scale > 0:
            raise ValueError(
                "Invalid value for argument `scale`. Expected a positive float. "
                f"Received: scale={scale!r}"
            )
        if mode not in _MODES:
            raise _choice_error("mode", mode, _MODES)
        if not isinstance(distribution, str):
            raise _choice_error("distribution", distribution, _DISTRIBUTIONS)
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise _choice_error("distribution", distribution, _DISTRIBUTIONS)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        shape = _standardize_shape(shape)
        dtype = _standardize_dtype(dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_NORMAL_STDDEV_CORRECTION
            return random.truncated_normal(shape, 0.0, stddev, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return random.normal(shape, 0.0, math.sqrt(scale), dtype, self.seed)
        limit = math.sqrt(3.0 * scale)
        return random.uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset; its config holds only the seed and the fan axes."""

    _scale: float
    _mode: str
    _distribution: str

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(
            scale=self._scale,
            mode=self._mode,
            distribution=self._distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        return {key: config[key] for key in ("seed", "input_axes", "output_axes")}


class GlorotUniform(_NamedVarianceScaling):
    """Uniform in `±sqrt(6 / (fan_in + fan_out))` (Glorot & Bengio, 2010)."""

    _scale, _mode, _distribution = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    """Truncated normal with stddev `sqrt(2 / (fan_in + fan_out))`."""

    _scale, _mode, _distribution = 1.0, "fan_avg", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    """Uniform in `±sqrt(6 / fan_in)` (He et al., 2015)."""

    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


class HeNormal(_NamedVarianceScaling):
    """Truncated normal with stddev `sqrt(2 / fan_in)`."""

    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    """Uniform in `±sqrt(3 / fan_in)`."""

    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"


class LecunNormal(_NamedVarianceScaling):
    """Truncated normal with stddev `sqrt(1 / fan_in)`."""

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal draw.

    Shapes of rank > 2 are flattened to `(prod(shape[:-1]), shape[-1])` first.
    """

    def __init__(self, gain: float = 1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        shape = _standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        sample = random.normal(flat_shape, 0.0, 1.0, _standardize_dtype(dtype), self.seed)
        q, r = jnp.linalg.qr(sample, mode="reduced")
        # Fixing the signs by R's diagonal makes Q uniformly distributed (Haar measure).
        q = q * jnp.sign(jnp.diag(r))
        if num_rows < num_cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}


def window_weights(window: Any, length: int, periodic: bool) -> np.ndarray:
    """A named window (float64, as scipy.signal.get_window gives it) or the array given.

    "hann" and "hamming" are computed here; other names go to scipy.signal, which jax
    itself depends on.
    """
    if not isinstance(window, str):
        return np.asarray(window, dtype="float64")
    if window in ("hann", "hamming"):
        # A periodic window is the symmetric one of length + 1 without its last point.
        span = length if periodic else length - 1
        phase = 2.0 * np.pi * np.arange(length) / max(span, 1)
        weights = 0.5 - 0.5 * np.cos(phase) if window == "hann" else \
            0.54 - 0.46 * np.cos(phase)
        return np.ones(1) if length == 1 else weights
    from scipy import signal

    return signal.get_window(window, length, fftbins=periodic)


class STFT(Initializer):
    """The real or imaginary part of the windowed DFT basis, as a Conv1D kernel of shape
    `(frame_length, input_channels, fft_bins)`: STFTSpectrogram's weights."""

    def __init__(self, side: str = "real", window: Any = "hann", scaling: str | None = "density",
                 periodic: bool = False):
        if side not in ("real", "imag"):
            raise ValueError(f"Invalid value for argument `side` of STFT. Expected 'real' or "
                             f"'imag'. Received: side={side!r}")
        if isinstance(window, str):
            window_weights(window, 1, periodic)  # an unknown name fails now
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        dtype = _standardize_dtype(dtype)
        frame_length, _, bins = _standardize_shape(shape)
        frequency = jnp.arange(bins, dtype=dtype).reshape(1, 1, bins) / ((bins - 1) * 2)
        time = jnp.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
        angle = (-2 * time) * frequency * jnp.arccos(jnp.asarray(-1, dtype))
        kernel = jnp.cos(angle) if self.side == "real" else jnp.sin(angle)
        if self.window is None:
            return kernel
        weights = jnp.asarray(window_weights(self.window, frame_length, self.periodic), dtype)
        if weights.shape != (frame_length,):
            raise ValueError("The shape of `window` must be equal to [frame_length]."
                             f"Received: window shape={weights.shape}")
        weights = weights.reshape(frame_length, 1, 1)
        scale = 1
        if self.scaling == "density":
            scale = jnp.sqrt(jnp.sum(jnp.square(weights)))
        elif self.scaling == "spectrum":
            scale = jnp.sum(jnp.abs(weights))
        return kernel * weights / scale

    def get_config(self) -> dict:
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


# Keras's aliases: the old class names, and lower-case names that are the classes.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT
stft = STFT
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros


# -- lookup and serialization ------------------------------------------------------------------

_BUILT_IN = (
    Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, Initializer,
    LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform,
    TruncatedNormal, VarianceScaling, Zeros, STFT,
)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _BUILT_IN}
_BY_NAME.update({_snake_case(cls.__name__): cls for cls in _BUILT_IN})
_BY_NAME.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        "stft": STFT,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)


# Snake-casing "STFT" gives a name Keras does not know.
del _BY_NAME["s_t_f_t"]

_NAMESPACE = Namespace("initializer", _MODULE, _BY_NAME, base=Initializer,
                       get_finds_user_objects=True)


def serialize(initializer: Initializer | None) -> dict | None:
    """Keras 3's dict form: `{"module", "class_name", "config", "registered_name"}`
    (None gives None, as for an absent initializer in a layer config)."""
    return _NAMESPACE.serialize(initializer)


def deserialize(config: dict | str, custom_objects: dict[str, Any] | None = None) -> Initializer:
    """Rebuilds an initializer from `serialize`'s dict (or a Keras 2 `{class_name, config}`
    dict, or a bare name).

    Args:
        custom_objects: extra name -> class mappings for user initializers.
    """
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: Any) -> Callable | None:
    """Resolves an initializer identifier.

    Accepts None (returned as is), a name ("glorot_uniform", "GlorotUniform"), a config
    dict, an `Initializer` (returned as is), a class (instantiated), any callable
    `(shape, dtype) -> array`, or an array (returned whenever the shape matches).
    """
    if isinstance(identifier, (np.ndarray, np.generic, jax.Array)):
        return _array_initializer(identifier)
    return _NAMESPACE.get(identifier)


def _array_initializer(array: Any) -> Callable:
    """An initializer that returns `array` itself (cast), for shapes equal to its own."""

    def initialize(shape: Sequence[int], dtype: Any = "float32") -> jax.Array:
        if tuple(shape) != tuple(np.shape(array)):
            raise ValueError(
                f"Expected `shape` to be {tuple(np.shape(array))} for an array used as an "
                f"initializer. Received: shape={tuple(shape)}"
            )
        return jnp.asarray(array).astype(_standardize_dtype(dtype))

    return initialize


__dir__ = public_dir(__all__)
