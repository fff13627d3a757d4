"""Loss identifiers (names and Keras's short aliases), `get`, `serialize`, `deserialize`
and `resolve_compile_loss`."""

from __future__ import annotations

import difflib
import inspect
from typing import Any, Callable

from layerwise.engine import naming
from layerwise.losses.base import Loss, LossFunctionWrapper, serialize_function
from layerwise.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
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
    "function_name",
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

_LOSS_FUNCTIONS = (
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
)

# Every string identifier: class names, function names, Keras 3's short aliases, and the
# Keras 2 names (logcosh, huber_loss, kullback_leibler_divergence) old tutorials use.
_IDENTIFIERS: dict[str, Any] = {
    cls.__name__: cls for cls in (Loss, LossFunctionWrapper) + _LOSS_CLASSES
}
_IDENTIFIERS.update({fn.__name__: fn for fn in _LOSS_FUNCTIONS})
_IDENTIFIERS.update(
    {
        "bce": bce, "BCE": bce, "kld": kld, "KLD": kld, "mae": mae, "MAE": mae,
        "mse": mse, "MSE": mse, "mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
        "logcosh": logcosh, "huber_loss": huber_loss,
        "kullback_leibler_divergence": kullback_leibler_divergence,
    }
)  # fmt: skip


def _unknown_identifier_error(kind: str, identifier: str, known: list[str]) -> ValueError:
    suggestions = difflib.get_close_matches(identifier, known, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return ValueError(f"Could not interpret {kind} identifier: {identifier!r}.{hint}")


def function_name(fn: Callable) -> str:
    """The snake_case name Keras gives a function-based loss or metric."""
    return naming.to_snake_case(getattr(fn, "__name__", type(fn).__name__))


def _deserialize_function(config: Any, custom_objects: dict | None = None) -> Callable:
    if callable(config):
        return config
    name = config["config"] if isinstance(config, dict) else config
    custom_objects = custom_objects or {}
    found = custom_objects.get(name) or _IDENTIFIERS.get(name)
    if found is None or inspect.isclass(found):
        known = sorted(n for n, v in _IDENTIFIERS.items() if not inspect.isclass(v))
        raise _unknown_identifier_error("function", str(name), known + sorted(custom_objects))
    return found


def serialize(loss: Any) -> Any:
    """Keras 3's dict form: {"module", "class_name", "config", "registered_name"}."""
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, Loss):
        if type(loss) is LossFunctionWrapper:
            # Keras does not export LossFunctionWrapper publicly; this is its exact form.
            return {
                "module": "keras.src.losses.losses",
                "class_name": "LossFunctionWrapper",
                "config": loss.get_config(),
                "registered_name": "LossFunctionWrapper",
            }
        builtin = type(loss).__name__ in _IDENTIFIERS and _IDENTIFIERS[type(loss).__name__] is type(
            loss
        )
        return {
            "module": "keras.losses" if builtin else type(loss).__module__,
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None if builtin else type(loss).__name__,
        }
    if callable(loss):
        return serialize_function(loss)
    raise TypeError(f"Cannot serialize {loss!r}: expected a Loss or a function.")


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Inverse of `serialize`; a string gives the function or a fresh class instance."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        found = custom_objects.get(config) or _IDENTIFIERS.get(config)
        if found is None:
            raise _unknown_identifier_error(
                "loss", config, sorted(_IDENTIFIERS) + sorted(custom_objects)
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
    if cls is None or not inspect.isclass(cls):
        known = sorted(n for n, v in _IDENTIFIERS.items() if inspect.isclass(v))
        raise _unknown_identifier_error("loss class", class_name, known + sorted(custom_objects))
    inner = dict(config.get("config") or {})
    if "fn" in inner:
        inner["fn"] = _deserialize_function(inner["fn"], custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Any:
    """What `keras.losses.get` returns: a function's name gives the plain function (one
    loss per sample, no reduction); a class name, class or config gives a `Loss`; a
    `Loss` or a function is returned as it is."""
    if isinstance(identifier, str):
        found = _IDENTIFIERS.get(identifier)
        if found is not None and not inspect.isclass(found):
            return found
    elif callable(identifier) and not inspect.isclass(identifier):
        return identifier
    return to_loss(identifier)


def to_loss(identifier: Any) -> Loss | None:
    """A reducing `Loss` object for a name, config dict, function, class or Loss.

    Strings naming functions ("mse", "binary_crossentropy") give a LossFunctionWrapper
    named by the string, as `compile(loss="mse")` does; class names give an instance.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        found = _IDENTIFIERS.get(identifier)
        if found is None:
            raise _unknown_identifier_error("loss", identifier, sorted(_IDENTIFIERS))
        if found in (Loss, LossFunctionWrapper):
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r} names a base class that "
                "needs arguments; pass an instance instead."
            )
        if inspect.isclass(found):
            return found()
        return LossFunctionWrapper(found, name=identifier)
    if isinstance(identifier, dict):
        return to_loss(deserialize(identifier))
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier, name=function_name(identifier))
    raise ValueError(
        "Could not interpret loss identifier: expected a string, a dict config, a Loss or a "
        f"function. Received: identifier={identifier!r}"
    )


def _is_binary_or_sparse(y_true_shape: tuple, y_pred_shape: tuple) -> tuple[bool, bool]:
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
        is_binary, is_sparse = _is_binary_or_sparse(tuple(y_true_shape), tuple(y_pred_shape))
        if is_binary:
            fn = binary_crossentropy
        elif is_sparse:
            fn = sparse_categorical_crossentropy
        else:
            fn = categorical_crossentropy
        return LossFunctionWrapper(fn, name=identifier)
    return to_loss(identifier)
