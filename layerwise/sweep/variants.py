"""What a variant is: a dict handed to `build_model`, plus the few keys the sweep reads itself.

Keys the sweep reads:
    "seed": `set_random_seed(seed)` runs just before `build_model(variant)`, so initial
        weights, dropout streams and the epochs' shuffles are those of a lone `Model.fit`
        run after the same call.
    "train_index": the rows of `x` / `y` this variant trains on (a fold).
    "validation_index": the rows it validates on (in place of `validation_data`).

Every other key is `build_model`'s. A key that neither the sweep nor `build_model`
reads is almost always a typo (`"learing_rate"`), so it is an error: the variant is
handed over as a dict that records which keys were read. Keys starting with "_" are
labels (shown in the result's table), never checked.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

SEED = "seed"
TRAIN_INDEX = "train_index"
VALIDATION_INDEX = "validation_index"
SWEEP_KEYS = (SEED, TRAIN_INDEX, VALIDATION_INDEX)


class TrackedVariant(dict):
    """A dict that remembers which of its keys were read (item access, get, iteration)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.read: set = set()

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: Any) -> bool:
        self.read.add(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator:
        # Iterating (`**variant`, `dict(variant)`, a loop) hands every key over.
        self.read.update(super().keys())
        return super().__iter__()

    def keys(self):  # type: ignore[override]
        self.read.update(super().keys())
        return super().keys()

    def items(self):  # type: ignore[override]
        self.read.update(super().keys())
        return super().items()

    def values(self):  # type: ignore[override]
        self.read.update(super().keys())
        return super().values()

    def copy(self) -> dict:  # a copy, or a merge (`variant | extra`), hands every key over
        self.read.update(super().keys())
        return dict(super().items())

    def __or__(self, other: Any) -> dict:
        return self.copy() | dict(other)

    def unread(self) -> list:
        return [key for key in super().keys() if key not in self.read and key not in SWEEP_KEYS
                and not (isinstance(key, str) and key.startswith("_"))]


def check_variants(variants: Any) -> list[dict]:
    """The variants as a list of dicts; a ValueError for an empty or malformed sequence."""
    if isinstance(variants, Mapping) or isinstance(variants, (str, bytes)):
        raise TypeError(
            "sweep.fit: `variants` must be a sequence of dicts (one per model). Received: "
            f"a {type(variants).__name__}. Wrap a single variant in a list: [variant].")
    try:
        variants = list(variants)
    except TypeError:
        raise TypeError(
            "sweep.fit: `variants` must be a sequence of dicts (one per model). Received: "
            f"variants={variants!r}") from None
    if not variants:
        raise ValueError("sweep.fit: `variants` is empty. Expected at least one variant "
                         "(a dict handed to `build_model`). Received: variants=[]")
    for index, variant in enumerate(variants):
        if not isinstance(variant, Mapping):
            raise TypeError(
                f"sweep.fit: each variant must be a dict. Received: variants[{index}]="
                f"{variant!r}")
    return [dict(variant) for variant in variants]


def check_unread(index: int, variant: TrackedVariant) -> None:
    unread = variant.unread()
    if unread:
        raise ValueError(
            f"sweep.fit: unknown key(s) {unread} in variants[{index}]: `build_model` never "
            f"read them and the sweep does not use them (its own keys are {list(SWEEP_KEYS)}). "
            f"Received: variants[{index}]={_describe(variant)}")


def row_index(variant: Mapping, key: str, index: int, rows: int) -> np.ndarray | None:
    """The variant's `train_index` / `validation_index` as int64 rows of the data, or None."""
    if key not in variant:
        return None
    value = np.asarray(variant[key])
    if value.dtype == np.bool_:
        if value.shape != (rows,):
            raise ValueError(
                f"sweep.fit: variants[{index}]['{key}'] is a boolean mask, so it must have "
                f"one entry per row ({rows}). Received shape {value.shape}")
        value = np.flatnonzero(value)
    if value.ndim != 1 or not np.issubdtype(value.dtype, np.integer) or value.size == 0:
        raise ValueError(
            f"sweep.fit: variants[{index}]['{key}'] must be a non-empty 1-D array of row "
            f"indices (or a boolean mask). Received: {_short(variant[key])}")
    if value.min() < -rows or value.max() >= rows:
        raise ValueError(
            f"sweep.fit: variants[{index}]['{key}'] holds rows outside the data's {rows} "
            f"rows (min {value.min()}, max {value.max()}).")
    return value.astype(np.int64) % rows


def scalar_items(variant: Mapping) -> dict:
    """The variant's plain values (numbers, strings...), for tables and plots."""
    return {key: value for key, value in dict.items(variant)
            if key not in (TRAIN_INDEX, VALIDATION_INDEX)
            and isinstance(value, (int, float, str, bool, np.number))}


def _describe(variant: Mapping) -> str:
    return "{" + ", ".join(f"{key!r}: {_short(value)}" for key, value in dict.items(variant)) + "}"


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
