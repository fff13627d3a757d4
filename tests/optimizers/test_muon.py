"""Muon (optimizers/muon.py) against real Keras."""
import numpy as np
import pytest

from keras_oracle import keras
from layerwise.optimizers.muon import orthogonalize
from optimizer_oracle import (assert_config_matches_keras, assert_fit_by_name_matches_keras,
                              assert_steps_match_keras)

CASES = [
    {},  # the kernel follows Muon, the bias AdamW
    {"learning_rate": 0.02, "momentum": 0.8, "nesterov": False, "ns_steps": 3},
    {"learning_rate": 0.02, "rms_rate": None, "weight_decay": None, "adam_weight_decay": 0.1},
    {"learning_rate": 0.02, "adam_lr_ratio": 0.5, "adam_beta_1": 0.5, "adam_beta_2": 0.9,
     "epsilon": 1e-3, "muon_a": 3.0, "muon_b": -3.2, "muon_c": 1.2},
    {"learning_rate": 0.02, "exclude_layers": ["dense"]},  # every weight follows AdamW
    {"learning_rate": 0.02, "clipnorm": 0.5, "use_ema": True},
    {"learning_rate": 0.02, "gradient_accumulation_steps": 2},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_steps_match_keras(kwargs):
    assert_steps_match_keras("Muon", kwargs, steps=4)


@pytest.mark.parametrize("dropped", [0, 1], ids=["muon_kernel", "adamw_bias"])
def test_a_variable_without_gradient_keeps_its_slots(dropped):
    assert_steps_match_keras("Muon", {"learning_rate": 0.02}, steps=4, drop=(dropped,),
                             drop_from=2)


def test_tall_and_wide_matrices_are_orthogonalized_alike():
    rng = np.random.default_rng(0)
    for shape in [(3, 5), (5, 3)]:
        x = rng.normal(size=shape).astype("float32")
        ours = orthogonalize(x, 5, 3.4445, -4.775, 2.0315)
        theirs = keras.optimizers.Muon().zeropower_via_newtonschulz5(x, 5)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs", CASES)
def test_config_matches_keras(kwargs):
    assert_config_matches_keras("Muon", kwargs)


def test_compile_by_name_and_fit_match_keras():
    assert_fit_by_name_matches_keras("muon", tolerance=2e-6)
