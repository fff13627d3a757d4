"""`keras.config`: global settings.

`floatx`, `epsilon`, `image_data_format` live in `layerwise.backend` (which old code reads)
and are shared with it. Settings marked "stored" are kept and reported back but nothing in
layerwise acts on them yet: flash attention (our attention never uses it), traceback
filtering (we do not filter tracebacks), and the `max_epochs` / `max_steps_per_epoch` caps (the
trainer does not read them). The dtype policy lives in `layerwise.dtype_policies`.
"""
from __future__ import annotations

from typing import Any

from layerwise.backend import (backend, epsilon, floatx, image_data_format, set_epsilon,
                               set_floatx, set_image_data_format)
from layerwise.dtype_policies.dtype_policy import dtype_policy, set_dtype_policy
from layerwise.engine.registry import enable_unsafe_deserialization

__all__ = [
    "backend", "disable_flash_attention", "disable_interactive_logging",
    "disable_traceback_filtering", "dtype_policy", "enable_flash_attention",
    "enable_interactive_logging", "enable_traceback_filtering",
    "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format",
    "is_flash_attention_enabled", "is_interactive_logging_enabled", "is_nnx_enabled",
    "is_traceback_filtering_enabled", "max_epochs", "max_steps_per_epoch", "set_backend",
    "set_dtype_policy", "set_epsilon", "set_floatx", "set_image_data_format",
    "set_max_epochs", "set_max_steps_per_epoch",
]

_settings: dict[str, Any] = {
    "flash_attention": None,  # None: let the backend decide, as Keras's default
    "interactive_logging": True,
    "traceback_filtering": True,
    "max_epochs": None,
    "max_steps_per_epoch": None,
}


def set_backend(backend: str) -> None:
    """Only "jax" exists here; other names raise."""
    if backend != "jax":
        raise ValueError("layerwise runs on JAX only. Invalid value for argument `backend`. "
                         f"Expected 'jax'. Received: backend={backend!r}")


def enable_flash_attention() -> None:
    _settings["flash_attention"] = True


def disable_flash_attention() -> None:
    _settings["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    return _settings["flash_attention"]


def enable_interactive_logging() -> None:
    _settings["interactive_logging"] = True


def disable_interactive_logging() -> None:
    _settings["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    return _settings["interactive_logging"]


def enable_traceback_filtering() -> None:
    _settings["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    _settings["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    return _settings["traceback_filtering"]


def is_nnx_enabled() -> bool:
    """Flax NNX integration does not exist here."""
    return False


def _check_limit(value: Any, argument: str) -> Any:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or value < 1):
        raise ValueError(f"Invalid value for argument `{argument}`. Expected a positive "
                         f"integer or None. Received: {argument}={value!r}")
    return value


def max_epochs() -> int | None:
    return _settings["max_epochs"]


def set_max_epochs(max_epochs: int | None) -> None:
    """Stored: `fit` does not cap its epochs by it yet."""
    _settings["max_epochs"] = _check_limit(max_epochs, "max_epochs")


def max_steps_per_epoch() -> int | None:
    return _settings["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Stored: `fit` does not cap its steps by it yet."""
    _settings["max_steps_per_epoch"] = _check_limit(max_steps_per_epoch,
                                                    "max_steps_per_epoch")
