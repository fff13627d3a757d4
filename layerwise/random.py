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

import random as python_random
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.naming import unique_name
from layerwise.engine.variables import Variable

__all__ = [
    "SeedGenerator",
    "draw_seed",
    "dropout",
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
        if ordered:
            new_state = key + jnp.array([0, 1], dtype=jnp.uint32)
        else:
            new_state = (key + jnp.uint32(1)) * jnp.uint32(5387) % jnp.uint32(933199)
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
    return jax.random.uniform(
        make_key(seed), shape=tuple(shape), dtype=_float_dtype(dtype), minval=minval, maxval=maxval
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
