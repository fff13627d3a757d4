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
`crossentropy` (the cross-entropy functions and `call_with_mask`), `overlap` (Dice,
Tversky), `circle`, `ctc`, `base` (`Loss`,
`LossFunctionWrapper`), `loss_classes` (the built-in classes), and `serialization`
(short aliases, identifiers, `get`, `serialize`, `deserialize`, `resolve_compile_loss`).
This file is the public map, the names of `keras.losses`; helpers that other packages use
(`reduce_weighted_values`, `call_with_mask`, `LossFunctionWrapper` ...) are imported from
the module that defines them.
"""

from layerwise.engine.registry import public_dir
from layerwise.losses.base import Loss
from layerwise.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)
from layerwise.losses.circle import circle
from layerwise.losses.ctc import ctc
from layerwise.losses.overlap import dice, tversky
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
    CategoricalGeneralizedCrossEntropy,
    Dice,
    Tversky,
    Circle,
    CTC,
)
from layerwise.losses.serialization import deserialize, get, serialize

__all__ = [
    "Loss",
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
    "CategoricalGeneralizedCrossEntropy",
    "Dice",
    "Tversky",
    "Circle",
    "CTC",
    "categorical_generalized_cross_entropy",
    "dice",
    "tversky",
    "circle",
    "ctc",
    "get",
    "serialize",
    "deserialize",
]


__dir__ = public_dir(__all__)
