"""Uniform draws computed on the host are JAX's, bit for bit."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import layerwise
from layerwise import random


def jax_uniform(seed, shape, minval, maxval):
    key = jnp.array([seed, 0], jnp.uint32)
    return np.asarray(jax.random.uniform(key, shape, jnp.float32, minval, maxval))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9),
       shape=st.lists(st.integers(1, 30), min_size=0, max_size=3).map(tuple),
       bounds=st.tuples(st.floats(-100, 100, width=32), st.floats(0.0010000000474974513, 100, width=32)))
def test_seeded_uniform_equals_jax_random_uniform(seed, shape, bounds):
    minval, width = bounds
    maxval = minval + width
    ours = random.uniform(shape, minval, maxval, seed=seed)
    assert isinstance(ours, jax.Array)
    np.testing.assert_array_equal(np.asarray(ours), jax_uniform(seed, shape, minval, maxval))


@pytest.mark.parametrize("make_seed", [lambda: random.SeedGenerator(42), lambda: None])
def test_generator_draws_follow_the_same_keys_as_jax(make_seed, monkeypatch):
    """A SeedGenerator (and the global one) advance exactly as the JAX path does."""
    def draws():
        random.set_random_seed(5)
        seed = make_seed()
        values = [np.asarray(random.uniform((7, 3), -1.0, 1.0, seed=seed)) for _ in range(3)]
        state = None if seed is None else np.asarray(seed.state.value)
        return values, state

    on_host, host_state = draws()
    monkeypatch.setattr(random, "xla_uniform_rounding", lambda: None)  # forces jax.random
    through_jax, jax_state = draws()
    for ours, theirs in zip(on_host, through_jax):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(host_state, jax_state)


@pytest.mark.parametrize("minval, maxval", [(2.8e-45, 3.0), (0.0, 1e-40), (-1e-39, 1e-39),
                                            (0.0, 3e38)])
def test_bounds_near_subnormal_or_overflow_still_equal_jax(minval, maxval):
    """XLA's CPU flushes subnormals to zero; such draws are left to JAX itself."""
    ours = random.uniform((64,), minval, maxval, seed=7)
    np.testing.assert_array_equal(np.asarray(ours), jax_uniform(7, (64,), minval, maxval))


def test_fused_multiply_add_rounds_once_where_float64_rounding_makes_a_tie():
    # a * b + c = 1 + 2^-23 + 2^-24 - 2^-64: in float64 exactly halfway between two
    # float32 values, which half-to-even would round up; the exact value rounds down.
    a, b, c = np.float32(1 + 2**-20), np.float32(2**-24 * (1 - 2**-20)), np.float32(1 + 2**-23)
    fused = random._fused_multiply_add(np.array([a]), b, c)[0]
    assert fused == np.float32(1 + 2**-23)
    assert (np.float64(a) * np.float64(b) + np.float64(c)).astype(np.float32) != fused
    if random.xla_uniform_rounding() == "fused":
        assert jax.jit(lambda a, b, c: a * b + c)(a, b, c) == fused


def test_other_dtypes_and_traced_draws_still_go_through_jax():
    key_seed = 3
    half = random.uniform((4,), 0.0, 1.0, dtype="float16", seed=key_seed)
    assert half.dtype == jnp.float16
    traced = jax.jit(lambda: random.uniform((4,), seed=key_seed))()
    np.testing.assert_array_equal(np.asarray(traced), jax_uniform(key_seed, (4,), 0.0, 1.0))


_LOGITS = np.log(np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]], "float32"))


@pytest.mark.parametrize("seed", [0, 7, 1234])
@pytest.mark.parametrize("name, args", [
    ("categorical", (_LOGITS, 5)),
    ("gamma", ((3, 4), 2.0)),
    ("beta", ((3, 4), 2.0, 3.0)),
    ("binomial", ((3, 4), 10, 0.3)),
])
def test_distribution_draws_are_bit_identical_to_keras(name, args, seed):
    from keras_oracle import keras

    theirs = getattr(keras.random, name)(*args, seed=seed)
    ours = getattr(layerwise.random, name)(*args, seed=seed)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    # Drawn through seed generators, successive draws stay in step too.
    their_generator = keras.random.SeedGenerator(seed)
    our_generator = layerwise.random.SeedGenerator(seed)
    for _ in range(2):
        np.testing.assert_array_equal(
            np.asarray(getattr(layerwise.random, name)(*args, seed=our_generator)),
            np.asarray(getattr(keras.random, name)(*args, seed=their_generator)))
