"""What IMDB and Reuters share: word-index sequences re-indexed, filtered and cut."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def reindex(sequences: Sequence, start_char: int | None, index_from: int) -> list[list[int]]:
    """Shifts word ids by `index_from` and prepends `start_char` when set."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    return [[w + index_from for w in x] for x in sequences]


def drop_long(maxlen: int, sequences: list, labels: Sequence) -> tuple[list, list]:
    """Keeps the sequences shorter than `maxlen` (and their labels)."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(sequences: list, num_words: int | None, skip_top: int,
                     oov_char: int | None) -> list[list[int]]:
    """Words outside `[skip_top, num_words)` become `oov_char` (or are dropped)."""
    if not num_words:
        num_words = max(max(x) for x in sequences)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def as_object_array(sequences: list) -> np.ndarray:
    # As Keras builds it: ragged sequences give a 1-D array of lists (equal-length ones,
    # which only a tiny subset has, a 2-D object array).
    return np.array(sequences, dtype="object")
