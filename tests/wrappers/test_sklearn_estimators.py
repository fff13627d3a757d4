"""The scikit-learn estimators: protocol, Pipeline/cross_val_score/GridSearchCV, estimator checks."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import layerwise as keras
from layerwise.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

# The wrappers speak scikit-learn's protocol without inheriting BaseEstimator (to keep
# scikit-learn out of `import layerwise`); scikit-learn warns about that when collecting.
pytestmark = pytest.mark.filterwarnings("ignore:Estimator .* does not inherit")

QUIET = {"epochs": 3, "verbose": 0}


def build_classifier(X, y, units=8):
    model = keras.Sequential([keras.Input((X.shape[1],)),
                              keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(y.shape[1], activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def build_regressor(X, y):
    model = keras.Sequential([keras.Input((X.shape[1],)),
                              keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    return model


def build_transformer(X, y):
    model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    return model


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)


def test_importing_layerwise_does_not_import_sklearn():
    code = "import sys, layerwise, layerwise.wrappers; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_build_function_sees_one_hot_target_and_model_kwargs():
    seen = {}

    def build(X, y, units):
        seen.update(X=X.shape, y=y.shape, units=units)
        return build_classifier(X, y, units)

    X, y = make_classification(n_samples=40, n_features=5, random_state=0)
    labels = np.where(y == 1, "yes", "no")
    estimator = SKLearnClassifier(build, model_kwargs={"units": 3}, fit_kwargs=QUIET)
    assert estimator.fit(X, labels) is estimator
    assert seen == {"X": (40, 5), "y": (40, 2), "units": 3}
    assert list(estimator.classes_) == ["no", "yes"]
    assert estimator.n_features_in_ == 5
    probabilities = estimator.predict_proba(X)
    assert probabilities.shape == (40, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    predictions = estimator.predict(X)
    assert set(predictions) <= {"no", "yes"}
    np.testing.assert_array_equal(predictions, estimator.classes_[probabilities.argmax(1)])
    assert estimator.score(X, labels) == np.mean(predictions == labels)
    assert "loss" in estimator.history_.history


def test_compiled_model_is_cloned_and_warm_start_reuses_the_fitted_one():
    X, y = make_classification(n_samples=30, n_features=4, random_state=1)
    given = build_classifier(X, np.zeros((30, 2)))
    before = [np.array(w) for w in given.get_weights()]
    estimator = SKLearnClassifier(given, fit_kwargs=QUIET).fit(X, y)
    assert estimator.model_ is not given
    for old, new in zip(before, given.get_weights()):
        np.testing.assert_array_equal(old, new)   # the given model is never trained in place
    first = estimator.model_
    estimator.fit(X, y)
    assert estimator.model_ is not first
    warm = SKLearnClassifier(given, warm_start=True, fit_kwargs=QUIET).fit(X, y)
    fitted = warm.model_
    weights = [np.array(w) for w in fitted.get_weights()]
    warm.fit(X, y)
    assert warm.model_ is fitted
    assert any(not np.array_equal(a, np.asarray(b)) for a, b in zip(weights, fitted.get_weights()))


def test_fit_keyword_arguments_take_precedence_over_fit_kwargs():
    X, y = make_classification(n_samples=30, n_features=4, random_state=2)
    estimator = SKLearnClassifier(build_classifier, fit_kwargs={"epochs": 2, "verbose": 0})
    estimator.fit(X, y, epochs=4)
    assert len(estimator.history_.history["loss"]) == 4


def test_clone_keeps_every_parameter():
    model_kwargs, fit_kwargs = {"units": 5}, {"epochs": 7, "verbose": 0, "batch_size": 4}
    estimator = SKLearnClassifier(build_classifier, warm_start=True,
                                  model_kwargs=model_kwargs, fit_kwargs=fit_kwargs)
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    assert copy.fit_kwargs == fit_kwargs and copy.fit_kwargs is not fit_kwargs
    assert copy.model is build_classifier and copy.warm_start is True
    assert not hasattr(copy, "model_")


def test_set_params_rejects_unknown_names():
    with pytest.raises(ValueError, match="Invalid parameter 'epochs'"):
        SKLearnClassifier(build_classifier).set_params(epochs=3)


def test_bad_model_argument_names_the_argument():
    X, y = make_classification(n_samples=20, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    with pytest.raises(TypeError, match="`model` must be a compiled Model or a function"):
        SKLearnClassifier("not a model").fit(X, y)
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="must be compiled"):
        SKLearnClassifier(uncompiled).fit(X, y)


def test_regressor_predicts_one_dimensional_and_scores_r2():
    X, y = make_regression(n_samples=60, n_features=3, noise=0.1, random_state=0)
    estimator = SKLearnRegressor(build_regressor, fit_kwargs={"epochs": 30, "verbose": 0})
    estimator.fit(X, y / y.std())
    assert estimator.predict(X).shape == (60,)
    assert estimator.score(X, y / y.std()) > 0.0   # 30 epochs explain part of the variance


def test_transformer_outputs_the_model_output_and_pickles():
    X, y = make_regression(n_samples=30, n_features=3, random_state=0)
    transformer = SKLearnTransformer(build_transformer, fit_kwargs={"epochs": 1, "verbose": 0})
    output = transformer.fit_transform(X, y)
    np.testing.assert_allclose(output, np.asarray(transformer.model_.predict(X, verbose=0)))
    restored = pickle.loads(pickle.dumps(transformer))
    np.testing.assert_allclose(restored.transform(X), output, rtol=1e-6)
    assert restored.history_.history == transformer.history_.history


def test_cross_val_score_of_a_pipeline_on_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), SKLearnClassifier(
        build_classifier, model_kwargs={"units": 16},
        fit_kwargs={"epochs": 10, "batch_size": 32, "verbose": 0}))
    scores = cross_val_score(pipeline, X, y, cv=3)
    # Seeded: a 16-unit MLP reaches 0.93-0.96 per fold here; a logistic regression ~0.97.
    assert scores.shape == (3,)
    assert np.all((0.90 <= scores) & (scores <= 1.0)), scores


def test_grid_search_over_model_kwargs():
    X, y = make_classification(n_samples=90, n_features=6, random_state=3)
    search = GridSearchCV(SKLearnClassifier(build_classifier, fit_kwargs=QUIET),
                          {"model_kwargs": [{"units": 2}, {"units": 16}]}, cv=2)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    assert search.best_params_["model_kwargs"] in ({"units": 2}, {"units": 16})
    assert search.best_estimator_.fit_kwargs == QUIET
    assert search.best_estimator_.model_.layers[0].units == search.best_params_["model_kwargs"]["units"]


# scikit-learn's own estimator checks. Every check not listed here passes. Those listed fail
# for a reason that belongs to training a network rather than to the wrapper:
NON_DETERMINISTIC = ("each fit starts from new random initial weights and shuffles batches "
                     "differently, so two fits on the same data do not give identical predictions")
EXPECTED_FAILURES = {
    "SKLearnClassifier": {
        "check_classifier_data_not_an_array": NON_DETERMINISTIC,
        "check_supervised_y_2d": NON_DETERMINISTIC,
        "check_fit_idempotent": NON_DETERMINISTIC,
        "check_classifiers_one_label_sample_weights":
            "3 epochs of gradient descent do not move every prediction to the one class "
            "left with non-zero sample weight; scikit-learn expects all of them to",
    },
    "SKLearnRegressor": {
        "check_regressor_data_not_an_array": NON_DETERMINISTIC,
        "check_supervised_y_2d": NON_DETERMINISTIC,
        "check_regressors_int": NON_DETERMINISTIC,
        "check_fit_idempotent": NON_DETERMINISTIC,
    },
    "SKLearnTransformer": {
        "check_fit_idempotent": NON_DETERMINISTIC,
    },
}


class Named:
    """A build function whose repr is its name: test ids must not hold memory addresses,
    or parallel workers (pytest-xdist) collect different tests."""

    def __init__(self, function):
        self.function = function

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return self.function.__name__


@parametrize_with_checks(
    [SKLearnClassifier(Named(build_classifier), fit_kwargs=QUIET),
     SKLearnRegressor(Named(build_regressor), fit_kwargs=QUIET),
     SKLearnTransformer(Named(build_transformer), fit_kwargs={"epochs": 1, "verbose": 0})],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES[type(estimator).__name__])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
