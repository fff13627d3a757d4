"""Losses and metrics reduce as Keras does for every rank of targets, predictions and
sample weights (or fail where Keras fails); `losses.get` returns what Keras returns."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

SHAPES = [  # (y_true, y_pred, sample_weight)
    ((6,), (6, 1), None), ((6,), (6, 1), (6,)), ((6, 1), (6, 1), (6, 1)),
    ((6, 5), (6, 5), (6,)), ((6, 5), (6, 5), (6, 5)), ((6, 4, 1), (6, 4, 1), (6,)),
    ((6, 4, 1), (6, 4, 1), (6, 4)), ((6, 4, 3), (6, 4, 3), (6, 4)), ((6, 4, 3), (6, 4, 3), (6, 1)),
]


def _outcome(function):
    try:
        return np.asarray(function())
    except Exception as error:  # noqa: BLE001 - the failure is what is compared
        return type(error).__name__


@pytest.mark.parametrize("name", ["MeanSquaredError", "MeanAbsoluteError", "Huber"])
@pytest.mark.parametrize("true_shape, pred_shape, weight_shape", SHAPES)
def test_loss_reduction_for_every_rank(name, true_shape, pred_shape, weight_shape):
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=true_shape).astype("float32")
    y_pred = rng.normal(size=pred_shape).astype("float32")
    weight = None if weight_shape is None else rng.random(weight_shape).astype("float32")
    ours, theirs = (_outcome(lambda: getattr(k.losses, name)()(y_true, y_pred, weight))
                    for k in (layerwise, keras))
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["MeanSquaredError", "MeanAbsoluteError"])
@pytest.mark.parametrize("true_shape, pred_shape, weight_shape", SHAPES)
def test_metric_reduction_for_every_rank(name, true_shape, pred_shape, weight_shape):
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=true_shape).astype("float32")
    y_pred = rng.normal(size=pred_shape).astype("float32")
    weight = None if weight_shape is None else rng.random(weight_shape).astype("float32")

    def run(k):
        metric = getattr(k.metrics, name)()
        metric.update_state(y_true, y_pred, sample_weight=weight)
        metric.update_state(y_pred, y_true, sample_weight=weight)
        return metric.result()

    ours, theirs = (_outcome(lambda: run(k)) for k in (layerwise, keras))
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_get_gives_the_per_sample_function_and_classes_reduce():
    y_true = np.ones((4, 3), "float32")
    y_pred = np.linspace(0, 1, 12, dtype="float32").reshape(4, 3)
    ours, theirs = layerwise.losses.get("mse"), keras.losses.get("mse")
    assert ours.__name__ == theirs.__name__ == "mean_squared_error"
    np.testing.assert_allclose(np.asarray(ours(y_true, y_pred)),
                               np.asarray(theirs(y_true, y_pred)), rtol=1e-6)
    assert np.asarray(ours(y_true, y_pred)).shape == (4,)
    reducing = layerwise.losses.get("MeanSquaredError")
    assert isinstance(reducing, layerwise.losses.Loss)
    assert np.asarray(reducing(y_true, y_pred)).shape == ()


def test_per_sample_weights_on_per_step_targets_fail_in_fit_as_in_keras():
    """keras.io's anomaly-detection shapes: (N, 288, 1) targets, mse, a (N,) weight.

    Keras 3.15 itself rejects this (the per-step losses (batch, 288) do not broadcast
    against (batch,)); we do the same rather than invent a rule.
    """
    rng = np.random.default_rng(2)
    x = rng.random((16, 288, 1)).astype("float32")
    weight = rng.random(16).astype("float32")
    outcomes = []
    for k in (layerwise, keras):
        model = k.Sequential([k.Input((288, 1)), k.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        outcomes.append(_outcome(lambda: model.fit(x, x, sample_weight=weight, batch_size=8,
                                                   epochs=1, verbose=0)))
    assert outcomes[0] == outcomes[1] == "ValueError"
