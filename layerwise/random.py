"""Seeding and random draws, with Keras 3's (JAX backend) seed semantics.

Keras never keeps hidden RNG state in JAX: every draw takes an explicit raw PRNG key,
a uint32[2] array `[seed, counter]`. An integer seed always gives the key
`[seed, 0]`, so a seeded draw repeats exactly; a `SeedGenerator` hands out
`[seed, 0], [seed, 1], ...` from a non-trainable variable, which is how layers such as
Dropout get fresh randomness on every training step while staying pure functions of
their state. Objects created without a seed draw one from Python's `random` module at
construction, so `set_random_seed` makes a whole program reproducible - and
reproduces the numbers Keras-JAX gives for the same program.
"""
from __future__ import annotations

import functools
import math
import random as python_random
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.naming import unique_name
from layerwise.engine.variables import Variable

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "draw_seed",
    "dropout",
    "gamma",
    "global_seed_generator",
    "make_key",
    "normal",
    "randint",
    "set_random_seed",
    "shuffle",
    "truncated_normal",
    "uniform",
    "validate_seed",
]

# Keras draws default seeds from this inclusive range.
_MAX_DEFAULT_SEED = 10**9
_MAX_UINT32 = 2**32 - 1

# The generator used by draws made with `seed=None`; recreated after set_random_seed.
_global_generator: "SeedGenerator | None" = None


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy's global RNG and layerwise's global seed state.

    Objects created afterwards without an explicit seed draw their seeds from Python's
    `random`, so the same program gives the same numbers (and the same numbers as Keras
    after `keras.utils.set_random_seed(seed)`).
    """
    global _global_generator
    # The upper bound is the range NumPy's global RNG accepts.
    seed = validate_seed(seed)
    python_random.seed(seed)
    np.random.seed(seed)
    _global_generator = None


def draw_seed() -> int:
    """A fresh default seed, drawn from Python's `random` exactly as Keras draws it."""
    return python_random.randint(1, _MAX_DEFAULT_SEED)


def validate_seed(seed: Any, argument: str = "seed") -> int:
    """Checks that `seed` is an integer usable as the first word of a uint32 PRNG key."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"Invalid type for argument `{argument}`. Expected an integer. "
            f"Received: {argument}={seed!r} (of type {type(seed).__name__})"
        )
    if not 0 <= seed <= _MAX_UINT32:
        raise ValueError(
            f"Invalid value for argument `{argument}`. Expected an integer between 0 and "
            f"2**32 - 1. Received: {argument}={seed}"
        )
    return int(seed)


class SeedGenerator:
    """Hands out a new raw PRNG key on every `next()` call, from a variable's state.

    The state is a non-trainable uint32[2] `Variable` holding `[seed, counter]`. Inside a
    `StatelessScope` the advance is recorded rather than applied, so a compiled step can
    thread the state through as an ordinary input and output.

    Args:
        seed: an integer in [0, 2**32 - 1]; None draws one with `draw_seed()` now.
        name: the generator's name; its state variable is "<name>/seed_generator_state".
    """

    def __init__(self, seed: int | None = None, name: str | None = None):
        self._initial_seed = seed
        if seed is None:
            seed = draw_seed()
        seed = validate_seed(seed)
        self.name = name if name is not None else unique_name("seed_generator")
        self.state = Variable(
            np.array([seed, 0], dtype=np.uint32),
            shape=(2,),
            dtype="uint32",
            trainable=False,
            name="seed_generator_state",
        )
        self.state.path = f"{self.name}/seed_generator_state"

    def next(self, ordered: bool = True) -> jax.Array:
        """Returns the current state as a raw key and advances it.

        Args:
            ordered: True counts `[seed, k] -> [seed, k + 1]`; False scrambles both words
                with Keras's `(state + 1) * 5387 % 933199`, which is what the global
                generator uses.
        """
        key = self.state.value
        # A concrete state advances on the host (numpy's uint32 wraps as JAX's does):
        # jnp arithmetic here would compile a small program on the first eager draw.
        xp = jnp if isinstance(key, jax.core.Tracer) else np
        state = key if xp is jnp else np.asarray(key, dtype=np.uint32)
        if ordered:
            new_state = state + xp.array([0, 1], dtype=xp.uint32)
        else:
            new_state = (state + xp.uint32(1)) * xp.uint32(5387) % xp.uint32(933199)
        self.state.assign(new_state)
        return key

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name}, state={np.asarray(self.state.value)}>"


def _inside_jax_trace() -> bool:
    # Since omnistaging every jnp op inside a trace yields a tracer, constants included.
    return isinstance(jnp.ones(()), jax.core.Tracer)


def global_seed_generator() -> SeedGenerator:
    """The generator behind `seed=None` draws (created on first use, reset by set_random_seed)."""
    if _inside_jax_trace():
        raise ValueError(
            "Unseeded random draws cannot be used inside a traced (jit/grad) function: "
            "they would be frozen into constants. Create a `SeedGenerator`, keep it on "
            "your layer and pass it as `seed=`."
        )
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator()
    return _global_generator


def make_key(seed: "int | SeedGenerator | jax.Array | None") -> jax.Array:
    """Turns a seed argument into a raw uint32[2] PRNG key, as Keras-JAX does.

    Args:
        seed: an int (key `[seed, 0]`, the same on every call), a `SeedGenerator` (its
            next key), a ready key array (used as is), or None (the global generator).
    """
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, jax.Array):
        return seed
    if seed is None:
        return global_seed_generator().next(ordered=False)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return jnp.array([validate_seed(seed), 0], dtype=jnp.uint32)
    raise TypeError(
        "Invalid type for argument `seed`. Expected an integer, a `SeedGenerator` or "
        f"None. Received: seed={seed!r} (of type {type(seed).__name__})"
    )


def _float_dtype(dtype: Any) -> jnp.dtype:
    return jnp.dtype("float32" if dtype is None else dtype)


def normal(
    shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed=None
) -> jax.Array:
    """Samples from a normal distribution: `standard_normal * stddev + mean`."""
    sample = jax.random.normal(make_key(seed), shape=tuple(shape), dtype=_float_dtype(dtype))
    return sample * stddev + mean


def uniform(
    shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed=None
) -> jax.Array:
    """Samples uniformly from [minval, maxval)."""
    dtype = _float_dtype(dtype)
    key = _host_key(seed) if dtype == np.float32 and _ordinary_bounds(minval, maxval) else None
    if key is not None:
        return jax.device_put(_host_uniform(key, tuple(shape), minval, maxval,
                                            xla_uniform_rounding()))
    return jax.random.uniform(
        make_key(seed), shape=tuple(shape), dtype=dtype, minval=minval, maxval=maxval
    )


def truncated_normal(
    shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed=None
) -> jax.Array:
    """Samples a normal distribution cut at two standard deviations, then scales and shifts."""
    sample = jax.random.truncated_normal(
        make_key(seed), lower=-2.0, upper=2.0, shape=tuple(shape), dtype=_float_dtype(dtype)
    )
    return sample * stddev + mean


def randint(
    shape: Sequence[int], minval: int, maxval: int, dtype: Any = "int32", seed=None
) -> jax.Array:
    """Samples integers uniformly from [minval, maxval)."""
    return jax.random.randint(
        make_key(seed), shape=tuple(shape), minval=minval, maxval=maxval, dtype=dtype
    )


def shuffle(x: Any, axis: int = 0, seed=None) -> jax.Array:
    """Shuffles `x` along `axis`."""
    return jax.random.permutation(make_key(seed), jnp.asarray(x), axis, independent=True)


def dropout(
    inputs: Any, rate: float, noise_shape: Sequence[int | None] | None = None, seed=None
) -> jax.Array:
    """Zeroes entries with probability `rate` and scales the rest by 1 / (1 - rate).

    Args:
        noise_shape: the mask's shape, broadcast against `inputs`; None entries take the
            input's size on that axis.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(
            "Invalid value for argument `rate`. Expected a float between 0 and 1. "
            f"Received: rate={rate}"
        )
    inputs = jnp.asarray(inputs)
    if rate == 1.0:
        return jnp.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    keep_probability = 1.0 - rate
    if noise_shape is None:
        noise_shape = inputs.shape
    else:
        noise_shape = tuple(
            inputs.shape[axis] if size is None else size for axis, size in enumerate(noise_shape)
        )
    mask = jax.random.bernoulli(make_key(seed), p=keep_probability, shape=noise_shape)
    mask = jnp.broadcast_to(mask, inputs.shape)
    return jax.lax.select(mask, inputs / keep_probability, jnp.zeros_like(inputs))


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed=None) -> jax.Array:
    """Draws `num_samples` class indices per row of `logits` (batch, classes)."""
    logits = jnp.asarray(logits)
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits={logits.shape}")
    shape = (logits.shape[0], int(num_samples))
    # One draw per (row, sample): the class axis is axis 1 of the (batch, classes, 1) logits.
    samples = jax.random.categorical(make_key(seed), logits[..., None], axis=1, shape=shape)
    return samples.astype(dtype)


def gamma(shape: Sequence[int], alpha: float, dtype: Any = None, seed=None) -> jax.Array:
    """Samples a gamma distribution of concentration `alpha` (scale 1)."""
    dtype = _float_dtype(dtype)
    return jax.random.gamma(make_key(seed), jnp.asarray(alpha, dtype), shape=tuple(shape),
                            dtype=dtype)


def beta(shape: Sequence[int], alpha: Any, beta: Any, dtype: Any = None, seed=None) -> jax.Array:
    """Samples a beta distribution with concentrations `alpha` and `beta`."""
    dtype = _float_dtype(dtype)
    return jax.random.beta(make_key(seed), jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype),
                           shape=tuple(shape), dtype=dtype)


def binomial(shape: Sequence[int], counts: Any, probabilities: Any, dtype: Any = None,
             seed=None) -> jax.Array:
    """Samples the number of successes of `counts` trials with success `probabilities`."""
    dtype = _float_dtype(dtype)
    return jax.random.binomial(make_key(seed), jnp.asarray(counts, dtype),
                               jnp.asarray(probabilities, dtype), shape=tuple(shape),
                               dtype=dtype)


# -- draws computed on the host ----------------------------------------------------------
# Initializers draw their weights eagerly, once per shape; through JAX each new shape
# compiles a program (0.05-0.5 s, most of building a model). The same bits computed with
# numpy take microseconds. Bit-for-bit JAX's (and so Keras's) threefry2x32 with
# `jax_threefry_partitionable` (JAX's default); tests compare the two.

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _host_key(seed: Any) -> np.ndarray | None:
    """The raw key for `seed` as numpy, advancing a generator; None to leave it to JAX."""
    if not jax.config.jax_threefry_partitionable or \
            jax.config.jax_default_prng_impl != "threefry2x32" or _inside_jax_trace() \
            or xla_uniform_rounding() is None:
        return None
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.array([validate_seed(seed), 0], dtype=np.uint32)
    if isinstance(seed, SeedGenerator):
        return np.asarray(seed.next(), dtype=np.uint32)
    if seed is None:  # as make_key: the global generator, scrambled
        return np.asarray(global_seed_generator().next(ordered=False), dtype=np.uint32)
    return None


def _ordinary_bounds(minval: Any, maxval: Any) -> bool:
    """Bounds for which the host path is exact: finite Python or numpy scalars, and none
    so small that a draw could be subnormal (XLA's CPU flushes those to zero)."""
    if not all(isinstance(v, (int, float, np.number)) for v in (minval, maxval)):
        return False
    low, high = float(minval), float(maxval)
    span = high - low
    tiny = 2.0 ** -60  # granularity of any nonzero draw stays far above float32's normals
    return (math.isfinite(low) and math.isfinite(high) and span >= tiny
            and (low == 0 or abs(low) >= tiny) and (high == 0 or abs(high) >= tiny)
            and abs(low) < 1e30 and abs(high) < 1e30)


def _rotate_left(value: np.ndarray, distance: int) -> np.ndarray:
    return (value << np.uint32(distance)) | (value >> np.uint32(32 - distance))


def _threefry2x32(key: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Threefry-2x32 block cipher (20 rounds) of counter words x0, x1 under `key`."""
    schedule = (key[0], key[1], key[0] ^ key[1] ^ np.uint32(0x1BD11BDA))
    x0 = x0 + schedule[0]
    x1 = x1 + schedule[1]
    for block in range(5):
        for distance in _ROTATIONS[block % 2]:
            x0 = x0 + x1
            x1 = _rotate_left(x1, distance) ^ x0
        x0 = x0 + schedule[(block + 1) % 3]
        x1 = x1 + schedule[(block + 2) % 3] + np.uint32(block + 1)
    return x0, x1


def _host_unit_floats(key: np.ndarray, size: int) -> np.ndarray:
    """`size` float32 values in [0, 1) from the threefry bits of `key`, as JAX makes them."""
    if size >= 2**32:
        raise ValueError(f"uniform: too many values for one draw: {size}")
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps, as the cipher intends
        high, low = _threefry2x32(key, np.zeros(size, np.uint32), np.arange(size, dtype=np.uint32))
    bits = high ^ low
    # 23 random mantissa bits under the exponent of 1.0 give a float in [1, 2).
    return ((bits >> np.uint32(9)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)


def _scaled(unit: np.ndarray, minval: float, maxval: float, rounding: str) -> np.ndarray:
    low_end, high_end = np.float32(minval), np.float32(maxval)
    span = high_end - low_end
    if rounding == "fused":
        values = _fused_multiply_add(unit, span, low_end)
    else:
        values = unit * span + low_end
    return np.maximum(low_end, values)


def _host_uniform(key: np.ndarray, shape: tuple, minval: float, maxval: float,
                  rounding: str) -> np.ndarray:
    """float32 draws from [minval, maxval) equal to `jax.random.uniform`'s."""
    return _scaled(_host_unit_floats(key, math.prod(shape)), minval, maxval,
                   rounding).reshape(shape)


def _fused_multiply_add(a: np.ndarray, b: np.float32, c: np.float32) -> np.ndarray:
    """float32 a * b + c rounded once, as a fused multiply-add instruction computes it.

    The product of two float32 is exact in float64; the sum is rounded to float64 and
    then to float32, which equals one rounding unless the float64 sum lands exactly
    halfway between two float32 values: then the sum's rounding error decides.
    """
    product = a.astype(np.float64) * np.float64(b)
    addend = np.float64(c)
    total = product + addend
    # Knuth's two-sum: the exact rounding error of `total`.
    virtual = total - addend
    error = (product - virtual) + (addend - (total - virtual))
    rounded = total.astype(np.float32)
    below = np.where(rounded.astype(np.float64) <= total, rounded,
                     np.nextafter(rounded, np.float32(-np.inf)))
    above = np.nextafter(below, np.float32(np.inf))
    halfway = (total - below.astype(np.float64)) == (above.astype(np.float64) - total)
    return np.where(halfway & (error > 0), above,
                    np.where(halfway & (error < 0), below, rounded))


@functools.lru_cache(maxsize=1)
def xla_uniform_rounding() -> str | None:
    """How XLA rounds `unit * span + minval` in jax.random.uniform: "fused" or "separate".

    Fused (one rounding, an FMA instruction) on CPUs that have one and on GPUs. Asked
    once per process with a small draw whose two roundings differ, so the host path
    matches JAX on any machine; None (use JAX) if neither rounding reproduces it.
    """
    key = np.array([1, 0], dtype=np.uint32)
    expected = np.asarray(jax.random.uniform(jnp.asarray(key), (64,), jnp.float32, -0.3, 0.7))
    unit = _host_unit_floats(key, 64)
    for rounding in ("fused", "separate"):
        if np.array_equal(_scaled(unit, -0.3, 0.7, rounding), expected):
            return rounding
    return None
