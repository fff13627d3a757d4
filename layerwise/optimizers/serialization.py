"""Finding optimizers by name and (de)serializing them in Keras 3's dict form."""
from __future__ import annotations

from typing import Any

from layerwise.engine.registry import Namespace
from layerwise.optimizers.adadelta import Adadelta
from layerwise.optimizers.adafactor import Adafactor
from layerwise.optimizers.adagrad import Adagrad
from layerwise.optimizers.adam import Adam, AdamW
from layerwise.optimizers.adamax import Adamax
from layerwise.optimizers.base import Optimizer
from layerwise.optimizers.ftrl import Ftrl
from layerwise.optimizers.lamb import Lamb
from layerwise.optimizers.lion import Lion
from layerwise.optimizers.muon import Muon
from layerwise.optimizers.loss_scale_optimizer import LossScaleOptimizer
from layerwise.optimizers.nadam import Nadam
from layerwise.optimizers.rmsprop import RMSprop
from layerwise.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from layerwise.optimizers.sgd import SGD

__all__ = ["get", "serialize", "deserialize"]

_MODULE = "keras.optimizers"

# Keras looks names up case-insensitively by lowercased class name ("rmsprop", "adamw").
_BUILT_IN: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls
    for cls in (SGD, RMSprop, Adam, AdamW, Nadam, Adamax, Adadelta, Adagrad, Lion, Adafactor,
                Ftrl, Lamb, ScheduleFreeAdamW, Muon, LossScaleOptimizer)
}

_NAMESPACE = Namespace("optimizer", _MODULE, _BUILT_IN, base=Optimizer,
                       get_finds_user_objects=True, accepts_functions=False,
                       case_insensitive=True)


def serialize(optimizer: Optimizer) -> dict:
    """`{"module": "keras.optimizers", "class_name", "config", "registered_name": None}`."""
    return _NAMESPACE.serialize(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuild an optimizer from `serialize`'s dict (or Keras 2's `{"class_name", "config"}`)."""
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name ("adam", case-insensitive), a config dict, or an instance."""
    return _NAMESPACE.get(identifier)
