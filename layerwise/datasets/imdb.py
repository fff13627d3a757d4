"""IMDB movie reviews as word-index sequences, labelled positive (1) or negative (0)."""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from layerwise.datasets.sources import fetch, load_npz
from layerwise.datasets.word_sequences import (as_object_array, drop_long, limit_vocabulary,
                                               reindex)


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs: Any) -> tuple:
    """`(x_train, y_train), (x_test, y_test)`: object arrays of word-id lists (ids from
    `index_from` up, most frequent first) and int labels, shuffled by `seed`."""
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    arrays = load_npz(fetch("imdb.npz", fname=path))
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]
    x_train = reindex(x_train, start_char, index_from)
    x_test = reindex(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    sequences = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return ((as_object_array(sequences[:cut]), labels[:cut]),
            (as_object_array(sequences[cut:]), labels[cut:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The word -> index dictionary (before the `index_from` shift)."""
    with open(fetch("imdb_word_index.json", fname=path)) as file:
        return json.load(file)
