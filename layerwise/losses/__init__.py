"""Losses with Keras 3's names, formulas (JAX backend), reductions and configs.

Two layers, as in Keras:

* pure per-sample functions (`mean_squared_error(y_true, y_pred)` ...) that reduce the
  last axis and return one loss per sample;
* `Loss` objects whose `__call__(y_true, y_pred, sample_weight=None)` applies the
  function, weights it and reduces it to a scalar. `__call__` is pure jnp code, so the
  trainer calls it inside its compiled step.

The formulas follow Keras's JAX backend exactly, including where it clips
probabilities to `[1e-7, 1 - 1e-7]`, so the numbers agree to float32 rounding.

The package's modules, top to bottom: `reduction` (constants, rank matching, masking,
reductions), `functions` (regression, hinge and probabilistic functions),
`crossentropy` (the cross-entropy functions and `call_with_mask`), `base` (`Loss`,
`LossFunctionWrapper`), `loss_classes` (the built-in classes), and `serialization`
(short aliases, identifiers, `get`, `serialize`, `deserialize`, `resolve_compile_loss`).
A few helpers outside `__all__` (`apply_mask`, `call_with_mask`, `serialize_function`,
`_LOSS_FUNCTIONS` ...) are imported here too, because `layerwise.metrics` uses them.
"""

from layerwise.losses.base import Loss, LossFunctionWrapper, serialize_function
from layerwise.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
    call_with_mask,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)
from layerwise.losses.functions import (
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)
from layerwise.losses.loss_classes import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from layerwise.losses.reduction import (
    EPSILON,
    REDUCTIONS,
    apply_mask,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
    standardize_reduction,
)
from layerwise.losses.serialization import (
    BCE,
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    _LOSS_FUNCTIONS,
    _is_binary_or_sparse,
    _unknown_identifier_error,
    bce,
    deserialize,
    function_name,
    get,
    huber_loss,
    kld,
    kullback_leibler_divergence,
    logcosh,
    mae,
    mape,
    mse,
    msle,
    resolve_compile_loss,
    serialize,
    to_loss,
)

__all__ = [
    "EPSILON",
    "REDUCTIONS",
    "Loss",
    "LossFunctionWrapper",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "CosineSimilarity",
    "Huber",
    "LogCosh",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "KLDivergence",
    "Poisson",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "SparseCategoricalCrossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "cosine_similarity",
    "huber",
    "log_cosh",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "poisson",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
    "mse",
    "MSE",
    "mae",
    "MAE",
    "mape",
    "MAPE",
    "msle",
    "MSLE",
    "kld",
    "KLD",
    "bce",
    "BCE",
    "logcosh",
    "huber_loss",
    "kullback_leibler_divergence",
    "squeeze_or_expand_to_same_rank",
    "reduce_weighted_values",
    "get",
    "serialize",
    "deserialize",
    "resolve_compile_loss",
]
