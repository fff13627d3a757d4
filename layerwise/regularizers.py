"""Weight regularizers with Keras 3's names, arguments, configs and numbers.

A regularizer is a callable `(weights) -> scalar penalty` that a layer adds to the loss.
"""
from __future__ import annotations

import difflib
import math
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from layerwise.engine.registry import Namespace, get_registered_object, public_dir

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]

_MODULE = "keras.regularizers"
# Keras's fuzz factor, which bounds the inverse norm in OrthogonalRegularizer.
_EPSILON = 1e-7


def _validate_factor(value: Any, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


def _as_float32(value: float) -> float:
    # Keras keeps `l1` and `factor` as float32 tensors, so their configs report the
    # float32-rounded value (0.01 -> 0.009999999776482582); we do the same.
    return float(np.float32(value))


class Regularizer:
    """Base class: subclasses implement `__call__(x) -> scalar` and `get_config()`."""

    def __call__(self, x: Any) -> Any:
        return 0.0

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`; both factors default to 0 (None means 0)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _validate_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> jax.Array:
        x = jnp.asarray(x)
        penalty = jnp.asarray(0.0, dtype=x.dtype)
        if self.l1 != 0.0:
            penalty += jnp.asarray(self.l1, x.dtype) * jnp.sum(jnp.abs(x))
        if self.l2 != 0.0:
            penalty += jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _as_float32(_validate_factor(0.01 if l1 is None else l1, "l1"))

    def __call__(self, x: Any) -> jax.Array:
        x = jnp.asarray(x)
        return jnp.asarray(self.l1, x.dtype) * jnp.sum(jnp.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x**2)` (no factor 1/2)."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _validate_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> jax.Array:
        x = jnp.asarray(x)
        return jnp.asarray(self.l2, x.dtype) * jnp.sum(jnp.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


def _l2_normalize(x: jax.Array, axis: int) -> jax.Array:
    # x * rsqrt(sum(x**2)), with the inverse norm capped so that zero rows stay zero.
    inverse_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inverse_norm, 1.0 / _EPSILON)


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (or columns) of a 2-D kernel.

    The penalty is `factor * 0.5 * sum(|G - diag(G)|) / (n * (n - 1) / 2)`, where `G` is
    the Gram matrix of the L2-normalized rows (mode="rows") or columns
    (mode="columns"), i.e. `factor` times the mean absolute cosine between distinct pairs.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _as_float32(_validate_factor(factor, "factor"))
        if mode not in ("rows", "columns"):
            close = difflib.get_close_matches(str(mode), ["rows", "columns"], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                "Invalid value for argument `mode`. Expected one of ['rows', 'columns']. "
                f"Received: mode={mode!r}.{hint}"
            )
        self.mode = mode

    def __call__(self, x: Any) -> jax.Array:
        x = jnp.asarray(x)
        if x.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. "
                f"Received: inputs.shape={x.shape}"
            )
        if self.mode == "rows":
            x = _l2_normalize(x, axis=1)
            gram = x @ x.T
            size = x.shape[0]
        else:
            x = _l2_normalize(x, axis=0)
            gram = x.T @ x
            size = x.shape[1]
        off_diagonal = gram * (1.0 - jnp.eye(size, dtype=x.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        factor = jnp.asarray(self.factor, jnp.float32)
        return factor * 0.5 * jnp.sum(jnp.abs(off_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


# Keras's lower-case names are the classes themselves.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer


# -- lookup and serialization ------------------------------------------------------------------

_BUILT_IN = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _BUILT_IN}
_BY_NAME.update(
    {
        "regularizer": Regularizer,
        "l1": L1,
        "l2": L2,
        "l1l2": L1L2,
        "orthogonal_regularizer": OrthogonalRegularizer,
    }
)


def _l1_l2_string_default() -> L1L2:
    # The string "l1_l2" (Keras 2, still in Keras 3's docs) means both factors 0.01,
    # unlike the class's defaults of 0; Keras 3.15 itself rejects this string.
    return L1L2(l1=0.01, l2=0.01)


_NAMESPACE = Namespace("regularizer", _MODULE, _BY_NAME, base=Regularizer)


def serialize(regularizer: Regularizer | None) -> dict | None:
    """Keras 3's dict form: `{"module", "class_name", "config", "registered_name"}`
    (None gives None, as for an absent regularizer in a layer config)."""
    return _NAMESPACE.serialize(regularizer)


def deserialize(config: dict | str, custom_objects: dict[str, Any] | None = None) -> Regularizer:
    """Rebuilds a regularizer from `serialize`'s dict, a Keras 2 `{class_name, config}`
    dict, or a name ("l1", "l2", "l1l2", "l1_l2", "L2", ...)."""
    if config == "l1_l2" and get_registered_object(config, custom_objects) is None:
        return _l1_l2_string_default()
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: Any) -> Callable | None:
    """Resolves a regularizer identifier: None, a built-in name, a config dict, a class
    (instantiated), a `Regularizer` or any callable `(x) -> scalar`."""
    if isinstance(identifier, str) and identifier == "l1_l2":
        return _l1_l2_string_default()
    return _NAMESPACE.get(identifier)


__dir__ = public_dir(__all__)
