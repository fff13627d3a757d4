"""Weight constraints with Keras 3's names, arguments, configs and numbers.

A constraint is a callable `(weights) -> weights` applied to a variable after each
optimizer update (projected gradient descent).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
from layerwise.engine.registry import Namespace, public_dir

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]

_MODULE = "keras.constraints"
# Keras's fuzz factor, which keeps the division defined for all-zero weights.
_EPSILON = 1e-7


def _norms(w: jax.Array, axis: Any) -> jax.Array:
    if isinstance(axis, list):
        axis = tuple(axis)
    return jnp.sqrt(jnp.sum(jnp.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: the identity. Subclasses implement `__call__(w)` and `get_config()`."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class MaxNorm(Constraint):
    """Rescales each slice whose L2 norm over `axis` exceeds `max_value` down to it.

    Args:
        max_value: the largest norm allowed.
        axis: the axis (or axes) the norm is taken over: 0 for a Dense kernel
            `(in, out)` constrains each unit's incoming weights; `[0, 1, 2]` does the
            same for a Conv2D kernel.
    """

    def __init__(self, max_value: float = 2, axis: "int | Sequence[int]" = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> jax.Array:
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = jnp.clip(norms, 0, self.max_value)
        return w.astype(norms.dtype) * (desired / (_EPSILON + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm over `axis` into [min_value, max_value].

    Args:
        rate: 1 projects fully into the range; a smaller rate moves the norm only that
            fraction of the way: `norm <- rate * clip(norm) + (1 - rate) * norm`.
    """

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: "int | Sequence[int]" = 0,
    ):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> jax.Array:
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        desired = self.rate * jnp.clip(norms, self.min_value, self.max_value) + (
            1 - self.rate
        ) * norms
        return w.astype(norms.dtype) * (desired / (_EPSILON + norms))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w: Any) -> jax.Array:
        return jnp.maximum(jnp.asarray(w), 0)


class UnitNorm(Constraint):
    """Divides each slice by its L2 norm over `axis`."""

    def __init__(self, axis: "int | Sequence[int]" = 0):
        self.axis = axis

    def __call__(self, w: Any) -> jax.Array:
        w = jnp.asarray(w)
        norms = _norms(w, self.axis)
        return w.astype(norms.dtype) / (_EPSILON + norms)

    def get_config(self) -> dict:
        return {"axis": self.axis}


# Keras's lower-case names are the classes themselves.
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm


# -- lookup and serialization ------------------------------------------------------------------

_BUILT_IN = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _BUILT_IN}
_BY_NAME.update(
    {
        "constraint": Constraint,
        "max_norm": MaxNorm,
        "min_max_norm": MinMaxNorm,
        "non_neg": NonNeg,
        "unit_norm": UnitNorm,
    }
)


_NAMESPACE = Namespace("constraint", _MODULE, _BY_NAME, base=Constraint)


def serialize(constraint: Constraint | None) -> dict | None:
    """Keras 3's dict form: `{"module", "class_name", "config", "registered_name"}`
    (None gives None, as for an absent constraint in a layer config)."""
    return _NAMESPACE.serialize(constraint)


def deserialize(config: dict | str, custom_objects: dict[str, Any] | None = None) -> Constraint:
    """Rebuilds a constraint from `serialize`'s dict, a Keras 2 `{class_name, config}`
    dict, or a name ("max_norm", "NonNeg", ...)."""
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: Any) -> Callable | None:
    """Resolves a constraint identifier: None, a built-in name, a config dict, a class
    (instantiated), a `Constraint` or any callable `(w) -> w`."""
    return _NAMESPACE.get(identifier)


__dir__ = public_dir(__all__)
