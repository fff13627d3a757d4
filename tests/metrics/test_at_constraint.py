"""SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall and
RecallAtPrecision (metrics/at_constraint.py) against real Keras."""
import numpy as np
import pytest

from metric_oracle import (assert_config_matches_keras, assert_fit_matches_keras,
                           assert_matches_keras)
from layerwise import metrics

rng = np.random.default_rng(25)


def _binary(weighted):
    result = []
    for _ in range(3):
        y_true = rng.integers(0, 2, (10, 1)).astype("float32")
        y_pred = np.clip(0.4 * y_true + rng.uniform(0, 0.7, (10, 1)), 0, 1).astype("float32")
        y_pred[0, 0] = rng.choice([0.0, 0.5, 1.0])
        weight = rng.uniform(0, 2, (10,)).astype("float32") if weighted else None
        result.append((y_true, y_pred, weight))
    return result


def _multi_class(weighted):
    result = []
    for _ in range(3):
        y_true = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]
        y_pred = rng.dirichlet(np.ones(3), 8).astype("float32")
        weight = rng.uniform(0, 2, (8,)).astype("float32") if weighted else None
        result.append((y_true, y_pred, weight))
    return result


CASES = [
    ("SensitivityAtSpecificity", {"specificity": 0.5}),
    ("SensitivityAtSpecificity", {"specificity": 0.8, "num_thresholds": 7}),
    ("SpecificityAtSensitivity", {"sensitivity": 0.6}),
    ("SpecificityAtSensitivity", {"sensitivity": 0.9, "num_thresholds": 1}),
    ("PrecisionAtRecall", {"recall": 0.7}),
    ("PrecisionAtRecall", {"recall": 0.3, "num_thresholds": 2}),
    ("RecallAtPrecision", {"precision": 0.6}),
    ("RecallAtPrecision", {"precision": 1.0, "num_thresholds": 11}),
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("class_name, kwargs", CASES)
def test_values_match_keras(class_name, kwargs, weighted):
    assert_matches_keras(class_name, kwargs, _binary(weighted))
    assert_matches_keras(class_name, {**kwargs, "class_id": 1}, _multi_class(weighted))


@pytest.mark.parametrize("class_name, kwargs", CASES + [
    ("RecallAtPrecision", {"precision": 0.4, "class_id": 2, "name": "r"})])
def test_config_matches_keras(class_name, kwargs):
    assert_config_matches_keras(class_name, kwargs)


@pytest.mark.parametrize("class_name, argument", [
    ("SensitivityAtSpecificity", "specificity"), ("SpecificityAtSensitivity", "sensitivity"),
    ("PrecisionAtRecall", "recall"), ("RecallAtPrecision", "precision")])
def test_bad_arguments_are_rejected(class_name, argument):
    with pytest.raises(ValueError, match=f"Received: {argument}=1.5"):
        getattr(metrics, class_name)(1.5)
    with pytest.raises(ValueError, match="Received: num_thresholds=0"):
        getattr(metrics, class_name)(0.5, num_thresholds=0)


def test_fit_logs_match_keras():
    x = rng.normal(size=(24, 5)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    assert_fit_matches_keras(
        lambda library: library.metrics.PrecisionAtRecall(0.5, num_thresholds=50, name="p_at_r"), x, y,
        "binary_crossentropy", 1, "sigmoid")
