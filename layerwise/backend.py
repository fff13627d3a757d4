"""`keras.backend`: global numeric settings, dtype helpers, and the functions old
tutorials still call (`K.clear_session()`, `K.get_value`, ...)."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.engine import naming
from layerwise.engine.variables import Variable

_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_FLOATX = "float32"
_UIDS: dict[str, int] = {}


def backend() -> str:
    return "jax"


def clear_session() -> None:
    """Forget generated layer names, so the next model's layers are "dense", "dense_1", ..."""
    naming.reset_names()


def floatx() -> str:
    return _FLOATX


def set_floatx(value: str) -> None:
    """The default float dtype of ops; layers still compute in float32. float64 needs
    JAX's x64 mode, which layerwise does not switch on."""
    global _FLOATX
    allowed = ("bfloat16", "float16", "float32")
    if value not in allowed:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {allowed} "
                         "(float64 needs JAX's x64 mode, which is off).")
    _FLOATX = str(value)


def epsilon() -> float:
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """The default `data_format` of ops (layers keep their own default, channels_last)."""
    global _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _IMAGE_DATA_FORMAT = value


def get_uid(prefix: str = "") -> int:
    """1, 2, 3, ... per prefix: how many times this prefix was asked for."""
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def is_keras_tensor(x: Any) -> bool:
    """Whether `x` is a symbolic tensor (from `Input` or an op on one)."""
    from layerwise.engine.functional import KerasTensor

    return isinstance(x, KerasTensor)


def standardize_dtype(dtype: Any) -> str:
    """The Keras name of a dtype-like; None is floatx."""
    from layerwise.ops.dtypes import standardize_dtype as standardize

    return standardize(dtype)


def result_type(*dtypes: Any) -> str:
    """The dtype Keras gives an op over operands of these dtypes."""
    from layerwise.ops.dtypes import result_type as promote

    return promote(*dtypes)


def is_float_dtype(dtype: Any) -> bool:
    from layerwise.ops.dtypes import is_float_dtype as is_float

    return is_float(dtype)


def is_int_dtype(dtype: Any) -> bool:
    from layerwise.ops.dtypes import is_int_dtype as is_int

    return is_int(dtype)


def get_value(x: Any) -> np.ndarray:
    return np.asarray(x.value if isinstance(x, Variable) else x)


def set_value(x: Variable, value: Any) -> None:
    """Assign `value` to a variable (e.g. `K.set_value(model.optimizer.learning_rate, 1e-3)`)."""
    if not isinstance(x, Variable):
        raise TypeError(f"set_value: expected a Variable. Received: {type(x).__name__}")
    x.assign(value)


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "get_value",
           "image_data_format", "is_float_dtype", "is_int_dtype", "is_keras_tensor",
           "result_type", "set_epsilon", "set_floatx", "set_image_data_format", "set_value",
           "standardize_dtype"]
