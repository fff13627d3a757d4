"""Learning-rate schedules against keras.optimizers.schedules (JAX backend)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from keras_oracle import keras, twins
from layerwise import schedules

STEPS = [0, 1, 2, 5, 9, 10, 11, 17, 25, 50, 99, 100, 101, 250, 1000]

# (class name, constructor kwargs): every option of every schedule at least once.
CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.5, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[10, 100], values=[1.0, 0.5, 0.1])),
    ("PiecewiseConstantDecay", dict(boundaries=[5], values=[0.3, 0.03], name="pc")),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=30, end_learning_rate=0.01, power=2.0, cycle=True)),
    ("PolynomialDecay", dict(initial_learning_rate=0.5, decay_steps=40, power=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=100, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=100, warmup_target=0.1, warmup_steps=20)),
    ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=50, alpha=0.2, warmup_target=0.2, warmup_steps=10)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=10)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=1.0, m_mul=0.5, alpha=0.1)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=7, t_mul=1.5, m_mul=0.9)),
]
IDS = [f"{name}-{index}" for index, (name, _) in enumerate(CASES)]


def schedule(class_name, kwargs):
    """Makes the schedule from a library's `optimizers.schedules` (for `twins`)."""
    return lambda library: getattr(library.optimizers.schedules, class_name)(**kwargs)


@pytest.mark.parametrize("class_name, kwargs", CASES, ids=IDS)
def test_values_match_keras(class_name, kwargs):
    ours, theirs = twins(schedule(class_name, kwargs))
    for step in STEPS:
        expected = float(theirs(np.int32(step)))
        value = ours(jnp.int32(step))
        assert value.dtype == jnp.float32
        np.testing.assert_allclose(float(value), expected, rtol=1e-6, atol=1e-9, err_msg=f"step={step}")


@pytest.mark.parametrize("class_name, kwargs", CASES, ids=IDS)
def test_runs_under_jit_with_a_traced_step(class_name, kwargs):
    ours, _ = twins(schedule(class_name, kwargs))
    steps = jnp.asarray(STEPS, dtype=jnp.int32)
    compiled = jax.jit(jax.vmap(ours))(steps)
    eager = np.array([float(ours(jnp.int32(step))) for step in STEPS])
    # XLA fuses differently under jit; near zero (end of a cosine) that is a few ulps of the peak.
    np.testing.assert_allclose(np.asarray(compiled), eager, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("class_name, kwargs", CASES, ids=IDS)
def test_config_and_serialization_match_keras(class_name, kwargs):
    ours, theirs = twins(schedule(class_name, kwargs))
    assert ours.get_config() == theirs.get_config()
    assert schedules.serialize(ours) == keras.optimizers.schedules.serialize(theirs)
    rebuilt = schedules.deserialize(keras.optimizers.schedules.serialize(theirs))
    assert type(rebuilt) is type(ours)
    assert rebuilt.get_config() == ours.get_config()
    assert float(rebuilt(7)) == float(ours(7))
    from_config = type(ours).from_config(theirs.get_config())
    assert from_config.get_config() == ours.get_config()


def test_deserialize_accepts_keras2_form():
    schedule = schedules.deserialize(
        {"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}}
    )
    assert float(schedule(5)) == pytest.approx(0.05)


def test_deserialize_unknown_name_suggests():
    with pytest.raises(ValueError, match="ExponentialDecay"):
        schedules.deserialize({"class_name": "ExponentalDecay", "config": {}})


def test_custom_schedule_round_trip_with_custom_objects():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return self.start * 0.5 ** jnp.asarray(step, jnp.float32)

        def get_config(self):
            return {"start": self.start}

    config = schedules.serialize(Halving(0.4))
    assert config["class_name"] == "Halving" and config["registered_name"] == "Halving"
    rebuilt = schedules.deserialize(config, custom_objects={"Halving": Halving})
    assert float(rebuilt(2)) == pytest.approx(0.1)


def test_base_class_must_be_overridden():
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError, match="get_config"):
        schedules.LearningRateSchedule().get_config()


@pytest.mark.parametrize(
    "factory, argument",
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps"),
        (lambda: schedules.PolynomialDecay(0.1, -1), "decay_steps"),
        (lambda: schedules.InverseTimeDecay(0.1, 0, 0.5), "decay_steps"),
        (lambda: schedules.CosineDecay(0.1, 0), "decay_steps"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
    ],
)
def test_non_positive_decay_steps_rejected(factory, argument):
    with pytest.raises(ValueError, match=f"`{argument}` must be > 0"):
        factory()


def test_piecewise_lengths_checked():
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])


def test_piecewise_boundaries_are_inclusive_upper_bounds():
    schedule = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.25])
    assert [float(schedule(step)) for step in (10, 11, 20, 21)] == [1.0, 0.5, 0.5, 0.25]


def test_polynomial_decay_has_no_nan_at_the_end_under_jit():
    # Keras returns NaN here under jit: XLA makes 1 - step/decay_steps slightly negative.
    schedule = schedules.PolynomialDecay(0.5, 40, power=0.5)
    values = jax.jit(jax.vmap(schedule))(jnp.arange(38, 45, dtype=jnp.int32))
    assert np.all(np.isfinite(values))
    np.testing.assert_allclose(values[2:], 0.0001, rtol=1e-6)


def test_integer_learning_rate_is_computed_in_float():
    # Keras computes this one in integers and returns 0; a float is what anyone means.
    assert float(schedules.ExponentialDecay(1, 10, 0.9)(10)) == pytest.approx(0.9)
