"""Object names as Keras generates them: snake_case of the class, uniquified per process."""
from __future__ import annotations

import collections
import re

_name_counts: collections.Counter[str] = collections.Counter()


def to_snake_case(name: str) -> str:
    """"Conv2D" -> "conv2d", "BatchNormalization" -> "batch_normalization", "RMSprop" -> "rm_sprop"."""
    with_underscores = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    with_underscores = re.sub(r"([a-z])([A-Z])", r"\1_\2", with_underscores).lower()
    if with_underscores[0] != "_":
        return with_underscores
    return "private" + with_underscores


def unique_name(prefix: str) -> str:
    """The first object of a kind is "dense", the next "dense_1", "dense_2", ..."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names() -> None:
    """Forget generated names (used by `utils.clear_session`)."""
    _name_counts.clear()
