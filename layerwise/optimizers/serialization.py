"""Finding optimizers by name and (de)serializing them in Keras 3's dict form."""
from __future__ import annotations

import difflib
from typing import Any

from layerwise.optimizers.adadelta import Adadelta
from layerwise.optimizers.adagrad import Adagrad
from layerwise.optimizers.adam import Adam, AdamW
from layerwise.optimizers.adamax import Adamax
from layerwise.optimizers.base import Optimizer
from layerwise.optimizers.lion import Lion
from layerwise.optimizers.nadam import Nadam
from layerwise.optimizers.rmsprop import RMSprop
from layerwise.optimizers.sgd import SGD

__all__ = ["get", "serialize", "deserialize"]

_MODULE = "keras.optimizers"

# Keras looks names up case-insensitively by lowercased class name ("rmsprop", "adamw").
_BUILT_IN: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls
    for cls in (SGD, RMSprop, Adam, AdamW, Nadam, Adamax, Adadelta, Adagrad, Lion)
}
# Keras optimizers this package does not implement: a clear error rather than "unknown".
_NOT_IMPLEMENTED = ("adafactor", "ftrl", "lamb", "muon", "schedulefreeadamw")

# Keys that Keras 2 / tf.keras optimizer configs carry and Keras 3 has no use for.
_LEGACY_CONFIG_KEYS = ("is_legacy_optimizer", "jit_compile")


def serialize(optimizer: Optimizer) -> dict:
    """`{"module": "keras.optimizers", "class_name", "config", "registered_name": None}`."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "Invalid value for argument `optimizer`. Expected an Optimizer instance. "
            f"Received: optimizer={optimizer!r}"
        )
    cls = type(optimizer)
    built_in = _BUILT_IN.get(cls.__name__.lower()) is cls
    return {
        "module": _MODULE if built_in else cls.__module__,
        "class_name": cls.__name__,
        "config": optimizer.get_config(),
        "registered_name": None if built_in else cls.__name__,
    }


def _lookup(class_name: str, custom_objects: dict | None) -> type[Optimizer]:
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    key = class_name.lower()
    if key in _BUILT_IN:
        return _BUILT_IN[key]
    if key in _NOT_IMPLEMENTED:
        raise NotImplementedError(
            f"The Keras optimizer '{class_name}' is not implemented in layerwise yet. "
            f"Available: {sorted(_BUILT_IN)}"
        )
    known = list(_BUILT_IN) + list(custom_objects or {})
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(name) for name in close)}?" if close else ""
    raise ValueError(
        f"Could not interpret optimizer identifier: '{class_name}'.{hint} "
        f"Known optimizers: {sorted(_BUILT_IN)}"
    )


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuild an optimizer from `serialize`'s dict (or Keras 2's `{"class_name", "config"}`)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Invalid value for argument `config`. Expected a dict with a 'class_name' key. "
            f"Received: config={config!r}"
        )
    cls = _lookup(config["class_name"], custom_objects)
    arguments = {
        key: value
        for key, value in dict(config.get("config") or {}).items()
        if key not in _LEGACY_CONFIG_KEYS
    }
    return cls.from_config(arguments, custom_objects=custom_objects)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name ("adam", case-insensitive), a config dict, or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(
        "Could not interpret optimizer identifier. Expected an optimizer name, a config dict "
        f"or an Optimizer instance. Received: identifier={identifier!r}"
    )
