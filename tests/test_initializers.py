"""layerwise.initializers and layerwise.random (seeding) against Keras 3 (JAX backend)."""
import random as python_random

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from keras.src.initializers import ALL_OBJECTS_DICT as KERAS_INITIALIZERS

from layerwise import initializers, random
from layerwise.engine.variables import StatelessScope, Variable

# Few distinct shapes keep the file fast: XLA compiles each op once per shape.
SHAPES = [(5, 7), (3, 3, 2, 8)]
MORE_SHAPES = [(64, 3), (7,), (9, 4), (2, 3, 8)]
SEEDED = [
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "LecunUniform",
    "LecunNormal",
    "RandomUniform",
    "RandomNormal",
    "TruncatedNormal",
    "VarianceScaling",
    "Orthogonal",
]
# STFT needs scipy's window functions; layerwise does not provide it (yet).
NOT_PROVIDED = {"STFT", "stft", "STFTInitializer"}


def _same(ours, theirs):
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


# -- values ------------------------------------------------------------------------------------


def _check_seeded(name, shape):
    ours = getattr(initializers, name)(seed=1234)(shape)
    theirs = getattr(keras.initializers, name)(seed=1234)(shape)
    assert ours.dtype == jnp.float32 and ours.shape == shape
    _same(ours, theirs)


@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("shape", SHAPES)
def test_seeded_initializer_is_bit_identical_to_keras(name, shape):
    _check_seeded(name, shape)


@pytest.mark.slow
@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("shape", MORE_SHAPES)
def test_seeded_initializer_more_shapes(name, shape):
    if name == "Orthogonal" and len(shape) < 2:
        pytest.skip("Orthogonal needs rank >= 2")
    _check_seeded(name, shape)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scale=0.3, mode="fan_out", distribution="uniform"),
        dict(scale=2.0, mode="fan_avg", distribution="untruncated_normal"),
        dict(scale=1.5, mode="fan_in", distribution="normal"),
        dict(mode="fan_in", distribution="Truncated_Normal"),
        dict(distribution="uniform", input_axes=(0, 1), output_axes=(3,)),
    ],
)
def test_variance_scaling_arguments(kwargs):
    ours = initializers.VarianceScaling(seed=7, **kwargs)
    theirs = keras.initializers.VarianceScaling(seed=7, **kwargs)
    _same(ours((3, 3, 2, 8)), theirs((3, 3, 2, 8)))
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("RandomUniform", dict(minval=-2.0, maxval=3.0)),
        ("RandomNormal", dict(mean=1.0, stddev=0.3)),
        ("TruncatedNormal", dict(mean=-1.0, stddev=2.0)),
        ("Orthogonal", dict(gain=2.5)),
    ],
)
def test_random_arguments(name, kwargs):
    for shape in SHAPES:
        ours = getattr(initializers, name)(seed=99, **kwargs)(shape)
        _same(ours, getattr(keras.initializers, name)(seed=99, **kwargs)(shape))


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (initializers.Zeros(), keras.initializers.Zeros()),
        (initializers.Ones(), keras.initializers.Ones()),
        (initializers.Constant(0.3), keras.initializers.Constant(0.3)),
        (initializers.Constant(np.arange(7.0)), keras.initializers.Constant(np.arange(7.0))),
    ],
)
def test_constant_initializers(ours, theirs):
    for shape in [(5, 7), (3, 3, 2, 7)]:
        _same(ours(shape), theirs(shape))
    assert ours((2, 7), dtype="int32").dtype == jnp.int32


def test_identity():
    for shape in [(4, 4), (3, 5), (5, 3)]:
        _same(initializers.Identity(gain=2.0)(shape), keras.initializers.Identity(gain=2.0)(shape))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_dtype_argument():
    for dtype in ["float16", "bfloat16", jnp.float32, None]:
        ours = initializers.GlorotUniform(seed=3)((4, 5), dtype=dtype)
        theirs = keras.initializers.GlorotUniform(seed=3)((4, 5), dtype=dtype)
        assert ours.dtype == theirs.dtype
        _same(ours, theirs)


def test_compute_fans():
    assert initializers.compute_fans((3, 3, 2, 8)) == (18, 72)
    assert initializers.compute_fans((5, 7)) == (5, 7)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((2, 3, 4), input_axes=(0, 1), output_axes=(2,)) == (6, 4)


# -- seed semantics -----------------------------------------------------------------------------


def test_repeated_calls_give_the_same_values_as_in_keras():
    for seed in [5, None]:
        ours = initializers.GlorotUniform(seed=seed)
        theirs = keras.initializers.GlorotUniform(seed=seed)
        _same(ours((4, 4)), ours((4, 4)))
        assert np.array_equal(theirs((4, 4)), theirs((4, 4)))


def test_unseeded_initializers_follow_set_random_seed_like_keras():
    shapes = [(8, 4), (3, 3, 2, 8), (4, 1)]
    kinds = ["GlorotUniform", "HeNormal", "Zeros", "Orthogonal", "RandomNormal"]
    keras.utils.set_random_seed(1337)
    theirs = [getattr(keras.initializers, kind)() for kind in kinds]
    their_values = [init(shape) for init in theirs for shape in shapes]
    their_next = (python_random.random(), np.random.rand())
    random.set_random_seed(1337)
    ours = [getattr(initializers, kind)() for kind in kinds]
    our_values = [init(shape) for init in ours for shape in shapes]
    our_next = (python_random.random(), np.random.rand())
    for a, b in zip(our_values, their_values):
        _same(a, b)
    # Same number of draws from Python's and NumPy's RNGs (zeros draws nothing).
    assert our_next == their_next
    assert [o.seed for o in ours if hasattr(o, "seed")] == [
        t.seed for t in theirs if hasattr(t, "seed")
    ]


def test_seed_generator_as_seed_gives_fresh_values_like_keras():
    ours = initializers.RandomNormal(seed=random.SeedGenerator(11))
    theirs = keras.initializers.RandomNormal(seed=keras.random.SeedGenerator(11))
    first, second = ours((3, 3)), ours((3, 3))
    assert not np.array_equal(first, second)
    _same(first, theirs((3, 3)))
    _same(second, theirs((3, 3)))


def test_unseeded_statistics():
    random.set_random_seed(0)
    fan_in, fan_out = 400, 300
    uniform = np.asarray(initializers.GlorotUniform()((fan_in, fan_out)))
    limit = np.sqrt(6 / (fan_in + fan_out))
    assert np.abs(uniform).max() <= limit
    np.testing.assert_allclose(uniform.var(), 2 / (fan_in + fan_out), rtol=0.03)
    normal = np.asarray(initializers.HeNormal()((fan_in, fan_out)))
    np.testing.assert_allclose(normal.std(), np.sqrt(2 / fan_in), rtol=0.03)
    # Truncated at two (corrected) standard deviations.
    assert np.abs(normal).max() <= 2 * np.sqrt(2 / fan_in) / 0.87962566103423978 + 1e-6
    lecun = np.asarray(initializers.LecunNormal()((3, 3, 64, 32)))
    np.testing.assert_allclose(lecun.std(), np.sqrt(1 / (9 * 64)), rtol=0.03)
    q = np.asarray(initializers.Orthogonal()((50, 20)))
    np.testing.assert_allclose(q.T @ q, np.eye(20), atol=1e-5)
    wide = np.asarray(initializers.Orthogonal(gain=3.0)((20, 50)))
    np.testing.assert_allclose(wide @ wide.T, 9 * np.eye(20), atol=1e-4)
    a, b = initializers.GlorotUniform(), initializers.GlorotUniform()
    assert not np.array_equal(a((4, 4)), b((4, 4)))


# -- errors ----------------------------------------------------------------------------------------


def test_invalid_arguments():
    with pytest.raises(ValueError, match="`scale`.*Received: scale=0"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="`mode`.*Did you mean 'fan_in'"):
        initializers.VarianceScaling(mode="fanin")
    with pytest.raises(ValueError, match="`distribution`"):
        initializers.VarianceScaling(distribution="gamma")
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal(seed=1)((5,))
    with pytest.raises(ValueError, match="`seed`.*Received: seed=-1"):
        initializers.GlorotUniform(seed=-1)
    with pytest.raises(TypeError, match="`seed`"):
        initializers.GlorotUniform(seed="abc")
    with pytest.raises(ValueError, match="`shape`"):
        initializers.Zeros()((2, None))


# -- get / serialize ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(KERAS_INITIALIZERS) - NOT_PROVIDED))
def test_get_by_every_keras_name(name):
    ours = initializers.get(name)
    theirs_class = KERAS_INITIALIZERS[name]
    assert type(ours).__name__ == theirs_class.__name__
    assert initializers.serialize(ours)["class_name"] == theirs_class.__name__
    if hasattr(keras.initializers, name):  # "normal", "one", ... are get()-only names
        assert getattr(initializers, name) is type(ours)


@pytest.mark.parametrize("name", SEEDED + ["Zeros", "Ones", "Constant", "Identity"])
@pytest.mark.parametrize("seed", [None, 3])
def test_serialize_matches_keras(name, seed):
    arguments = {} if name in ("Zeros", "Ones", "Constant", "Identity") else {"seed": seed}
    ours = initializers.serialize(getattr(initializers, name)(**arguments))
    theirs = keras.initializers.serialize(getattr(keras.initializers, name)(**arguments))
    if name == "Identity":
        # Keras 3.15 drops `gain` from Identity's config (so it is lost on reload); we
        # keep it. Keras reads our config fine, and we read Keras's ({} -> gain=1.0).
        assert theirs["config"] == {} and ours["config"] == {"gain": 1.0}
        ours["config"] = {}
    assert ours == theirs


@pytest.mark.parametrize("name", SEEDED)
def test_config_round_trips(name):
    original = getattr(initializers, name)(seed=21)
    for rebuilt in [
        initializers.deserialize(initializers.serialize(original)),
        type(original).from_config(original.get_config()),
        original.clone(),
        initializers.get(keras.initializers.serialize(getattr(keras.initializers, name)(seed=21))),
    ]:
        assert type(rebuilt) is type(original)
        assert rebuilt.get_config() == original.get_config()
        _same(rebuilt((6, 4)), original((6, 4)))


def test_config_round_trips_for_constant_array_and_seed_generator():
    constant = initializers.Constant(np.array([1.0, 2.0]))
    assert initializers.serialize(constant) == keras.initializers.serialize(
        keras.initializers.Constant(np.array([1.0, 2.0]))
    )
    _same(initializers.deserialize(initializers.serialize(constant))((3, 2)), constant((3, 2)))
    seeded = initializers.RandomNormal(seed=random.SeedGenerator(4, name="gen"))
    theirs = keras.initializers.RandomNormal(seed=keras.random.SeedGenerator(4, name="gen"))
    assert initializers.serialize(seeded) == keras.initializers.serialize(theirs)
    rebuilt = initializers.deserialize(initializers.serialize(seeded))
    _same(rebuilt((2, 2)), seeded((2, 2)))


def test_keras2_style_config():
    rebuilt = initializers.get(
        {"class_name": "VarianceScaling",
         "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "normal", "seed": 5}}
    )
    assert rebuilt.distribution == "truncated_normal"
    _same(rebuilt((3, 4)), initializers.GlorotNormal(seed=5)((3, 4)))


def test_get_other_identifiers():
    assert initializers.get(None) is None
    instance = initializers.HeNormal(seed=1)
    assert initializers.get(instance) is instance
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)

    def custom(shape, dtype=None):
        return jnp.full(shape, 7.0, dtype)

    assert initializers.get(custom) is custom
    array = np.arange(6.0).reshape(2, 3)
    from_array = initializers.get(array)
    _same(from_array((2, 3)), array.astype("float32"))
    with pytest.raises(ValueError, match="shape"):
        from_array((3, 2))
    with pytest.raises(ValueError, match="initializer"):  # Keras's type
        initializers.get(3)


def test_unknown_name_suggests_close_match():
    with pytest.raises(ValueError, match=r"Could not interpret initializer identifier: 'glorot_unifrom'\. Did you mean 'glorot_uniform'"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="Did you mean 'HeNormal'"):
        initializers.get({"class_name": "HeNormall", "config": {}})


def test_custom_objects():
    class Fives(initializers.Initializer):
        def __call__(self, shape, dtype="float32"):
            return jnp.full(shape, 5.0, dtype)

    config = initializers.serialize(Fives())
    assert config["class_name"] == "Fives" and config["registered_name"] == "Fives"
    rebuilt = initializers.deserialize(config, custom_objects={"Fives": Fives})
    assert isinstance(rebuilt, Fives)


# -- random: set_random_seed and SeedGenerator ----------------------------------------------------------


def test_set_random_seed_validation():
    with pytest.raises(TypeError, match="`seed`"):
        random.set_random_seed(1.5)
    with pytest.raises(ValueError, match="Received: seed=-3"):
        random.set_random_seed(-3)
    with pytest.raises(ValueError, match="`seed`"):
        random.set_random_seed(2**32)


def test_draw_seed_matches_keras_default_seed():
    keras.utils.set_random_seed(8)
    theirs = [int(keras.random.SeedGenerator().state.value[0]) for _ in range(3)]
    random.set_random_seed(8)
    assert [random.draw_seed() for _ in range(3)] == theirs


def test_seed_generator_sequence_matches_keras():
    for seed in [5, 10**9, 2**32 - 1]:
        ours, theirs = random.SeedGenerator(seed), keras.random.SeedGenerator(seed)
        for ordered in [True, True, False, False, True]:
            _same(ours.next(ordered=ordered), theirs.next(ordered=ordered))
            _same(ours.state.value, theirs.state.value)
    generator = random.SeedGenerator(3)
    state = generator.state
    assert state.dtype == jnp.uint32 and state.shape == (2,)
    assert state.trainable is False and state.name == "seed_generator_state"
    assert generator.get_config()["seed"] == 3


def test_unseeded_generator_draws_at_construction():
    keras.utils.set_random_seed(77)
    theirs = keras.random.SeedGenerator()
    random.set_random_seed(77)
    ours = random.SeedGenerator()
    _same(ours.state.value, theirs.state.value)
    assert ours.get_config()["seed"] is None


def test_seed_generator_inside_stateless_scope_and_jit():
    generator = random.SeedGenerator(9)

    def draw(state):
        with StatelessScope([(generator.state, state)]) as scope:
            key = generator.next()
            return key, scope.new_value(generator.state)

    key, new_state = jax.jit(draw)(jnp.array([9, 4], jnp.uint32))
    _same(key, [9, 4])
    _same(new_state, [9, 5])
    _same(generator.state.value, [9, 0])  # the variable itself is untouched

    # Dropout-style threading gives the same masks as Keras's eager sequence.
    theirs = keras.random.SeedGenerator(9)
    state = generator.state.value
    for _ in range(3):
        key, state = jax.jit(draw)(state)
        expected = keras.random.dropout(jnp.ones((4, 5)), 0.5, seed=theirs)
        _same(random.dropout(jnp.ones((4, 5)), 0.5, seed=key), expected)


def test_random_draws_match_keras():
    x = jnp.ones((4, 6))
    for seed in [3, 123456]:
        _same(random.normal((5,), 1.0, 2.0, seed=seed), keras.random.normal((5,), 1.0, 2.0, seed=seed))
        _same(random.uniform((5,), -1, 4, seed=seed), keras.random.uniform((5,), -1, 4, seed=seed))
        _same(random.truncated_normal((5,), seed=seed), keras.random.truncated_normal((5,), seed=seed))
        _same(random.randint((9,), 0, 7, seed=seed), keras.random.randint((9,), 0, 7, seed=seed))
        _same(random.shuffle(jnp.arange(10), seed=seed), keras.random.shuffle(jnp.arange(10), seed=seed))
        _same(
            random.dropout(x, 0.3, noise_shape=(None, 1), seed=seed),
            keras.random.dropout(x, 0.3, noise_shape=(None, 1), seed=seed),
        )
    keras.utils.set_random_seed(5)
    theirs = [keras.random.normal((3,)) for _ in range(3)]
    random.set_random_seed(5)
    ours = [random.normal((3,)) for _ in range(3)]
    for a, b in zip(ours, theirs):
        _same(a, b)
    with pytest.raises(ValueError, match="Expected a float between 0 and 1"):
        random.dropout(x, 1.5)


def test_unseeded_draw_inside_jit_is_refused():
    with pytest.raises(ValueError, match="SeedGenerator"):
        jax.jit(lambda x: x + random.normal((2,)))(jnp.zeros(2))


def test_seed_generator_state_is_a_variable():
    generator = random.SeedGenerator(1)
    assert isinstance(generator.state, Variable)
    generator.next()
    _same(generator.state.numpy(), [1, 1])
