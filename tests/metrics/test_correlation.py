"""PearsonCorrelation and ConcordanceCorrelation (metrics/correlation.py) against Keras."""
import numpy as np
import pytest

from keras_oracle import keras
from metric_oracle import (assert_close, assert_config_matches_keras,
                           assert_fit_matches_keras, assert_matches_keras)
from layerwise import metrics

rng = np.random.default_rng(24)


def _batches(weighted, axis=-1):
    result = []
    for _ in range(3):
        y_true = rng.normal(size=(5, 6)).astype("float32")
        y_pred = (0.6 * y_true + rng.normal(0, 1, (5, 6))).astype("float32")
        weight = rng.uniform(0, 2, (5 if axis == -1 else 6,)).astype("float32") \
            if weighted else None
        result.append((y_true, y_pred, weight))
    return result


# A per-column result (axis=0) has one value per column, so its weights are per column.
@pytest.mark.parametrize("weighted, axis", [(False, -1), (True, -1), (False, 0), (True, 0)])
@pytest.mark.parametrize("class_name", ["PearsonCorrelation", "ConcordanceCorrelation"])
def test_values_match_keras(class_name, weighted, axis):
    assert_matches_keras(class_name, {"axis": axis}, _batches(weighted, axis))


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation"])
def test_functions_match_keras(name):
    y_true, y_pred, _ = _batches(False)[0]
    for axis in (-1, 0):
        assert_close(getattr(metrics, name)(y_true, y_pred, axis=axis),
                     getattr(keras.metrics, name)(y_true, y_pred, axis=axis))
    assert metrics.get(name).name == name


@pytest.mark.parametrize("class_name, kwargs", [
    ("PearsonCorrelation", {}), ("PearsonCorrelation", {"axis": 0, "name": "p"}),
    ("ConcordanceCorrelation", {"axis": 1})])
def test_config_matches_keras(class_name, kwargs):
    assert_config_matches_keras(class_name, kwargs)


def test_fit_logs_match_keras():
    x = rng.normal(size=(24, 5)).astype("float32")
    y = (x[:, :3] + rng.normal(0, 0.5, (24, 3))).astype("float32")
    assert_fit_matches_keras(lambda library: library.metrics.PearsonCorrelation(name="pearson"), x, y, "mse",
                             3, None)
    assert_fit_matches_keras(lambda library: library.metrics.ConcordanceCorrelation(name="ccc"), x, y,
                             "mse", 3, None)
