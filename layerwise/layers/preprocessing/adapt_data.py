"""What `adapt` accepts: one array (or list), or an iterable of batches."""
from __future__ import annotations

from typing import Any, Iterable

import jax
import numpy as np


def batches_of(data: Any) -> Iterable[np.ndarray]:
    """The numpy batches of `data`: one array (or list), or each `x` of an iterable of
    batches (a dataset yielding `x` or `(x, y)`)."""
    if isinstance(data, (np.ndarray, jax.Array, list, tuple)):
        yield np.asarray(data)
        return
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        yield np.asarray(batch)
