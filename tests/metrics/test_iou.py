"""IoU, MeanIoU, BinaryIoU, OneHotIoU and OneHotMeanIoU (metrics/iou.py) against Keras."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from metric_oracle import (assert_config_matches_keras, assert_fit_matches_keras,
                           assert_matches_keras)
from layerwise import metrics

rng = np.random.default_rng(23)
CLASSES = 4


def _sparse(weighted, integer_weights=False):
    result = []
    for _ in range(3):
        y_true = rng.integers(-1, CLASSES + 1, (3, 5))  # some labels out of range
        y_pred = rng.integers(0, CLASSES, (3, 5))
        weight = None
        if weighted:
            weight = rng.integers(0, 3, (3, 5)) if integer_weights else \
                rng.uniform(0, 2, (3, 5)).astype("float32")
        result.append((y_true, y_pred, weight))
    return result


def _one_hot(weighted):
    result = []
    for _ in range(3):
        y_true = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, (2, 5))]
        y_pred = rng.uniform(size=(2, 5, CLASSES)).astype("float32")
        weight = rng.uniform(0, 2, (2, 5)).astype("float32") if weighted else None
        result.append((y_true, y_pred, weight))
    return result


def _binary(weighted):
    result = []
    for _ in range(3):
        y_true = rng.integers(0, 2, (8,)).astype("float32")
        y_pred = rng.uniform(size=(8,)).astype("float32")
        y_pred[0] = 0.5  # exactly at the threshold: class 1
        weight = rng.uniform(0, 2, (8,)).astype("float32") if weighted else None
        result.append((y_true, y_pred, weight))
    return result


SPARSE_CASES = [
    ("IoU", {"num_classes": CLASSES, "target_class_ids": [0, 2]}),
    ("IoU", {"num_classes": CLASSES, "target_class_ids": [1], "ignore_class": 0}),
    ("MeanIoU", {"num_classes": CLASSES}),
    ("MeanIoU", {"num_classes": CLASSES, "ignore_class": 3}),
]
FLOAT = {"dtype": "float32"}


@pytest.mark.parametrize("class_name, kwargs", SPARSE_CASES)
def test_sparse_values_match_keras(class_name, kwargs):
    assert_matches_keras(class_name, kwargs, _sparse(False))
    assert_matches_keras(class_name, kwargs, _sparse(True, integer_weights=True))
    assert_matches_keras(class_name, {**kwargs, **FLOAT}, _sparse(True))


def test_float_weights_with_the_integer_default_are_truncated_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_matches_keras("MeanIoU", {"num_classes": CLASSES}, _sparse(True))
    assert any("truncated" in str(w.message) for w in caught)


@pytest.mark.parametrize("class_name, kwargs", [
    ("OneHotIoU", {"num_classes": CLASSES, "target_class_ids": [0, 3]}),
    ("OneHotMeanIoU", {"num_classes": CLASSES}),
    ("OneHotMeanIoU", {"num_classes": CLASSES, "ignore_class": 1}),
    ("IoU", {"num_classes": CLASSES, "target_class_ids": [1, 2], "sparse_y_true": False,
             "sparse_y_pred": False}),
])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_one_hot_values_match_keras(class_name, kwargs, weighted):
    assert_matches_keras(class_name, {**kwargs, **FLOAT}, _one_hot(weighted))


@pytest.mark.parametrize("kwargs", [{}, {"target_class_ids": [1], "threshold": 0.3},
                                    {"target_class_ids": (0,), "threshold": 0.7}])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_binary_values_match_keras(kwargs, weighted):
    assert_matches_keras("BinaryIoU", {**kwargs, **FLOAT}, _binary(weighted))
    assert_matches_keras("BinaryIoU", kwargs, _binary(False))


@pytest.mark.parametrize("class_name, kwargs", SPARSE_CASES + [
    ("MeanIoU", {"num_classes": 3, "sparse_y_pred": False, "axis": 1, "name": "m"}),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [2], "dtype": "float32"}),
    ("OneHotMeanIoU", {"num_classes": 5, "ignore_class": 0}),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.2}),
])
def test_config_matches_keras(class_name, kwargs):
    assert_config_matches_keras(class_name, kwargs)


def test_target_class_out_of_range_is_rejected():
    with pytest.raises(ValueError, match=r"Received: target_class_ids=\[0, 4\]"):
        metrics.IoU(num_classes=4, target_class_ids=[0, 4])


def test_fit_logs_match_keras():
    x = rng.normal(size=(24, 5)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    assert_fit_matches_keras(lambda library: library.metrics.OneHotMeanIoU(num_classes=3, name="iou"), x, y,
                             "categorical_crossentropy", 3, "softmax")


@settings(max_examples=30, deadline=None)
@given(labels=hnp.arrays(np.int32, st.integers(1, 20), elements=st.integers(-2, CLASSES + 1)),
       seed=st.integers(0, 2**16))
def test_the_matrix_counts_exactly_the_labels_in_range(labels, seed):
    predictions = np.random.default_rng(seed).integers(-1, CLASSES + 1, labels.shape)
    metric = metrics.MeanIoU(num_classes=CLASSES, ignore_class=0)
    state = metric.update(metric.initial_state(), labels, predictions)
    counted = (labels >= 0) & (labels < CLASSES) & (labels != 0) & \
        (predictions >= 0) & (predictions < CLASSES)
    matrix = np.asarray(state["total_confusion_matrix"])
    assert matrix.sum() == counted.sum()
    assert matrix[0].sum() == 0  # the ignored class never counts as a label
    np.testing.assert_array_equal(np.diag(matrix)[1:],
                                  [np.sum(counted & (labels == c) & (predictions == c))
                                   for c in range(1, CLASSES)])
