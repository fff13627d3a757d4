"""Metric identifiers, `serialize`/`deserialize`, `get`, and what `compile(metrics=...)`
makes of each entry (`resolve_compile_metric`)."""

from __future__ import annotations

import inspect
from typing import Any

from layerwise import losses
from layerwise.engine import naming
from layerwise.metrics.auc import AUC
from layerwise.metrics.base import Metric
from layerwise.metrics.confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from layerwise.metrics.functions import _FUNCTIONS, _deserialize_function
from layerwise.metrics.mean_metrics import (
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
)
from layerwise.metrics.reduction import Mean, MeanMetricWrapper, Sum

__all__ = ["get", "serialize", "deserialize", "resolve_compile_metric"]


_METRIC_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
)  # fmt: skip

# Keras 3's string identifiers: class names, their snake_case forms ("binary_accuracy",
# "auc", "mean_squared_error") and a few short aliases. Strings name *classes* here.
_IDENTIFIERS: dict[str, type] = {cls.__name__: cls for cls in _METRIC_CLASSES}
_IDENTIFIERS.update({naming.to_snake_case(cls.__name__): cls for cls in _METRIC_CLASSES})
_IDENTIFIERS.update(
    {
        "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError, "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    }
)  # fmt: skip


def serialize(metric: Any) -> Any:
    """Keras 3's dict form: {"module", "class_name", "config", "registered_name"}."""
    if metric is None or isinstance(metric, str):
        return metric
    if isinstance(metric, Metric):
        cls = type(metric)
        builtin = _IDENTIFIERS.get(cls.__name__) is cls
        return {
            "module": "keras.metrics" if builtin else cls.__module__,
            "class_name": cls.__name__,
            "config": metric.get_config(),
            "registered_name": None if builtin else cls.__name__,
        }
    if callable(metric):
        return losses.serialize_function(metric)
    raise TypeError(f"Cannot serialize {metric!r}: expected a Metric or a function.")


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Inverse of `serialize`; a string gives a fresh instance of the named class."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        found = custom_objects.get(config) or _IDENTIFIERS.get(config) or _FUNCTIONS.get(config)
        if found is None:
            raise losses._unknown_identifier_error(
                "metric", config, sorted(_IDENTIFIERS) + sorted(custom_objects)
            )
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            "Invalid value for argument `config`. Expected a string or a dict with a "
            f"'class_name'. Received: config={config!r}"
        )
    class_name = config["class_name"]
    if class_name == "function":
        return _deserialize_function(config, custom_objects)
    registered = config.get("registered_name")
    cls = (
        custom_objects.get(registered)
        or custom_objects.get(class_name)
        or _IDENTIFIERS.get(class_name)
    )
    if cls is None:
        raise losses._unknown_identifier_error(
            "metric class",
            class_name,
            sorted(n for n in _IDENTIFIERS if n[0].isupper()) + sorted(custom_objects),
        )
    inner = dict(config.get("config") or {})
    if "fn" in inner:
        inner["fn"] = _deserialize_function(inner["fn"], custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Metric | None:
    """A `Metric` for a name, config dict, function, class or Metric.

    A metric made from a string is named by that string ("mse" logs as "mse"), as
    `compile(metrics=[...])` names it; a function is wrapped in a MeanMetricWrapper
    named after the function.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _IDENTIFIERS.get(identifier)
        if cls is None:
            raise losses._unknown_identifier_error("metric", identifier, sorted(_IDENTIFIERS))
        if cls in (Metric, MeanMetricWrapper):
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r} names a base class that "
                "needs arguments; pass an instance instead."
            )
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if inspect.isclass(identifier):  # e.g. a Loss class: wrap an instance, as Keras does
        identifier = identifier()
    if callable(identifier):
        name = getattr(identifier, "name", None)
        return MeanMetricWrapper(
            identifier, name=name if isinstance(name, str) else losses.function_name(identifier)
        )
    raise ValueError(
        "Could not interpret metric identifier: expected a string, a dict config, a Metric or "
        f"a function. Received: identifier={identifier!r}"
    )


def resolve_compile_metric(identifier: Any, y_true_shape: tuple, y_pred_shape: tuple) -> Metric:
    """What `compile(metrics=[...])` makes of one entry, given the batch shapes.

    "accuracy"/"acc" (and "crossentropy"/"ce") become the binary, sparse categorical or
    categorical variant chosen from the shapes alone (Keras 3 ignores the loss):
    binary when y_pred's last axis is 1; sparse when y_true has lower rank, or a last
    axis of 1 against a wider y_pred. The metric is named by the user's string.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    choices = None
    if str(identifier).lower() in ("accuracy", "acc"):
        choices = (BinaryAccuracy, SparseCategoricalAccuracy, CategoricalAccuracy)
    elif isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        choices = (BinaryCrossentropy, SparseCategoricalCrossentropy, CategoricalCrossentropy)
    if choices is not None:
        is_binary, is_sparse = losses._is_binary_or_sparse(y_true_shape, y_pred_shape)
        binary, sparse, categorical = choices
        cls = binary if is_binary else sparse if is_sparse else categorical
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    metric.build(y_true_shape, y_pred_shape)
    return metric
