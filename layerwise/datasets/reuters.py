"""Reuters newswires as word-index sequences, labelled with one of 46 topics."""
from __future__ import annotations

import json

import numpy as np

from layerwise.datasets.sources import fetch, load_npz
from layerwise.datasets.word_sequences import (as_object_array, drop_long, limit_vocabulary,
                                               reindex)

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3) -> tuple:
    """`(x_train, y_train), (x_test, y_test)`: object arrays of word-id lists and int
    topic labels, shuffled by `seed`, the last `test_split` for testing."""
    arrays = load_npz(fetch("reuters.npz", fname=path))
    sequences, labels = arrays["x"], arrays["y"]
    order = np.arange(len(sequences))
    np.random.RandomState(seed).shuffle(order)
    sequences, labels = sequences[order], labels[order]
    sequences = reindex(sequences, start_char, index_from)
    if maxlen:
        sequences, labels = drop_long(maxlen, sequences, labels)
    sequences = limit_vocabulary(sequences, num_words, skip_top, oov_char)
    cut = int(len(sequences) * (1 - test_split))
    return ((as_object_array(sequences[:cut]), np.array(labels[:cut])),
            (as_object_array(sequences[cut:]), np.array(labels[cut:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The word -> index dictionary (before the `index_from` shift)."""
    with open(fetch("reuters_word_index.json", fname=path)) as file:
        return json.load(file)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, in label order."""
    return _LABEL_NAMES
