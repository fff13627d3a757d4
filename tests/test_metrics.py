"""layerwise.metrics against real Keras 3 (JAX backend), batch by batch."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_oracle import keras, twins
from layerwise import losses, metrics
from layerwise.engine.variables import StatelessScope

TOLERANCE = 1e-6
rng = np.random.default_rng(7)
BATCH, CLASSES = 5, 4


def assert_close(ours, theirs, tolerance=TOLERANCE):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


def batches(make, count=3):
    return [make() for _ in range(count)]


def binary_column():
    return rng.integers(0, 2, (BATCH, 1)).astype("float32"), rng.uniform(0, 1, (BATCH, 1)).astype(
        "float32"
    )


def binary_flat_labels():
    # Labels (n,) against predictions (n, 1); some predictions exactly at 0, 0.5 and 1.
    y_pred = rng.uniform(0, 1, (BATCH, 1)).astype("float32")
    y_pred[0, 0] = rng.choice([0.0, 0.5, 1.0])
    return rng.integers(0, 2, (BATCH,)), y_pred


def multi_label():
    return rng.integers(0, 2, (BATCH, 3)).astype("float32"), rng.uniform(0, 1, (BATCH, 3)).astype(
        "float32"
    )


def one_hot():
    y_pred = rng.dirichlet(np.ones(CLASSES), BATCH).astype("float32")
    y_pred[0] = [0.4, 0.4, 0.1, 0.1]  # an argmax tie: the first index wins
    return np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, BATCH)], y_pred


def sparse():
    y_true, y_pred = one_hot()
    return np.argmax(y_true, -1), y_pred


def sparse_column():
    y_true, y_pred = sparse()
    return y_true[:, None], y_pred


def logits_one_hot():
    y_true, _ = one_hot()
    return y_true, rng.normal(0, 2, (BATCH, CLASSES)).astype("float32")


def regression():
    return rng.normal(1, 2, (BATCH, 3)).astype("float32"), rng.normal(1, 2, (BATCH, 3)).astype(
        "float32"
    )


def regression_flat():
    return rng.normal(1, 2, (BATCH,)).astype("float32"), rng.normal(1, 2, (BATCH, 1)).astype(
        "float32"
    )


def positive():
    return rng.uniform(0, 3, (BATCH, 3)).astype("float32"), rng.uniform(0.1, 3, (BATCH, 3)).astype(
        "float32"
    )


def probability_pairs():
    y_true = rng.dirichlet(np.ones(3), BATCH).astype("float32")
    return y_true, rng.dirichlet(np.ones(3), BATCH).astype("float32")


def exact_values():
    y_true = rng.integers(0, 3, (BATCH, 2)).astype("float32")
    return y_true, np.where(rng.uniform(size=(BATCH, 2)) > 0.5, y_true, y_true + 1)


# (class name, constructor kwargs, batch maker)
METRIC_CASES = [
    ("Accuracy", {}, exact_values),
    ("BinaryAccuracy", {}, binary_column),
    ("BinaryAccuracy", {}, binary_flat_labels),
    ("BinaryAccuracy", {"threshold": 0.3}, multi_label),
    ("CategoricalAccuracy", {}, one_hot),
    ("SparseCategoricalAccuracy", {}, sparse),
    ("SparseCategoricalAccuracy", {}, sparse_column),
    ("TopKCategoricalAccuracy", {}, one_hot),
    ("TopKCategoricalAccuracy", {"k": 2}, one_hot),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, sparse),
    ("SparseTopKCategoricalAccuracy", {"k": 1}, sparse_column),
    ("MeanSquaredError", {}, regression),
    ("MeanSquaredError", {}, regression_flat),
    ("MeanAbsoluteError", {}, regression),
    ("MeanAbsolutePercentageError", {}, regression),
    ("MeanSquaredLogarithmicError", {}, positive),
    ("RootMeanSquaredError", {}, regression),
    ("RootMeanSquaredError", {}, regression_flat),
    ("CosineSimilarity", {}, regression),
    ("LogCoshError", {}, regression),
    ("Hinge", {}, multi_label),
    ("SquaredHinge", {}, multi_label),
    ("CategoricalHinge", {}, one_hot),
    ("KLDivergence", {}, probability_pairs),
    ("Poisson", {}, positive),
    ("BinaryCrossentropy", {}, binary_column),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, multi_label),
    ("BinaryCrossentropy", {"from_logits": True}, regression),
    ("CategoricalCrossentropy", {}, one_hot),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, logits_one_hot),
    ("SparseCategoricalCrossentropy", {}, sparse),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, sparse),
    ("Precision", {}, binary_column),
    ("Precision", {}, binary_flat_labels),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, binary_flat_labels),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, binary_flat_labels),  # evenly spaced: bucketed
    ("Precision", {"top_k": 2}, one_hot),
    ("Precision", {"class_id": 2}, one_hot),
    ("Precision", {"top_k": 2, "class_id": 1, "thresholds": 0.1}, one_hot),
    ("Precision", {}, multi_label),
    ("Recall", {}, binary_column),
    ("Recall", {"thresholds": [0.1, 0.6]}, multi_label),
    ("Recall", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, binary_flat_labels),
    ("Recall", {"top_k": 1}, one_hot),
    ("Recall", {"class_id": 0}, one_hot),
    ("TruePositives", {}, binary_column),
    ("FalsePositives", {"thresholds": [0.2, 0.7]}, binary_flat_labels),
    ("TrueNegatives", {"thresholds": [0.0, 0.5, 1.0]}, multi_label),
    ("FalseNegatives", {"thresholds": 0.3}, binary_flat_labels),
    ("AUC", {}, binary_column),
    ("AUC", {}, binary_flat_labels),
    ("AUC", {"num_thresholds": 7}, multi_label),
    ("AUC", {"curve": "PR"}, binary_flat_labels),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, binary_column),
    ("AUC", {"curve": "ROC", "summation_method": "minoring"}, binary_column),
    ("AUC", {"curve": "PRGAIN"}, binary_column),
    ("AUC", {"thresholds": [0.3, 0.1, 0.7]}, binary_flat_labels),  # not evenly spaced
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, binary_flat_labels),  # evenly spaced
    ("AUC", {"multi_label": True}, multi_label),
    ("AUC", {"multi_label": True, "num_labels": 3, "curve": "PR"}, multi_label),
    ("AUC", {"multi_label": True, "label_weights": [0.2, 1.0, 3.0]}, multi_label),
    ("AUC", {"multi_label": True, "thresholds": [0.3, 0.6]}, multi_label),
    ("AUC", {"label_weights": [0.5, 2.0, 1.0]}, multi_label),
    ("AUC", {"label_weights": [0.5, 2.0, 1.0], "thresholds": [0.2, 0.9]}, multi_label),
    ("AUC", {"from_logits": True}, regression),
]
CASE_IDS = [f"{name}-{kwargs}-{make.__name__}" for name, kwargs, make in METRIC_CASES]


def per_sample_weight(y_true):
    return rng.uniform(0, 2, (np.shape(y_true)[0],)).astype("float32")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        yield


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("class_name, kwargs, make", METRIC_CASES, ids=CASE_IDS)
def test_metric_matches_keras_over_batches(class_name, kwargs, make, weighted):
    ours, theirs = twins(lambda k: getattr(k.metrics, class_name)(**kwargs))
    for y_true, y_pred in batches(make):
        weight = per_sample_weight(y_true) if weighted else None
        ours.update_state(y_true, y_pred, sample_weight=weight)
        theirs.update_state(y_true, y_pred, sample_weight=weight)
        assert_close(ours.result(), theirs.result())
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    for mine, keras_variable in zip(ours.variables, theirs.variables):
        assert_close(mine.numpy(), np.asarray(keras_variable.value))


@pytest.mark.parametrize("class_name, kwargs, make", METRIC_CASES, ids=CASE_IDS)
def test_pure_core_under_jit_equals_stateful_api(class_name, kwargs, make):
    stateful = getattr(metrics, class_name)(**kwargs)
    pure = getattr(metrics, class_name)(**kwargs)
    data = batches(make)
    pure.build(np.shape(data[0][0]), np.shape(data[0][1]))
    update = jax.jit(pure.update)
    state = pure.initial_state()
    for y_true, y_pred in data:
        weight = per_sample_weight(y_true)
        stateful.update_state(y_true, y_pred, weight)
        state = update(state, y_true, y_pred, weight)
    assert_close(jax.jit(pure.compute)(state), stateful.result())


@pytest.mark.parametrize("class_name, kwargs, make", METRIC_CASES[::4], ids=CASE_IDS[::4])
def test_reset_state(class_name, kwargs, make):
    metric = getattr(metrics, class_name)(**kwargs)
    first, second = batches(make, 2)
    metric.update_state(*first)
    metric.reset_state()
    for variable in metric.variables:
        assert not np.any(variable.numpy())
    metric.update_state(*second)
    fresh = getattr(metrics, class_name)(**kwargs)
    fresh.update_state(*second)
    assert_close(metric.result(), fresh.result())


def test_call_updates_and_returns_result():
    ours, theirs = metrics.BinaryAccuracy(), keras.metrics.BinaryAccuracy()
    for y_true, y_pred in batches(binary_column):
        assert_close(ours(y_true, y_pred), theirs(y_true, y_pred))


# -- Mean and Sum ----------------------------------------------------------------------------

VALUE_CASES = [
    (
        lambda: rng.normal(size=(BATCH,)).astype("float32"),
        lambda: rng.uniform(0, 2, (BATCH,)).astype("float32"),
    ),
    (
        lambda: rng.normal(size=(BATCH, 3)).astype("float32"),
        lambda: rng.uniform(0, 2, (BATCH,)).astype("float32"),
    ),
    (
        lambda: rng.normal(size=(BATCH, 3)).astype("float32"),
        lambda: rng.uniform(0, 2, (BATCH, 3)).astype("float32"),
    ),
    (
        lambda: rng.normal(size=(BATCH, 1)).astype("float32"),
        lambda: rng.uniform(0, 2, (BATCH,)).astype("float32"),
    ),
    (
        lambda: rng.normal(size=(BATCH,)).astype("float32"),
        lambda: rng.uniform(0, 2, (BATCH, 1)).astype("float32"),
    ),
    (lambda: np.float32(rng.normal()), lambda: np.float32(32.0)),  # the trainer's loss tracker
    (lambda: rng.integers(0, 5, (BATCH, 2)), lambda: np.float32(2.0)),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", range(len(VALUE_CASES)))
@pytest.mark.parametrize("class_name", ["Mean", "Sum"])
def test_mean_and_sum_match_keras(class_name, case, weighted):
    make_values, make_weight = VALUE_CASES[case]
    ours, theirs = twins(lambda k: getattr(k.metrics, class_name)())
    for _ in range(3):
        values, weight = make_values(), (make_weight() if weighted else None)
        ours.update_state(values, sample_weight=weight)
        theirs.update_state(values, sample_weight=weight)
    assert_close(ours.result(), theirs.result(), tolerance=1e-5)


def test_mean_pure_core():
    mean = metrics.Mean(name="loss")
    state = mean.initial_state()
    assert set(state) == {"total", "count"}
    state = jax.jit(mean.update)(state, jnp.float32(2.0), jnp.float32(32.0))
    state = jax.jit(mean.update)(state, jnp.float32(4.0), jnp.float32(16.0))
    assert_close(mean.compute(state), (2.0 * 32 + 4.0 * 16) / 48)
    assert float(metrics.Mean().result()) == 0.0  # nothing seen yet: 0, not nan


def test_mean_metric_wrapper_user_function_and_mask():
    def absolute_difference(y_true, y_pred):
        return jnp.abs(y_true - y_pred)

    ours = metrics.MeanMetricWrapper(absolute_difference, name="ad")
    theirs = keras.metrics.MeanMetricWrapper(absolute_difference, name="ad")
    for y_true, y_pred in batches(regression):
        weight = per_sample_weight(y_true)
        ours.update_state(y_true, y_pred, weight)
        theirs.update_state(y_true, y_pred, weight)
    assert_close(ours.result(), theirs.result())
    masked = metrics.MeanMetricWrapper(absolute_difference)
    values = jnp.array([[1.0, 5.0], [3.0, 7.0]])
    masked.update_state(jnp.zeros((2, 2)), values, mask=jnp.array([[True, False], [True, False]]))
    assert_close(masked.result(), 2.0)


# -- Keras's stateful and stateless APIs -----------------------------------------------------------


def test_stateless_scope_records_instead_of_mutating():
    metric = metrics.AUC(num_thresholds=5)
    y_true, y_pred = binary_column()
    mapping = [(v, jnp.zeros(v.shape)) for v in metric.variables]
    with StatelessScope(mapping) as scope:
        metric.update_state(y_true, y_pred)
        inside = metric.result()
        new_values = [scope.new_value(v) for v in metric.variables]
    assert all(not np.any(v.numpy()) for v in metric.variables)
    reference = metrics.AUC(num_thresholds=5)
    reference.update_state(y_true, y_pred)
    assert_close(inside, reference.result())
    for new, variable in zip(new_values, reference.variables):
        assert_close(new, variable.numpy())


def test_list_based_stateless_api_matches_keras():
    ours, theirs = metrics.Precision(thresholds=[0.3, 0.6]), keras.metrics.Precision(
        thresholds=[0.3, 0.6]
    )
    our_values, their_values = ours.stateless_reset_state(), theirs.stateless_reset_state()
    for y_true, y_pred in batches(binary_flat_labels):
        our_values = ours.stateless_update_state(our_values, y_true, y_pred)
        their_values = theirs.stateless_update_state(their_values, y_true, y_pred)
    assert_close(ours.stateless_result(our_values), theirs.stateless_result(their_values))
    with pytest.raises(ValueError, match="metric_variables"):
        ours.stateless_result(our_values[:1])


def test_variable_names_and_paths():
    auc = metrics.AUC(name="my_auc")
    assert [v.name for v in auc.variables] == [
        "true_positives", "false_positives", "true_negatives", "false_negatives"
    ]  # fmt: skip
    assert auc.variables[0].path == "my_auc/true_positives"
    assert all(not v.trainable for v in auc.variables)
    assert [v.shape for v in metrics.Mean().variables] == [(), ()]


def test_multi_label_auc_builds_from_first_batch():
    auc = metrics.AUC(multi_label=True)
    assert auc.variables == []
    with pytest.raises(ValueError, match="num_labels"):
        auc.initial_state()
    y_true, y_pred = multi_label()
    auc.update_state(y_true, y_pred)
    assert auc.variables[0].shape == (200, 3)
    assert metrics.AUC(multi_label=True, num_labels=4).initial_state()["true_positives"].shape == (
        200,
        4,
    )


# -- per-sample functions ------------------------------------------------------------------------

FUNCTION_CASES = [
    ("binary_accuracy", binary_column, {}),
    ("binary_accuracy", binary_flat_labels, {"threshold": 0.7}),
    ("categorical_accuracy", one_hot, {}),
    ("sparse_categorical_accuracy", sparse, {}),
    ("sparse_categorical_accuracy", sparse_column, {}),
    ("top_k_categorical_accuracy", one_hot, {"k": 2}),
    ("sparse_top_k_categorical_accuracy", sparse, {"k": 3}),
    ("sparse_top_k_categorical_accuracy", sparse_column, {"k": 1}),
]


@pytest.mark.parametrize(
    "name, make, kwargs", FUNCTION_CASES, ids=[f"{n}-{m.__name__}" for n, m, _ in FUNCTION_CASES]
)
def test_accuracy_functions_match_keras(name, make, kwargs):
    y_true, y_pred = make()
    assert_close(
        getattr(metrics, name)(y_true, y_pred, **kwargs),
        getattr(keras.metrics, name)(y_true, y_pred, **kwargs),
    )


def test_argmax_ties_and_negative_zero():
    y_pred = np.array(
        [[0.3, 0.3, 0.1], [-0.0, 0.0, -1.0], [0.0, -0.0, -1.0], [0.5, 0.5, 0.5]], "float32"
    )
    labels = np.array([1, 1, 0, 2])
    one_hot_labels = np.eye(3, dtype="float32")[labels]
    assert_close(
        metrics.sparse_categorical_accuracy(labels, y_pred),
        keras.metrics.sparse_categorical_accuracy(labels, y_pred),
    )
    assert_close(
        metrics.categorical_accuracy(one_hot_labels, y_pred),
        keras.metrics.categorical_accuracy(one_hot_labels, y_pred),
    )
    assert_close(
        metrics.sparse_top_k_categorical_accuracy(labels, y_pred, k=1),
        keras.metrics.sparse_top_k_categorical_accuracy(labels, y_pred, k=1),
    )


def test_sparse_top_k_from_sorted_ids():
    ids = np.array([[2, 0, 1], [1, 2, 0]], "float32")
    labels = np.array([0, 0])
    ours = metrics.sparse_top_k_categorical_accuracy(labels, ids, k=2, from_sorted_ids=True)
    theirs = keras.metrics.sparse_top_k_categorical_accuracy(labels, ids, k=2, from_sorted_ids=True)
    assert_close(ours, theirs)


@settings(max_examples=20, deadline=None)
@given(
    labels=hnp.arrays(np.int64, (6,), elements=st.integers(0, 1)),
    scores=hnp.arrays(np.float32, (6, 1), elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])),
    threshold=st.sampled_from([0.25, 0.5]),
)
def test_binary_accuracy_at_the_threshold(labels, scores, threshold):
    # Keras uses `y_pred > threshold`: a score equal to the threshold is negative.
    ours = metrics.binary_accuracy(labels, scores, threshold=threshold)
    theirs = keras.metrics.binary_accuracy(labels, scores, threshold=threshold)
    assert_close(ours, theirs)


@settings(max_examples=20, deadline=None)
@given(
    labels=hnp.arrays(np.float32, (8,), elements=st.sampled_from([0.0, 1.0])),
    scores=hnp.arrays(np.float32, (8,), elements=st.floats(0.0, 1.0, width=32)),
)
def test_auc_any_scores(labels, scores):
    ours, theirs = metrics.AUC(num_thresholds=11), keras.metrics.AUC(num_thresholds=11)
    ours.update_state(labels, scores)
    theirs.update_state(labels, scores)
    assert_close(ours.result(), theirs.result(), tolerance=1e-5)


# -- behaviour that errors in Keras too ------------------------------------------------------


def test_crossentropy_metric_does_not_match_ranks():
    # Unlike the loss, the metric passes (n,) labels with (n, 1) predictions straight on.
    y_true, y_pred = binary_flat_labels()
    with pytest.raises(ValueError, match="same shape"):
        keras.metrics.BinaryCrossentropy().update_state(y_true, y_pred)
    with pytest.raises(ValueError, match="same shape"):
        metrics.BinaryCrossentropy().update_state(y_true, y_pred)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="thresholds"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="summation_method"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1).update_state(np.ones(3), np.ones(3))


# -- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier, class_name",
    [
        ("mse", "MeanSquaredError"),
        ("MSE", "MeanSquaredError"),
        ("mae", "MeanAbsoluteError"),
        ("mape", "MeanAbsolutePercentageError"),
        ("msle", "MeanSquaredLogarithmicError"),
        ("bce", "BinaryCrossentropy"),
        ("mean_squared_error", "MeanSquaredError"),
        ("binary_accuracy", "BinaryAccuracy"),
        ("accuracy", "Accuracy"),
        ("top_k_categorical_accuracy", "TopKCategoricalAccuracy"),
        ("root_mean_squared_error", "RootMeanSquaredError"),
        ("auc", "AUC"),
        ("AUC", "AUC"),
        ("Precision", "Precision"),
        ("recall", "Recall"),
        ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
        ("log_cosh_error", "LogCoshError"),
        ("hinge", "Hinge"),
        ("true_positives", "TruePositives"),
        ("FalseNegatives", "FalseNegatives"),
    ],
)
def test_get_strings_keep_the_users_name(identifier, class_name):
    metric = metrics.get(identifier)
    assert type(metric) is getattr(metrics, class_name)
    assert type(keras.metrics.get(identifier)).__name__ == class_name  # same class as Keras
    assert metric.name == identifier


def test_get_other_identifiers():
    instance = metrics.AUC()
    assert metrics.get(instance) is instance
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None

    def my_metric(y_true, y_pred):
        return jnp.abs(y_true - y_pred)

    wrapped = metrics.get(my_metric)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "my_metric"
    loss_metric = metrics.get(losses.Huber())
    assert loss_metric.name == "huber_loss"
    assert isinstance(metrics.get(losses.Poisson)._fn, losses.Poisson)
    restored = metrics.get(
        keras.metrics.serialize(keras.metrics.AUC(num_thresholds=50, curve="PR"))
    )
    assert (
        isinstance(restored, metrics.AUC)
        and restored.num_thresholds == 50
        and restored.curve == "PR"
    )


def test_get_unknown_name_suggests_close_matches():
    with pytest.raises(ValueError, match="binary_accuracy"):
        metrics.get("binary_acuracy")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get("definitely_not_a_metric")
    with pytest.raises(ValueError):
        metrics.get(3.5)


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, expected",
    [
        ((32,), (32, 1), "BinaryAccuracy"),
        ((32, 1), (32, 1), "BinaryAccuracy"),
        ((32,), (32, 10), "SparseCategoricalAccuracy"),
        ((32, 1), (32, 10), "SparseCategoricalAccuracy"),
        ((32, 10), (32, 10), "CategoricalAccuracy"),
        ((None, 10), (None, 10), "CategoricalAccuracy"),
    ],
)
@pytest.mark.parametrize("identifier", ["accuracy", "acc", "Accuracy"])
def test_resolve_compile_metric_accuracy(identifier, y_true_shape, y_pred_shape, expected):
    metric = metrics.resolve_compile_metric(identifier, y_true_shape, y_pred_shape)
    assert type(metric).__name__ == expected
    assert metric.name == identifier
    # The same choice Keras's compile makes.
    from keras.src.trainers.compile_utils import get_metric

    keras_metric = get_metric(
        identifier, keras.KerasTensor(y_true_shape), keras.KerasTensor(y_pred_shape)
    )
    assert type(keras_metric).__name__ == expected and keras_metric.name == identifier


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, expected",
    [
        ((32,), (32, 1), "BinaryCrossentropy"),
        ((32,), (32, 10), "SparseCategoricalCrossentropy"),
        ((32, 1), (32, 10), "SparseCategoricalCrossentropy"),
        ((32, 10), (32, 10), "CategoricalCrossentropy"),
    ],
)
@pytest.mark.parametrize("identifier", ["crossentropy", "ce"])
def test_resolve_compile_metric_crossentropy(identifier, y_true_shape, y_pred_shape, expected):
    metric = metrics.resolve_compile_metric(identifier, y_true_shape, y_pred_shape)
    assert type(metric).__name__ == expected and metric.name == identifier


def test_resolve_compile_metric_other_identifiers():
    assert metrics.resolve_compile_metric("mse", (8,), (8, 1)).name == "mse"
    auc = metrics.resolve_compile_metric(metrics.AUC(multi_label=True), (8, 3), (8, 3))
    assert auc.variables[0].shape == (200, 3)
    with pytest.raises(ValueError, match="None"):
        metrics.resolve_compile_metric(None, (8,), (8, 1))


# -- config and serialization ---------------------------------------------------------------

CONFIG_CASES = [
    ("Mean", {"name": "loss"}),
    ("Sum", {}),
    ("BinaryAccuracy", {"threshold": 0.7}),
    ("CategoricalAccuracy", {}),
    ("SparseTopKCategoricalAccuracy", {"k": 3}),
    ("SparseTopKCategoricalAccuracy", {"k": 3, "from_sorted_ids": True}),
    ("TopKCategoricalAccuracy", {"k": 2, "name": "top2"}),
    ("RootMeanSquaredError", {}),
    ("MeanSquaredError", {}),
    ("LogCoshError", {}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("CategoricalCrossentropy", {"axis": 1}),
    ("SparseCategoricalCrossentropy", {"ignore_class": 0}),
    ("Precision", {"thresholds": [0.2, 0.4], "class_id": 1, "name": "p"}),
    ("Recall", {"top_k": 3}),
    ("TruePositives", {"thresholds": [0.3, 0.6]}),
    ("FalseNegatives", {}),
    ("AUC", {"num_thresholds": 50, "curve": "PR", "summation_method": "minoring"}),
    ("AUC", {"thresholds": [0.1, 0.5], "name": "auc_t"}),
    ("AUC", {"multi_label": True, "num_labels": 3, "from_logits": True, "name": "auc_m"}),
]
EXTRA_CONFIG_KEYS = {"CosineSimilarity": {"axis"}}


@pytest.mark.parametrize("class_name, kwargs", CONFIG_CASES)
def test_config_matches_keras_and_round_trips(class_name, kwargs):
    ours, theirs = twins(lambda k: getattr(k.metrics, class_name)(**kwargs))
    our_config, their_config = ours.get_config(), theirs.get_config()
    if "name" not in kwargs:  # Keras's auto-generated names depend on how many exist
        our_config.pop("name"), their_config.pop("name")
    their_config = {
        k: (list(map(float, v)) if k == "thresholds" and v is not None else v)
        for k, v in their_config.items()
    }
    assert our_config == their_config
    serialized = metrics.serialize(ours)
    assert {k: v for k, v in serialized.items() if k != "config"} == {
        k: v for k, v in keras.metrics.serialize(theirs).items() if k != "config"
    }
    rebuilt = metrics.deserialize(serialized)
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    from_keras = metrics.deserialize(keras.metrics.serialize(theirs))
    assert type(from_keras) is type(ours)


def test_auc_label_weights_config_loads_both_ways():
    ours = metrics.AUC(multi_label=True, label_weights=[1.0, 2.0])
    assert ours.get_config()["label_weights"] == [1.0, 2.0]
    from_keras = metrics.deserialize(
        keras.metrics.serialize(keras.metrics.AUC(multi_label=True, label_weights=[1.0, 2.0]))
    )
    assert_close(from_keras.label_weights, [1.0, 2.0])
    in_keras = keras.metrics.deserialize(metrics.serialize(ours))
    assert_close(in_keras.label_weights, [1.0, 2.0])


def test_mean_metric_wrapper_serialization():
    wrapper = metrics.MeanMetricWrapper(losses.mean_squared_error, name="x")
    keras_wrapper = keras.metrics.MeanMetricWrapper(keras.losses.mean_squared_error, name="x")
    assert metrics.serialize(wrapper) == keras.metrics.serialize(keras_wrapper)
    rebuilt = metrics.deserialize(keras.metrics.serialize(keras_wrapper))
    assert rebuilt._fn is losses.mean_squared_error and rebuilt.name == "x"
    accuracy_wrapper = metrics.deserialize(
        metrics.serialize(metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.2))
    )
    assert accuracy_wrapper._fn is metrics.binary_accuracy and accuracy_wrapper._fn_kwargs == {
        "threshold": 0.2
    }

    def custom(y_true, y_pred):
        return y_pred

    config = metrics.serialize(metrics.MeanMetricWrapper(custom))
    with pytest.raises(ValueError, match="custom"):
        metrics.deserialize(config)
    assert metrics.deserialize(config, custom_objects={"custom": custom})._fn is custom


def test_keras_configs_load_in_keras():
    for class_name, kwargs in CONFIG_CASES:
        ours = getattr(metrics, class_name)(**kwargs)
        loaded = keras.metrics.deserialize(metrics.serialize(ours))
        assert type(loaded).__name__ == class_name


def test_direction():
    assert metrics.AUC()._direction == "up"
    assert metrics.BinaryAccuracy()._direction == "up"
    assert metrics.MeanSquaredError()._direction == "down"
    assert metrics.MeanMetricWrapper(losses.mean_absolute_error)._direction == "down"
    assert metrics.Mean()._direction is None


@pytest.mark.parametrize("weighted", [False, True])
def test_mask_argument_matches_a_keras_masked_prediction(weighted):
    from keras.src.backend import set_keras_mask

    ours = metrics.SparseCategoricalAccuracy()
    theirs = keras.metrics.SparseCategoricalAccuracy()
    for _ in range(3):
        labels = rng.integers(0, CLASSES, (BATCH, 6))
        scores = rng.uniform(size=(BATCH, 6, CLASSES)).astype("float32")
        mask = rng.uniform(size=(BATCH, 6)) > 0.4
        weight = rng.uniform(0, 2, (BATCH, 6)).astype("float32") if weighted else None
        keras_scores = jnp.asarray(scores)
        set_keras_mask(keras_scores, jnp.asarray(mask))
        theirs.update_state(labels, keras_scores, sample_weight=weight)
        ours.update_state(labels, scores, sample_weight=weight, mask=mask)
    assert_close(ours.result(), theirs.result())


def keras_style_metric(base):
    """The same subclass source, written against either library's Metric."""

    class PositiveRate(base):
        def __init__(self, name="positive_rate", **kwargs):
            super().__init__(name=name, **kwargs)
            self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")
            self.seen = self.add_weight(shape=(), initializer="zeros", name="seen")

        def update_state(self, y_true, y_pred, sample_weight=None):
            weight = 1.0 if sample_weight is None else sample_weight
            self.positives.assign_add(jnp.sum((jnp.asarray(y_pred)[:, 0] > 0.5) * weight))
            self.seen.assign(self.seen + jnp.sum(jnp.ones(len(y_pred)) * weight))

        def result(self):
            return self.positives / self.seen

    return PositiveRate()


def test_keras_style_subclass_works_statefully_and_purely():
    ours, theirs = keras_style_metric(metrics.Metric), keras_style_metric(keras.metrics.Metric)
    data = batches(binary_column)
    for y_true, y_pred in data:
        weight = per_sample_weight(y_true)
        ours.update_state(y_true, y_pred, weight)
        theirs.update_state(y_true, y_pred, weight)
    assert_close(ours.result(), theirs.result())
    assert [v.path for v in ours.variables] == ["positive_rate/positives", "positive_rate/seen"]
    pure = keras_style_metric(metrics.Metric)
    state = pure.initial_state()
    for y_true, y_pred in data:
        state = jax.jit(pure.update)(state, y_true, y_pred, per_sample_weight(y_true) * 0 + 1)
    reference = keras_style_metric(keras.metrics.Metric)
    for y_true, y_pred in data:
        reference.update_state(y_true, y_pred)
    assert_close(pure.compute(state), reference.result())
    assert all(not np.any(v.numpy()) for v in pure.variables)  # the pure path mutated nothing
    ours.reset_state()
    assert all(not np.any(v.numpy()) for v in ours.variables)


def test_metric_without_core_or_update_state_says_what_is_missing():
    class Empty(metrics.Metric):
        pass

    with pytest.raises(NotImplementedError, match="initial_state"):
        Empty().initial_state()
    with pytest.raises(NotImplementedError, match="update_state"):
        Empty().update({}, 1, 1)
