"""Metric identifiers, `serialize`/`deserialize`, `get`, and what `compile(metrics=...)`
makes of each entry (`resolve_compile_metric`)."""

from __future__ import annotations

from typing import Any

from layerwise.engine import naming
from layerwise.engine.registry import Namespace, unknown_identifier_error
from layerwise.losses.serialization import function_name, is_binary_or_sparse
from layerwise.metrics.at_constraint import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
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
from layerwise.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from layerwise.metrics.f_score import F1Score, FBetaScore
from layerwise.metrics.functions import _FUNCTIONS
from layerwise.metrics.iou import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
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
from layerwise.metrics.r2_score import R2Score
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
    F1Score, FBetaScore, R2Score, PearsonCorrelation, ConcordanceCorrelation,
    IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU,
    SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision,
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


_NAMESPACE = Namespace(
    "metric", "keras.metrics", _IDENTIFIERS, base=Metric,
    functions={**_FUNCTIONS, "pearson_correlation": pearson_correlation,
               "concordance_correlation": concordance_correlation},
    function_module="builtins",
)  # fmt: skip


def serialize(metric: Any) -> Any:
    """Keras 3's dict form: {"module", "class_name", "config", "registered_name"}."""
    return metric if isinstance(metric, str) else _NAMESPACE.serialize(metric)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Inverse of `serialize`; a built-in name gives a fresh instance of the named class,
    a user object's name gives the object."""
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: Any) -> Metric | None:
    """A `Metric` for a name, config dict, function, class or Metric.

    A metric made from a string is named by that string ("mse" logs as "mse"), as
    `compile(metrics=[...])` names it; a function is wrapped in a MeanMetricWrapper
    named after the function.
    """
    if isinstance(identifier, str):
        cls = _NAMESPACE.find(identifier, users=False)
        if not isinstance(cls, type):  # a function name: Keras's `get` takes class names only
            raise unknown_identifier_error("metric", identifier, _IDENTIFIERS)
        return cls(name=identifier)
    metric = _NAMESPACE.get(identifier)
    if metric is None or isinstance(metric, Metric):
        return metric
    name = getattr(metric, "name", None)
    return MeanMetricWrapper(
        metric, name=name if isinstance(name, str) else function_name(metric)
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
        is_binary, is_sparse = is_binary_or_sparse(y_true_shape, y_pred_shape)
        binary, sparse, categorical = choices
        cls = binary if is_binary else sparse if is_sparse else categorical
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    metric.build(y_true_shape, y_pred_shape)
    return metric
