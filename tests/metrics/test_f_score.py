"""FBetaScore and F1Score (metrics/f_score.py) against real Keras."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metric_oracle import (assert_config_matches_keras, assert_fit_matches_keras,
                           assert_matches_keras)
from layerwise import metrics

rng = np.random.default_rng(21)
BATCH, CLASSES = 6, 4


def _batches(weighted, multi_label=False):
    result = []
    for _ in range(3):
        if multi_label:
            y_true = rng.integers(0, 2, (BATCH, CLASSES)).astype("float32")
        else:
            y_true = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, BATCH)]
        y_pred = rng.uniform(size=(BATCH, CLASSES)).astype("float32")
        y_pred[0] = 0.0  # an all-zero row predicts nothing
        weight = rng.uniform(0, 2, BATCH).astype("float32") if weighted else None
        result.append((y_true, y_pred, weight))
    return result


CASES = [
    ("F1Score", {}),
    ("F1Score", {"average": "micro"}),
    ("F1Score", {"average": "macro", "threshold": 0.5}),
    ("F1Score", {"average": "weighted"}),
    ("FBetaScore", {"beta": 2.0}),
    ("FBetaScore", {"beta": 0.5, "average": "micro", "threshold": 0.3}),
    ("FBetaScore", {"beta": 1.5, "average": "weighted", "threshold": 0.6}),
]


@pytest.mark.parametrize("multi_label", [False, True], ids=["one_hot", "multi_label"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("class_name, kwargs", CASES)
def test_values_match_keras(class_name, kwargs, weighted, multi_label):
    assert_matches_keras(class_name, kwargs, _batches(weighted, multi_label))


@pytest.mark.parametrize("class_name, kwargs", CASES + [("F1Score", {"name": "f"})])
def test_config_matches_keras(class_name, kwargs):
    assert_config_matches_keras(class_name, kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"average": "mean"}, "average"),
    ({"beta": 1}, "beta"),
    ({"beta": -1.0}, "beta"),
    ({"threshold": 1.5}, "threshold"),
    ({"threshold": 1}, "threshold"),
])
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=f"Received: {message}="):
        metrics.FBetaScore(**kwargs)


def test_inputs_must_be_two_dimensional():
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.ones(3), np.ones(3))


def test_fit_logs_match_keras():
    x = rng.normal(size=(24, 5)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    assert_fit_matches_keras(lambda library: library.metrics.F1Score(average="macro", name="f1"), x, y,
                             "categorical_crossentropy", 3, "softmax",
                             sample_weight=rng.uniform(0, 2, 24).astype("float32"))


@settings(max_examples=20, deadline=None)
@given(rows=st.integers(1, 6), classes=st.integers(1, 5),
       average=st.sampled_from([None, "micro", "macro", "weighted"]))
def test_result_shape_follows_the_average(rows, classes, average):
    data = np.random.default_rng(rows * 10 + classes)
    y_true = data.integers(0, 2, (rows, classes)).astype("float32")
    y_pred = data.uniform(size=(rows, classes)).astype("float32")
    metric = metrics.F1Score(average=average, threshold=0.5)
    metric.update_state(y_true, y_pred)
    assert np.shape(metric.result()) == ((classes,) if average is None else ())
    assert [tuple(v.shape) for v in metric.variables] == \
        [(() if average == "micro" else (classes,))] * 4
