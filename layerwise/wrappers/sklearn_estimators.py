"""`SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer`: a model as a scikit-learn estimator.

The classes follow scikit-learn's estimator protocol (`get_params`/`set_params`, tags,
`__sklearn_clone__`) by hand rather than by inheriting from `sklearn.base.BaseEstimator`,
so that `import layerwise` never imports scikit-learn: it is imported inside the methods,
the first time a wrapper is fitted, scored or inspected by scikit-learn itself.
"""
from __future__ import annotations

import copy
import os
import tempfile
from typing import Any, Callable

import numpy as np

from layerwise.callbacks.callback import History
from layerwise.models.cloning import clone_model
from layerwise.models.model import Model
from layerwise.saving.api import load_model, save_model

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]

_PARAMETER_NAMES = ("model", "warm_start", "model_kwargs", "fit_kwargs")


def _sklearn_validation() -> Any:
    """scikit-learn's `validate_data`, with a clear message when scikit-learn is missing or old."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError as error:
        raise ImportError("layerwise.wrappers needs scikit-learn >= 1.6 (`pip install "
                          "scikit-learn`), which layerwise does not install itself.") from error
    return validate_data


class _ModelArchive:
    """A pickled model: the bytes of its `.keras` archive."""

    def __init__(self, data: bytes) -> None:
        self.data = data


class _RecordedHistory:
    """A pickled History: the numbers it recorded, without the model it points to."""

    def __init__(self, history: dict, epoch: list) -> None:
        self.history = history
        self.epoch = epoch


def _archive_bytes(model: Model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        save_model(model, path)
        with open(path, "rb") as file:
            return file.read()


def _model_from_bytes(data: bytes) -> Model:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as file:
            file.write(data)
        return load_model(path)


class _SKLearnEstimator:
    """What the three estimators share: parameters, building the model, fitting it."""

    _numeric_target = False

    def __init__(self, model: Model | Callable[..., Model], warm_start: bool = False,
                 model_kwargs: dict | None = None, fit_kwargs: dict | None = None) -> None:
        # scikit-learn's contract: store the arguments untouched, validate them in `fit`.
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    # ---- scikit-learn's estimator protocol -------------------------------------------------

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments, by name."""
        return {name: getattr(self, name) for name in _PARAMETER_NAMES}

    def set_params(self, **params: Any) -> "_SKLearnEstimator":
        """Set constructor arguments by name; returns the estimator."""
        for name, value in params.items():
            if name not in _PARAMETER_NAMES:
                raise ValueError(f"Invalid parameter {name!r} for estimator "
                                 f"{type(self).__name__}. Valid parameters are: "
                                 f"{sorted(_PARAMETER_NAMES)}.")
            setattr(self, name, value)
        return self

    def __sklearn_clone__(self) -> "_SKLearnEstimator":
        # Every parameter survives (Keras 3.15's clone drops `fit_kwargs`). A given model is
        # shared, not deep-copied: `fit` never trains it in place, it trains a clone.
        return type(self)(model=self.model, warm_start=self.warm_start,
                          model_kwargs=copy.deepcopy(self.model_kwargs),
                          fit_kwargs=copy.deepcopy(self.fit_kwargs))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def __getstate__(self) -> dict:
        # A model holds compiled JAX functions, which pickle cannot carry: it travels as the
        # bytes of a `.keras` archive, and the History as its recorded numbers.
        state = dict(self.__dict__)
        for name in ("model", "model_"):
            if isinstance(state.get(name), Model):
                state[name] = _ModelArchive(_archive_bytes(state[name]))
        if isinstance(state.get("history_"), History):
            state["history_"] = _RecordedHistory(state["history_"].history,
                                                 state["history_"].epoch)
        return state

    def __setstate__(self, state: dict) -> None:
        for name in ("model", "model_"):
            if isinstance(state.get(name), _ModelArchive):
                state[name] = _model_from_bytes(state[name].data)
        if isinstance(state.get("history_"), _RecordedHistory):
            history = History()
            history.history, history.epoch = state["history_"].history, state["history_"].epoch
            state["history_"] = history
        self.__dict__.update(state)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={getattr(self, name)!r}" for name in _PARAMETER_NAMES)
        return f"{type(self).__name__}({arguments})"

    def _base_tags(self) -> Any:
        from sklearn.utils import InputTags, Tags, TargetTags

        # Training is stochastic (initialisation, shuffling), hence non_deterministic.
        return Tags(estimator_type=None, target_tags=TargetTags(required=True),
                    input_tags=InputTags(), non_deterministic=True)

    # ---- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> "_SKLearnEstimator":
        """Build (or reuse, with `warm_start`) the model and train it.

        Keyword arguments go to `model.fit` and take precedence over `fit_kwargs`.
        """
        validate_data = _sklearn_validation()
        if y is None and not self.__sklearn_tags__().target_tags.required:
            X = validate_data(self, X)
        else:
            # With y=None this raises scikit-learn's own "requires y" error.
            X, y = validate_data(self, X, y, y_numeric=self._numeric_target)
        target = self._encode_target(y)
        if not (self.warm_start and hasattr(self, "model_")):
            self.model_ = self._new_model(X, target)
        self.history_ = self.model_.fit(X, target, **{**(self.fit_kwargs or {}), **kwargs})
        return self

    def _encode_target(self, y: Any) -> Any:
        return y

    def _new_model(self, X: np.ndarray, target: Any) -> Model:
        name = type(self).__name__
        if isinstance(self.model, Model):
            if not self.model.compiled:
                raise ValueError(f"{name}: the model given as `model` must be compiled. "
                                 f"Received: an uncompiled {type(self.model).__name__}")
            return clone_model(self.model)
        if not callable(self.model):
            raise TypeError(f"{name}: `model` must be a compiled Model or a function "
                            "`(X, y, **model_kwargs) -> compiled Model`. Received: "
                            f"model={self.model!r}")
        model = self.model(X=X, y=target, **(self.model_kwargs or {}))
        if not isinstance(model, Model):
            raise TypeError(f"{name}: the function given as `model` must return a Model. "
                            f"It returned: {type(model).__name__}")
        if not model.compiled:
            raise ValueError(f"{name}: the function given as `model` must return a compiled "
                             "model (call `compile` before returning it).")
        return model

    def _model_output(self, X: Any) -> np.ndarray:
        """Checked input through the fitted model."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = _sklearn_validation()(self, X, reset=False)
        verbose = (self.fit_kwargs or {}).get("verbose", "auto")
        return np.asarray(self.model_.predict(X, verbose=verbose))


class SKLearnClassifier(_SKLearnEstimator):
    """A classifier: labels of any type, one-hot encoded for the model, decoded by argmax.

    The model (or the function building it from `X`, the one-hot `y` and `model_kwargs`)
    sees a float `(n, n_classes)` target; `classes_` holds the sorted labels.
    """

    _estimator_type = "classifier"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = self._base_tags()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        return tags

    def _encode_target(self, y: Any) -> np.ndarray:
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(y)
        self.classes_, indices = np.unique(y, return_inverse=True)
        return np.eye(len(self.classes_))[indices.reshape(-1)]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities `(n, n_classes)`, columns in the order of `classes_`.

        A model with one sigmoid output gives `[1 - p, p]`.
        """
        output = self._model_output(X)
        if output.ndim == 2 and output.shape[1] == 1 and len(self.classes_) == 2:
            output = np.concatenate([1.0 - output, output], axis=1)
        return output

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each sample."""
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy on `(X, y)`."""
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))


class SKLearnRegressor(_SKLearnEstimator):
    """A regressor: a 1-D target is given to the model as one column and predicted back 1-D."""

    _estimator_type = "regressor"
    _numeric_target = True

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags

        tags = self._base_tags()
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags(poor_score=True)
        return tags

    def _encode_target(self, y: Any) -> np.ndarray:
        return np.asarray(y).reshape(-1, 1)

    def predict(self, X: Any) -> np.ndarray:
        """One prediction per sample, shape `(n,)`."""
        return self._model_output(X).reshape(-1)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R² on `(X, y)`."""
        from sklearn.metrics import r2_score

        return float(r2_score(y, self.predict(X), sample_weight=sample_weight))


class SKLearnTransformer(_SKLearnEstimator):
    """A transformer: `transform(X)` is the fitted model's output (an embedding, say)."""

    _numeric_target = True

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TargetTags, TransformerTags

        tags = self._base_tags()
        tags.target_tags = TargetTags(required=False)
        # The model computes in its own dtype (float32), whatever X's dtype was.
        tags.transformer_tags = TransformerTags(preserves_dtype=[])
        return tags

    def transform(self, X: Any) -> np.ndarray:
        """The model's output for `X`."""
        return self._model_output(X)

    def fit_transform(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """`fit(X, y, **kwargs)`, then `transform(X)`."""
        return self.fit(X, y, **kwargs).transform(X)
