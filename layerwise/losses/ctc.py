"""The CTC loss (connectionist temporal classification) on padded integer labels."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.ops.nn import ctc_loss

__all__ = ["ctc"]

_BLANK = 0  # label 0 is both the CTC blank and the padding of `y_true`


def ctc(y_true: Any, y_pred: Any) -> jax.Array:
    """CTC loss per sample.

    Args:
        y_true: labels (batch, max_label_length), padded with 0 (0 is not a class).
        y_pred: logits (batch, time, classes), not softmax-normalized.
    """
    if jnp.ndim(y_true) != 2:
        raise ValueError(
            "ctc: targets `y_true` are expected to be a tensor of shape "
            "`(batch_size, max_length)` in integer format. "
            f"Received: y_true.shape={jnp.shape(y_true)}")
    if jnp.ndim(y_pred) != 3:
        raise ValueError(
            "ctc: logits `y_pred` are expected to be a tensor of shape "
            f"`(batch_size, max_length, num_classes)`. Received: y_pred.shape={jnp.shape(y_pred)}")
    batch, time = jnp.shape(y_pred)[:2]
    label_length = jnp.sum(jnp.asarray(y_true) != _BLANK, axis=-1).astype("int32")
    input_length = jnp.full((batch,), time, "int32")
    return ctc_loss(y_true, y_pred, label_length, input_length, mask_index=_BLANK)
