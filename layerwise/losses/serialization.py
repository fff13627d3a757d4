"""Loss identifiers (names and Keras's short aliases), `get`, `serialize`, `deserialize`
and `resolve_compile_loss`."""

from __future__ import annotations

from typing import Any, Callable

from layerwise.engine import naming
from layerwise.engine.registry import Namespace
from layerwise.losses.base import Loss, LossFunctionWrapper
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
from layerwise.losses.loss_classes import _LOSS_CLASSES

__all__ = [
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
    "LOSS_FUNCTIONS",
    "function_name",
    "is_binary_or_sparse",
    "get",
    "serialize",
    "deserialize",
    "resolve_compile_loss",
]


# Short names Keras accepts as loss identifiers (and the Keras 2 names old code uses).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh
huber_loss = huber

LOSS_FUNCTIONS = (
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    huber,
    log_cosh,
    hinge,
    squared_hinge,
    categorical_hinge,
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
    categorical_generalized_cross_entropy,
    dice,
    tversky,
    circle,
    ctc,
)

# Every string identifier: class names, function names, Keras 3's short aliases, and the
# Keras 2 names (logcosh, huber_loss, kullback_leibler_divergence) old tutorials use.
_IDENTIFIERS: dict[str, Any] = {
    cls.__name__: cls for cls in (Loss, LossFunctionWrapper) + _LOSS_CLASSES
}
_IDENTIFIERS.update({fn.__name__: fn for fn in LOSS_FUNCTIONS})
_IDENTIFIERS.update(
    {
        "bce": bce, "BCE": bce, "kld": kld, "KLD": kld, "mae": mae, "MAE": mae,
        "mse": mse, "MSE": mse, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
        "logcosh": logcosh, "huber_loss": huber_loss,
        "kullback_leibler_divergence": kullback_leibler_divergence,
    }
)  # fmt: skip


_NAMESPACE = Namespace("loss", "keras.losses", _IDENTIFIERS, base=Loss, function_module="builtins")


def function_name(fn: Callable) -> str:
    """The snake_case name Keras gives a function-based loss or metric."""
    return naming.to_snake_case(getattr(fn, "__name__", type(fn).__name__))


def serialize(loss: Any) -> Any:
    """Keras 3's dict form: {"module", "class_name", "config", "registered_name"}."""
    if isinstance(loss, str):
        return loss
    if type(loss) is LossFunctionWrapper:
        # Keras does not export LossFunctionWrapper publicly; this is its exact form.
        return {
            "module": "keras.src.losses.losses",
            "class_name": "LossFunctionWrapper",
            "config": loss.get_config(),
            "registered_name": "LossFunctionWrapper",
        }
    return _NAMESPACE.serialize(loss)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Inverse of `serialize`; a built-in name gives the function or a fresh class instance,
    a user object's name gives the object."""
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: Any) -> Any:
    """What `keras.losses.get` returns: a function's name gives the plain function (one
    loss per sample, no reduction); a class name, class or config gives a `Loss`; a
    `Loss` or a function is returned as it is."""
    return _NAMESPACE.get(identifier)


def to_loss(identifier: Any) -> Loss | None:
    """A reducing `Loss` object for a name, config dict, function, class or Loss.

    Strings naming functions ("mse", "binary_crossentropy") give a LossFunctionWrapper
    named by the string, as `compile(loss="mse")` does; class names give an instance.
    """
    loss = _NAMESPACE.get(identifier)
    if loss is None or isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else function_name(loss)
    return LossFunctionWrapper(loss, name=name)


def is_binary_or_sparse(y_true_shape: tuple, y_pred_shape: tuple) -> tuple[bool, bool]:
    """Keras 3's shape-only rule used by compile for "accuracy" and "crossentropy"."""
    is_binary = y_pred_shape[-1] == 1
    is_sparse = len(y_true_shape) < len(y_pred_shape) or (
        y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
    )
    return is_binary, is_sparse


def resolve_compile_loss(identifier: Any, y_true_shape: tuple, y_pred_shape: tuple) -> Loss | None:
    """What `compile(loss=...)` does: "crossentropy"/"ce" pick binary, sparse or categorical
    cross-entropy from the shapes alone; the loss keeps the user's string as its name."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse(tuple(y_true_shape), tuple(y_pred_shape))
        if is_binary:
            fn = binary_crossentropy
        elif is_sparse:
            fn = sparse_categorical_crossentropy
        else:
            fn = categorical_crossentropy
        return LossFunctionWrapper(fn, name=identifier)
    return to_loss(identifier)
