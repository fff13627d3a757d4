"""`keras.backend`: the few functions old tutorials still call (`K.clear_session()`, ...)."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.engine import naming
from layerwise.engine.variables import Variable

_EPSILON = 1e-7


def backend() -> str:
    return "jax"


def clear_session() -> None:
    """Forget generated layer names, so the next model's layers are "dense", "dense_1", ..."""
    naming.reset_names()


def floatx() -> str:
    return "float32"


def set_floatx(value: str) -> None:
    if value != "float32":
        raise ValueError(f"set_floatx: only 'float32' is supported. Received: {value!r}")


def epsilon() -> float:
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    return "channels_last"


def get_value(x: Any) -> np.ndarray:
    return np.asarray(x.value if isinstance(x, Variable) else x)


def set_value(x: Variable, value: Any) -> None:
    """Assign `value` to a variable (e.g. `K.set_value(model.optimizer.learning_rate, 1e-3)`)."""
    if not isinstance(x, Variable):
        raise TypeError(f"set_value: expected a Variable. Received: {type(x).__name__}")
    x.assign(value)


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_value", "image_data_format",
           "set_epsilon", "set_floatx", "set_value"]
