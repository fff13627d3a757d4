"""Lamb (optimizers/lamb.py) against real Keras."""
import pytest

from keras_oracle import keras

from optimizer_oracle import (assert_config_matches_keras, assert_fit_by_name_matches_keras,
                              assert_steps_match_keras)

CASES = [
    {},
    {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
    {"learning_rate": 0.05, "weight_decay": 0.1, "clipnorm": 0.5},
    {"learning_rate": 0.05, "global_clipnorm": 0.3, "use_ema": True},
    {"learning_rate": 0.05, "clipvalue": 0.2, "gradient_accumulation_steps": 2},
    {"learning_rate": 0.05, "loss_scale_factor": 4.0},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_steps_match_keras(kwargs):
    assert_steps_match_keras("Lamb", kwargs, steps=5)


def test_tiny_gradients_and_a_missing_gradient_match_keras():
    assert_steps_match_keras("Lamb", {"learning_rate": 0.05}, scale=1e-6)
    assert_steps_match_keras("Lamb", {"learning_rate": 0.05}, drop=(0,), drop_from=2)


@pytest.mark.parametrize("kwargs", CASES)
def test_config_matches_keras(kwargs):
    assert_config_matches_keras("Lamb", kwargs, keras_reads_it=False)


def test_compile_by_name_and_fit_match_keras():
    # Keras 3.15 cannot find "lamb" by name (it is missing from its lookup table); we can.
    assert_fit_by_name_matches_keras("lamb", keras_optimizer=keras.optimizers.Lamb)
