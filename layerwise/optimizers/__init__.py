"""Optimizers with Keras 3's names, defaults and update rules, built on optax."""
from layerwise.engine.registry import public_dir
from layerwise.optimizers import schedules
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
from layerwise.optimizers.serialization import deserialize, get, serialize
from layerwise.optimizers.sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "Nadam",
    "Adamax",
    "Adadelta",
    "Adagrad",
    "Lion",
    "Adafactor",
    "Ftrl",
    "Lamb",
    "ScheduleFreeAdamW",
    "Muon",
    "LossScaleOptimizer",
    "get",
    "serialize",
    "deserialize",
    "schedules",
]


__dir__ = public_dir(__all__)
