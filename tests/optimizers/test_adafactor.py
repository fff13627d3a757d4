"""Adafactor (optimizers/adafactor.py) against real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras
from layerwise import optimizers, schedules
from test_optimizers import gradients, make_keras_variables, mirror_variables
from optimizer_oracle import (assert_config_matches_keras, assert_fit_by_name_matches_keras,
                              assert_steps_match_keras)

CASES = [
    {},
    {"learning_rate": 0.5},  # capped at 1/sqrt(t) by relative_step
    {"learning_rate": 0.5, "relative_step": False},
    {"learning_rate": 0.01, "beta_2_decay": -0.5, "epsilon_1": 1e-20, "epsilon_2": 1e-2,
     "clip_threshold": 0.5},
    {"learning_rate": 0.05, "weight_decay": 0.1, "clipnorm": 0.5},
    {"learning_rate": 0.05, "global_clipnorm": 0.3, "use_ema": True},
    {"learning_rate": 0.05, "gradient_accumulation_steps": 2},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_steps_match_keras(kwargs):
    assert_steps_match_keras("Adafactor", kwargs, steps=5)


def test_tiny_gradients_and_a_missing_gradient_match_keras():
    assert_steps_match_keras("Adafactor", {"learning_rate": 0.05}, scale=1e-5)
    assert_steps_match_keras("Adafactor", {"learning_rate": 0.05}, drop=(0,), drop_from=2)


@pytest.mark.parametrize("relative_step", [True, False])
def test_a_schedule_is_not_capped_as_in_keras(relative_step):
    # With a schedule Keras skips the 1/sqrt(t) cap of relative_step (it only caps the
    # relative step size), so a large scheduled rate behaves alike either way.
    def make(library):
        return library.optimizers.schedules.ExponentialDecay(0.8, decay_steps=2, decay_rate=0.5)

    ours = optimizers.Adafactor(learning_rate=make(layerwise), relative_step=relative_step)
    theirs = keras.optimizers.Adafactor(learning_rate=make(keras), relative_step=relative_step)
    keras_variables = make_keras_variables()
    our_variables = mirror_variables(keras_variables)
    for step in range(4):
        grads = gradients(step)
        theirs.apply_gradients(zip(grads, keras_variables))
        ours.apply_gradients(zip(grads, our_variables))
    for mine, keras_variable in zip(our_variables, keras_variables):
        np.testing.assert_allclose(mine.numpy(), np.asarray(keras_variable.value), rtol=1e-6,
                                   atol=1e-7)
    assert isinstance(ours._learning_rate, schedules.LearningRateSchedule)


@pytest.mark.parametrize("kwargs", CASES)
def test_config_matches_keras(kwargs):
    assert_config_matches_keras("Adafactor", kwargs)


def test_compile_by_name_and_fit_match_keras():
    assert_fit_by_name_matches_keras("adafactor")
