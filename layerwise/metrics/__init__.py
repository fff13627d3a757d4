"""Metrics with Keras 3's names and update rules, built on a pure core.

Every metric is three pure functions over a small dict of arrays:

    state = metric.initial_state()                       # fresh zeros
    state = metric.update(state, y_true, y_pred, sample_weight)   # jittable
    value = metric.compute(state)

The compiled training step carries `state` through `jax.lax.scan`; nothing is mutated.
Keras's stateful API (`update_state`, `result`, `reset_state`, `variables`) is a thin
layer on top that keeps the state in `Variable`s, so user code written for Keras works,
and works inside a `StatelessScope` too.

The package's modules, top to bottom: `functions` (per-sample functions), `base`
(`Metric`), `reduction` (`Sum`, `Mean`, `MeanMetricWrapper`), `mean_metrics` (the
built-in means), `confusion_counts`, `confusion` (`Precision`, `Recall`, counts),
`auc`, `at_constraint` (rates at a constrained threshold), `f_score`, `r2_score`,
`iou`, `correlation`, and `serialization` (identifiers, `get`, `serialize`, `deserialize`).
"""

from layerwise.engine.registry import public_dir
from layerwise.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
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
from layerwise.metrics.functions import (
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
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
from layerwise.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from layerwise.metrics.r2_score import R2Score
from layerwise.metrics.reduction import Mean, MeanMetricWrapper, Sum
from layerwise.metrics.serialization import deserialize, get, serialize
from layerwise.metrics.serialization import resolve_compile_metric  # noqa: F401 (the trainer's)

__all__ = [
    "Metric",
    "Mean",
    "Sum",
    "MeanMetricWrapper",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "RootMeanSquaredError",
    "CosineSimilarity",
    "LogCoshError",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "KLDivergence",
    "Poisson",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "Precision",
    "Recall",
    "AUC",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "F1Score",
    "FBetaScore",
    "R2Score",
    "IoU",
    "MeanIoU",
    "BinaryIoU",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "ConcordanceCorrelation",
    "PrecisionAtRecall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "pearson_correlation",
    "concordance_correlation",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "get",
    "serialize",
    "deserialize",
]


__dir__ = public_dir(__all__)
