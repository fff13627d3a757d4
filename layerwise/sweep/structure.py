"""Which models can train side by side, and which of their numbers differ.

Models share a structure when their layers (classes, order), weight shapes, loss class,
metrics and optimizer (class, variable shapes) agree; anything else is an error naming
the first difference. Among models of one structure, the numbers that differ in the
optimizer's, the loss's or a layer's configuration are *hyperparameters*: each one that
an attribute of the same name holds (Adam's `beta_1`, SGD's `momentum`, a loss's
`label_smoothing`) becomes an argument of the compiled step, one value per variant (see
`hyperparameters.substituted`). Any other difference (a string, a nested configuration,
a number the step needs as a Python value) is *static*: variants that differ in it run
in separate groups, each with its own compiled program.
"""
from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np

from layerwise.engine.variables import Variable
from layerwise.models.steps import StepFunctions


class Field(NamedTuple):
    """One configuration entry that differs between variants."""

    owner: tuple  # ("optimizer",), ("loss",) or ("layer", index)
    key: str

    def label(self) -> str:
        if self.owner[0] == "layer":
            return f"layer {self.owner[1]} `{self.key}`"
        return f"{self.owner[0]} `{self.key}`"


def owners(model: Any, steps: StepFunctions) -> dict[tuple, Any]:
    """The objects whose configuration numbers may be swept, by a role shared across models."""
    found = {("optimizer",): model.optimizer, ("loss",): steps.loss}
    for index, layer in enumerate(steps.layers):
        found[("layer", index)] = layer
    return found


def check_same_structure(first_model: Any, first_steps: StepFunctions, model: Any,
                         steps: StepFunctions, index: int) -> None:
    """A ValueError naming the first structural difference of variants[index] from
    variants[0], if any."""
    for (what, expected), (_, received) in zip(_structure(first_model, first_steps),
                                               _structure(model, steps)):
        if expected != received:
            raise ValueError(
                f"sweep.fit: every variant's model must share one structure, but "
                f"variants[{index}] differs from variants[0] in its {what}. "
                f"variants[0]: {expected}; variants[{index}]: {received}")


def _structure(model: Any, steps: StepFunctions) -> list[tuple[str, Any]]:
    layers = steps.layers
    return [
        ("layers", [type(layer).__name__ for layer in layers]),
        ("weight shapes", [(tuple(v.shape), str(v.dtype)) for v in model.weights]),
        ("trainable weights", [tuple(v.shape) for v in steps.trainable_variables]),
        ("loss", type(steps.loss).__name__),
        ("metrics", list(steps.log_names)),
        ("optimizer", type(model.optimizer).__name__),
    ]


def optimizer_slots(model: Any) -> tuple:
    """The shapes of the optimizer's variables: SGD without momentum has no slots, so
    momentum 0 and 0.9 make different programs (a static difference, not an error)."""
    return tuple((tuple(v.shape), str(v.dtype)) for v in model.optimizer.variables)


def differing_fields(all_owners: list[dict[tuple, Any]]) -> tuple[list[Field], list[Field]]:
    """The configuration entries that differ across variants: (traceable, static)."""
    traceable, static = [], []
    for role, first in all_owners[0].items():
        objects = [found[role] for found in all_owners]
        configs = [_config(obj) for obj in objects]
        for key in configs[0]:
            values = [config.get(key) for config in configs]
            if all(_equal(values[0], value) for value in values[1:]) or _ignored(obj=first,
                                                                               key=key):
                continue
            field = Field(role, key)
            if all(_held_as_attribute(obj, key, value) for obj, value in zip(objects, values)):
                traceable.append(field)
            else:
                static.append(field)
    return traceable, static


def attribute_values(field: Field, all_owners: list[dict[tuple, Any]]) -> np.ndarray:
    """One row per variant of the field's value (a scalar or a list of numbers)."""
    values = [getattr(found[field.owner], field.key) for found in all_owners]
    array = np.asarray(values)
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float32)
    return array.astype(np.int32)


def static_key(fields: list[Field], found: dict[tuple, Any]) -> tuple:
    """What one variant's static fields hold: variants with equal keys share a program."""
    return tuple(repr(_config(found[field.owner]).get(field.key)) for field in fields)


def _config(obj: Any) -> dict:
    get_config = getattr(obj, "get_config", None)
    if get_config is None:
        return {}
    try:
        return dict(get_config())
    except NotImplementedError:
        return {}


def _ignored(obj: Any, key: str) -> bool:
    # Names are numbered per process (dense_3); seeds and initializers only act when a
    # layer is made (its weights and random streams are part of each variant's state).
    if key in ("name", "trainable", "seed") or key.endswith("initializer"):
        return True
    return key == "learning_rate" and isinstance(getattr(obj, "_learning_rate", None), Variable)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_numeric(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_is_number(item) for item in value)
    return _is_number(value)


def _held_as_attribute(obj: Any, key: str, value: Any) -> bool:
    """Whether `obj.<key>` is a plain attribute holding this config number."""
    if not _is_numeric(value) or key not in vars(obj):
        return False
    held = vars(obj)[key]
    if isinstance(value, (list, tuple)):
        return isinstance(held, (list, tuple)) and len(held) == len(value) and all(
            _is_number(a) and float(a) == float(b) for a, b in zip(held, value))
    return _is_number(held) and float(held) == float(value)


def _equal(first: Any, second: Any) -> bool:
    try:
        return bool(first == second)
    except (ValueError, TypeError):  # arrays in a config
        return repr(first) == repr(second)

