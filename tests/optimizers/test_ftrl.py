"""Ftrl (optimizers/ftrl.py) against real Keras."""
import pytest

from layerwise import optimizers
from optimizer_oracle import (assert_config_matches_keras, assert_fit_by_name_matches_keras,
                              assert_steps_match_keras)

CASES = [
    {},
    {"learning_rate": 0.1, "learning_rate_power": -0.3, "initial_accumulator_value": 0.5},
    {"learning_rate": 0.1, "l1_regularization_strength": 0.05},
    {"learning_rate": 0.1, "l2_regularization_strength": 0.2, "beta": 0.5},
    {"learning_rate": 0.1, "l2_shrinkage_regularization_strength": 0.1,
     "l1_regularization_strength": 0.01},
    {"learning_rate": 0.1, "learning_rate_power": 0.0},
    {"learning_rate": 0.1, "weight_decay": 0.05, "clipnorm": 0.5},
    {"learning_rate": 0.1, "global_clipnorm": 0.5, "use_ema": True},
    {"learning_rate": 0.1, "clipvalue": 0.1, "gradient_accumulation_steps": 2},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_steps_match_keras(kwargs):
    assert_steps_match_keras("Ftrl", kwargs, steps=4)


def test_small_gradients_and_a_missing_gradient_match_keras():
    assert_steps_match_keras("Ftrl", {"learning_rate": 0.05}, scale=1e-3)
    assert_steps_match_keras("Ftrl", {"learning_rate": 0.05}, drop=(1,), drop_from=2)


@pytest.mark.parametrize("kwargs", CASES)
def test_config_matches_keras(kwargs):
    assert_config_matches_keras("Ftrl", kwargs)


@pytest.mark.parametrize("argument, value", [
    ("initial_accumulator_value", -0.1), ("learning_rate_power", 0.5),
    ("l1_regularization_strength", -1.0), ("l2_regularization_strength", -1.0),
    ("l2_shrinkage_regularization_strength", -1.0)])
def test_bad_arguments_are_rejected(argument, value):
    with pytest.raises(ValueError, match=f"Received: {argument}={value}"):
        optimizers.Ftrl(**{argument: value})


def test_compile_by_name_and_fit_match_keras():
    assert_fit_by_name_matches_keras("ftrl")
