"""R2Score (metrics/r2_score.py) against real Keras."""
import numpy as np
import pytest

from metric_oracle import (assert_config_matches_keras, assert_fit_matches_keras,
                           assert_matches_keras)
from layerwise import metrics

rng = np.random.default_rng(22)


def _batches(weighted, outputs=3, flat=False, rows=6):
    result = []
    for _ in range(3):
        y_true = rng.normal(size=(rows, outputs)).astype("float32")
        y_pred = (y_true + rng.normal(0, 0.7, (rows, outputs))).astype("float32")
        if flat:
            y_true = y_true[:, 0]
        weight = rng.uniform(0, 2, rows).astype("float32") if weighted else None
        result.append((y_true, y_pred, weight))
    return result


CASES = [
    {},
    {"class_aggregation": None},
    {"class_aggregation": "variance_weighted_average"},
    {"num_regressors": 2},
    {"num_regressors": 40},  # too many for the samples: the plain score
    {"num_regressors": 17},  # samples - 1 after the first batch: the plain score
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kwargs", CASES)
def test_values_match_keras(kwargs, weighted):
    assert_matches_keras("R2Score", kwargs, _batches(weighted))


def test_flat_labels_against_a_column_of_predictions():
    assert_matches_keras("R2Score", {}, _batches(True, outputs=1, flat=True))


@pytest.mark.parametrize("kwargs", CASES[:4] + [{"name": "r"}])
def test_config_matches_keras(kwargs):
    assert_config_matches_keras("R2Score", kwargs)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="Received: class_aggregation='mean'"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="Received: num_regressors=-1"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(np.ones((2, 3, 4)), np.ones((2, 3, 4)))


def test_fit_logs_match_keras():
    x = rng.normal(size=(24, 5)).astype("float32")
    y = (x[:, :2] * 2 + rng.normal(0, 0.1, (24, 2))).astype("float32")
    assert_fit_matches_keras(lambda library: library.metrics.R2Score(name="r2"), x, y, "mse", 2, None)
