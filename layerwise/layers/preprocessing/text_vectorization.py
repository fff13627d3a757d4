"""TextVectorization: raw strings to token ids or bag-of-words vectors, on the host.

Standardize (lowercase, strip punctuation), split (whitespace or characters), form
n-grams, then look each token up in a StringLookup whose mask token is "" (id 0, the
padding of "int" outputs) and OOV token "[UNK]".
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import jax.numpy as jnp
import numpy as np

from layerwise.layers.arguments import choose
from layerwise.layers.preprocessing.host_layer import HostLayer
from layerwise.layers.preprocessing.lookup import StringLookup
from layerwise.layers.preprocessing.adapt_data import batches_of

# The ASCII punctuation Keras strips (the `,-.` in its class is the range , - .).
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def standardize_text(text: str, standardize: Any) -> str:
    if standardize in ("lower", "lower_and_strip_punctuation"):
        text = text.lower()
    if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
        text = _PUNCTUATION.sub("", text)
    if callable(standardize):
        text = standardize(text)
    return text


def ngrams_of(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """All n-grams of each width in turn (unigrams first), joined by a space."""
    grams: list[str] = []
    for width in widths:
        grams.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
    return grams


class TextVectorization(HostLayer):
    """Turns a batch of strings into token ids ("int", padded with 0) or one vector per
    string ("multi_hot", "count", "tf_idf")."""

    def __init__(self, max_tokens: int | None = None,
                 standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False,
                 vocabulary: Any = None, idf_weights: Any = None, sparse: bool = False,
                 ragged: bool = False, encoding: str = "utf-8", name: str | None = None,
                 **kwargs: Any):
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        owner = f"TextVectorization '{self.name}'"
        if standardize is not None and not callable(standardize):
            standardize = choose(standardize, _STANDARDIZE, "standardize", owner)
        if split is not None and not callable(split):
            split = choose(split, _SPLIT, "split", owner)
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        output_mode = choose(output_mode, ("int", "multi_hot", "count", "tf_idf"),
                             "output_mode", owner)
        if isinstance(ngrams, bool) or not (
                ngrams is None or isinstance(ngrams, int) and ngrams > 0 or
                isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) and n > 0
                                                          for n in ngrams)):
            raise ValueError(
                "`ngrams` must be None, an integer, or a tuple of integers. Received: "
                f"ngrams={ngrams}")
        if output_mode == "int" and output_sequence_length is not None and (
                not isinstance(output_sequence_length, int) or output_sequence_length < 1):
            raise ValueError(
                "`output_sequence_length` must be a positive integer. Received: "
                f"output_sequence_length={output_sequence_length}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}.")
        if ragged:
            raise ValueError(f"{owner}: `ragged=True` is not supported by layerwise (no "
                             "ragged arrays). Received: ragged=True")
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = list(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngrams = (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int)
                        else tuple(ngrams) if ngrams is not None else None)
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._ragged = False
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, mask_token="", oov_token="[UNK]", vocabulary=vocabulary,
            idf_weights=idf_weights, output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, encoding=encoding,
            name=f"{self.name}_lookup")
        self.built = True

    # -- tokenizing ----------------------------------------------------------------------
    def _strings(self, inputs: Any) -> list[str]:
        array = np.asarray(inputs)
        if array.ndim == 0:
            array = array[None]
        if array.ndim > 1:
            if array.shape[-1] != 1 or array.ndim > 2:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input rank "
                    "must be 1 or the last shape dimension must be 1. Received: "
                    f"inputs.shape={array.shape} with rank={array.ndim}")
            array = array[:, 0]
        return [item.decode(self._encoding) if isinstance(item, bytes) else str(item)
                for item in array.tolist()]

    def tokenize(self, inputs: Any) -> list[list[str]]:
        """Each string standardized, split and turned into n-grams (on the host)."""
        documents = []
        for text in self._strings(inputs):
            text = standardize_text(text, self._standardize)
            if self._split == "whitespace":
                tokens = text.split()
            elif self._split == "character":
                tokens = list(text)
            elif callable(self._split):
                tokens = list(self._split(text))
            else:
                tokens = [text]
            if self._ngrams is not None:
                tokens = ngrams_of(tokens, self._ngrams)
            documents.append(tokens)
        return documents

    # -- vocabulary ----------------------------------------------------------------------
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learns the vocabulary (and idf weights) from strings: an array, a list, or an
        iterable of batches."""
        def documents() -> Iterable[list[str]]:
            for batch in batches_of(data):
                yield from self.tokenize(batch)
        self._lookup_layer.adapt_documents(documents())

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # -- calling -------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        lookup = self._lookup_layer
        lookup._check_ready()
        documents = self.tokenize(inputs)
        if self._output_mode != "int":
            return jnp.asarray(lookup.encode_rows(documents))
        rows = [lookup.lookup_ids(document) for document in documents]
        length = self._output_sequence_length
        if length is None:
            length = max((len(row) for row in rows), default=0)
        ids = np.zeros((len(rows), length), "int32")
        for i, row in enumerate(rows):
            row = row[:length]
            ids[i, :len(row)] = row
        return jnp.asarray(ids)

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch = tuple(input_shape)[:1]
        if self._output_mode == "int":
            return batch + (self._output_sequence_length,)
        return batch + (self._lookup_layer.depth(),)

    # -- saving --------------------------------------------------------------------------
    def save_own_variables(self, store: dict) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store: dict) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

    def get_config(self) -> dict[str, Any]:
        lookup = self._lookup_layer
        return {**super().get_config(), "max_tokens": lookup.max_tokens,
                "standardize": self._standardize, "split": self._split,
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": lookup.sparse,
                "ragged": self._ragged, "vocabulary": lookup.input_vocabulary,
                "idf_weights": lookup.input_idf_weights, "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}
