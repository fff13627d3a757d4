"""Checking targets against the loss and the model's output before training starts.

These mistakes otherwise surface as silent garbage (a class index past the last unit
gathers nothing) or as shape errors from deep inside a traced function.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from layerwise.models import data as data_utils

_warned_non_binary: set[int] = set()


def _loss_function_name(loss: Any) -> str | None:
    function = getattr(loss, "fn", None)
    return getattr(function, "__name__", None)


def check_targets(method: str, loss: Any, y: Any, output_shape: tuple, model_name: str) -> None:
    """Raise a ValueError (or warn, where Keras only warns) if `y` cannot fit the loss."""
    if loss is None or not isinstance(y, np.ndarray):
        return  # device arrays are trusted: checking them would cost a transfer
    if output_shape is None:
        return  # several outputs: their loss matches each target to its output
    name = _loss_function_name(loss)
    units = output_shape[-1] if output_shape else None
    from_logits = bool(getattr(loss, "_fn_kwargs", {}).get("from_logits", False))
    if name == "sparse_categorical_crossentropy":
        if y.ndim == len(output_shape) and y.shape[-1] != 1:
            raise ValueError(
                f"{method}: sparse_categorical_crossentropy expects integer class indices "
                f"of shape (n,) or (n, 1), but `y` has shape {y.shape} for model "
                f"'{model_name}' with output shape {output_shape}. For one-hot targets use "
                "categorical_crossentropy.")
        if units is not None and y.size:
            low, high = float(y.min()), float(y.max())
            if low < 0 or high >= units or not np.all(np.equal(np.mod(y, 1), 0)):
                bad = int(np.argmax((y < 0) | (y >= units) | (np.mod(y, 1) != 0)))
                raise ValueError(
                    f"{method}: sparse_categorical_crossentropy expects class indices in "
                    f"[0, {units}) (the model's last layer has {units} units), but `y` holds "
                    f"{y.reshape(-1)[bad]!r} at index {bad}.")
    elif name == "categorical_crossentropy":
        if units is not None and y.ndim >= 2 and y.shape[-1] != units:
            raise ValueError(
                f"{method}: categorical_crossentropy expects one-hot targets of width {units} "
                f"(the output width of model '{model_name}'), but `y` has shape {y.shape}. "
                "Use keras.utils.to_categorical, or sparse_categorical_crossentropy for "
                "integer labels.")
        if y.ndim == 1 and units not in (None, 1):
            raise ValueError(
                f"{method}: categorical_crossentropy expects one-hot targets of shape "
                f"(n, {units}), but `y` has shape {y.shape}. Use "
                "sparse_categorical_crossentropy for integer labels.")
    elif name == "binary_crossentropy" and not from_logits and y.size:
        if not np.all((y == 0) | (y == 1)) and id(loss) not in _warned_non_binary:
            _warned_non_binary.add(id(loss))
            warnings.warn(
                f"{method}: binary_crossentropy got targets that are not all 0 or 1 (e.g. "
                f"{y.reshape(-1)[np.argmax((y != 0) & (y != 1))]!r}); the loss is still "
                "computed, as in Keras, but this is usually a labelling mistake.",
                stacklevel=3)
    _check_rank(method, y, output_shape, model_name)


def _check_rank(method: str, y: np.ndarray, output_shape: tuple, model_name: str) -> None:
    """y must broadcast against the output, after Keras's squeeze/expand of a trailing 1."""
    target = tuple(y.shape[1:])
    output = tuple(1 if d is None else d for d in output_shape[1:])
    if len(target) != len(output):
        if len(target) + 1 == len(output) or len(target) == len(output) + 1:
            return  # Keras squeezes or expands a trailing axis; integer labels vs scores
    try:
        np.broadcast_shapes(target, output)
    except ValueError:
        raise ValueError(
            f"{method}: targets of shape {y.shape} do not match the output of model "
            f"'{model_name}', of shape {tuple(output_shape)}.") from None


def check_validation(loss: Any, validation: tuple | None, output_shape: tuple, model_name: str,
                     finite: bool = True) -> None:
    """`validation_data` checked as the training data is: finite values, targets the loss
    can use. `validation` is (x_val, y_val, val_sample_weight) or None."""
    if validation is None:
        return
    x_val, y_val, w_val = validation
    if finite:
        data_utils.check_finite("fit", x_val=x_val, y_val=y_val, val_sample_weight=w_val)
    check_targets("fit (validation_data)", loss, y_val, output_shape, model_name)
