"""Vocabulary lookups: StringLookup and IntegerLookup map tokens to ids (or back), one-hot,
multi-hot, count or tf-idf vectors.

These run on the host with numpy: a vocabulary is a Python dict, and the tokens (strings,
or integer ids before the model sees them) usually come from outside the compiled
program; in a model, `fit` applies them to the data before the compiled part (see
host_layer.py). Keras 3 needs TensorFlow for these layers; layerwise does not.
"""
from __future__ import annotations

import collections
import os
from typing import Any, Iterable, Sequence

import jax.numpy as jnp
import numpy as np

from layerwise.layers.arguments import choose
from layerwise.layers.preprocessing import fingerprints
from layerwise.layers.preprocessing.adapt_data import batches_of
from layerwise.layers.preprocessing.host_layer import HostLayer

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
VOCABULARY_FILENAME = "vocabulary.txt"


def _listify(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)):
        return value
    return np.asarray(value).tolist()


class IndexLookup(HostLayer):
    """What StringLookup and IntegerLookup share: the vocabulary, its special tokens
    (mask at id 0 in "int" mode, then the OOV ids), `adapt` by frequency, and encoding."""

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary: Any, idf_weights: Any, invert: bool,
                 output_mode: str, pad_to_max_tokens: bool, sparse: bool,
                 vocabulary_dtype: str, oov_method: str = "floormod", salt: Any = None,
                 vocabulary_size: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        self.output_mode = choose(output_mode, OUTPUT_MODES, "output_mode", owner)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                f"Invalid value for argument `max_tokens` of {owner}. Expected None or an "
                f"integer greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                "If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(
                "`num_oov_indices` must be greater than or equal to 0. Received: "
                f"num_oov_indices={num_oov_indices}")
        oov_method = choose(oov_method, ("floormod", "farmhash"), "oov_method", owner)
        if salt is not None:
            if vocabulary_dtype != "string" and oov_method != "farmhash":
                raise ValueError("`salt` can only be used when `oov_method='farmhash'`. "
                                 f"Received: oov_method={oov_method}")
            salt = fingerprints.salt_pair(
                salt, "The `salt` argument for `IndexLookup` can only be a tuple of size 2 "
                f"integers, or a single integer. Received: salt={salt}.")
        if invert and self.output_mode != "int":
            raise ValueError(
                "`output_mode` must be `'int'` when `invert` is true. Received: "
                f"output_mode={output_mode}")
        if idf_weights is not None and self.output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"idf_weights={idf_weights} and output_mode={output_mode}")
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported by layerwise. "
                             "Received: sparse=True")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse = False
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = _listify(vocabulary)
        self.input_idf_weights = _listify(idf_weights)
        self._tokens: list = []
        self._index: dict = {}
        self.idf_weights = None
        if vocabulary is not None:
            self.set_vocabulary(self._read_vocabulary(vocabulary), idf_weights)
        self.built = True

    # -- the vocabulary ---------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _standardize_token(self, token: Any) -> Any:
        raise NotImplementedError

    def _read_vocabulary(self, vocabulary: Any) -> list:
        if isinstance(vocabulary, (str, os.PathLike)):
            if not os.path.isfile(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            with open(vocabulary, encoding="utf-8") as file:
                lines = file.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            return [self._standardize_token(line) for line in lines]
        return [self._standardize_token(token) for token in np.ravel(np.asarray(vocabulary))]

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (special tokens may lead it, in their places) and, in
        "tf_idf" mode, the idf weights of its tokens."""
        tokens = self._read_vocabulary(vocabulary) if not isinstance(vocabulary, list) \
            else [self._standardize_token(t) for t in vocabulary]
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        special = ([self.mask_token] if self._oov_start_index() else []) + \
            [self.oov_token] * self.num_oov_indices
        leads_with_special = tokens[:len(special)] == special and len(special) > 0
        if leads_with_special:
            tokens = tokens[len(special):]
        for reserved, what in ((self.mask_token, "mask"), (self.oov_token, "OOV")):
            if reserved is not None and reserved in tokens:
                raise ValueError(
                    f"Found reserved {what} token at unexpected location in `vocabulary`. "
                    "Note that passed `vocabulary` does not need to include the OOV and "
                    f"mask tokens. Either remove all mask and OOV tokens, or include them "
                    f"only at the start of the vocabulary. Received: {what}_token="
                    f"{reserved}, vocabulary={vocabulary}")
        if len(set(tokens)) != len(tokens):
            repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify "
                f"your dataset. The repeated terms are: {repeated}")
        if self.max_tokens is not None and len(tokens) + self._token_start_index() > \
                self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. "
                f"Received vocabulary size is {len(tokens) + self._token_start_index()}; "
                f"`max_tokens` is {self.max_tokens}.")
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        if self.output_mode == "tf_idf":
            weights = np.asarray(idf_weights, "float32").ravel()
            if len(weights) == len(self._tokens) + start and start > 0:
                # Weights given for the special ids too are kept as given.
                self._set_idf(weights[start:], special=weights[:start])
                return
            if len(weights) != len(self._tokens):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. "
                    f"len(idf_weights) is {len(weights)}; len(vocabulary) is "
                    f"{len(self._tokens)}")
            self._set_idf(weights)

    def _set_idf(self, token_weights: np.ndarray, special: Any = None) -> None:
        # Unless given, the special ids get the mean weight of the real tokens (their true
        # document frequency is unknown); pad_to_max_tokens pads the end with zeros.
        if special is None:
            mean = float(np.mean(token_weights)) if len(token_weights) else 0.0
            special = np.full(self._token_start_index(), mean, "float32")
        weights = np.concatenate([np.asarray(special, "float32"),
                                  token_weights.astype("float32")])
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, self.max_tokens - len(weights)))
        self.idf_weights = weights

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The tokens in id order (with the mask and OOV tokens first, by default)."""
        if not include_special_tokens:
            return list(self._tokens)
        special = ([self.mask_token] if self._oov_start_index() else []) + \
            [self.oov_token] * self.num_oov_indices
        return special + list(self._tokens)

    def vocabulary_size(self) -> int:
        """The number of ids, special ones included."""
        return self._token_start_index() + len(self._tokens)

    # -- adapt ---------------------------------------------------------------------------
    def _documents(self, data: Any) -> Iterable[list]:
        """Each sample's tokens (a row of a batch; a scalar sample is one token)."""
        for batch in batches_of(data):
            batch = np.asarray(batch)
            if batch.ndim == 0:
                batch = batch[None]
            if batch.ndim == 1:
                batch = batch[:, None]
            for row in batch.reshape(batch.shape[0], -1):
                yield [self._standardize_token(token) for token in row]

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learns the vocabulary from `data`: tokens by descending frequency (ties by
        descending token), at most `max_tokens` ids in all; and in "tf_idf" mode the idf
        weights `log(1 + documents / (1 + documents containing the token))`."""
        self.adapt_documents(self._documents(data))

    def adapt_documents(self, documents: Iterable[Sequence]) -> None:
        counts: collections.Counter = collections.Counter()
        document_counts: collections.Counter = collections.Counter()
        num_documents = 0
        for document in documents:
            counts.update(document)
            document_counts.update(set(document))
            num_documents += 1
        for reserved in (self.mask_token, self.oov_token):
            counts.pop(reserved, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:max(self.max_tokens - self._token_start_index(), 0)]
        self._tokens = [token for token, _ in ranked]
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        if self.output_mode == "tf_idf":
            frequencies = np.array([document_counts[t] for t in self._tokens], "float64")
            self._set_idf(np.log(1.0 + num_documents / (1.0 + frequencies)))

    # -- lookup --------------------------------------------------------------------------
    def lookup_ids(self, tokens: Sequence) -> np.ndarray:
        """The id of each token (mask -> 0 in "int" mode, unknown -> the OOV id; -1 for a
        mask token in the other modes, which count no id for it)."""
        oov_id = self._oov_start_index()
        ids = np.empty(len(tokens), "int64")
        for position, token in enumerate(tokens):
            if self.mask_token is not None and token == self.mask_token:
                ids[position] = 0 if self.output_mode == "int" else -1
                continue
            found = self._index.get(token)
            if found is None:
                if self.num_oov_indices == 0:
                    raise ValueError(
                        f"{type(self).__name__} '{self.name}': found the out-of-vocabulary "
                        f"token {token!r} with `num_oov_indices=0`.")
                found = oov_id + self._oov_bucket(token)
            ids[position] = found
        return ids

    def _oov_bucket(self, token: Any) -> int:
        """Which of the OOV ids an unknown token takes (0 with a single one): integers by
        floor modulo, or any token by FarmHash (SipHash with `salt`), as Keras spreads them."""
        if self.num_oov_indices <= 1:
            return 0
        if isinstance(token, int) and self.oov_method != "farmhash":
            return token % self.num_oov_indices
        data = str(token).encode(getattr(self, "encoding", "utf-8"))
        if self.salt is None:
            return fingerprints.fingerprint64(data) % self.num_oov_indices
        key = (self.salt[0] & fingerprints.MASK, self.salt[1] & fingerprints.MASK)
        return fingerprints.siphash64(key, data) % self.num_oov_indices

    def depth(self) -> int:
        """The width of the one-hot, multi-hot, count and tf-idf vectors."""
        if self.pad_to_max_tokens:
            return self.max_tokens
        return self.vocabulary_size()

    def encode_rows(self, rows: Sequence[Sequence]) -> np.ndarray:
        """multi_hot / count / tf_idf vectors, one per row of tokens."""
        depth = self.depth()
        output = np.zeros((len(rows), depth), "float32")
        for row_index, row in enumerate(rows):
            ids = self.lookup_ids(list(row))
            ids = ids[ids >= 0]
            np.add.at(output[row_index], ids, 1.0)
        if self.output_mode == "multi_hot":
            output = np.minimum(output, 1.0)
        elif self.output_mode == "tf_idf":
            output = output * self.idf_weights[:depth]
        return output

    def _check_ready(self) -> None:
        if self.output_mode == "tf_idf" and self.idf_weights is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' in 'tf_idf' mode needs a vocabulary "
                "with idf weights: call `adapt` or pass `vocabulary` and `idf_weights`.")

    def call(self, inputs: Any) -> Any:
        self._check_ready()
        array = np.asarray(inputs)
        if self.invert:
            return self._invert(array)
        flat = [self._standardize_token(token) for token in array.ravel()]
        if self.output_mode == "int":
            return jnp.asarray(self.lookup_ids(flat).reshape(array.shape).astype("int32"))
        if self.output_mode == "one_hot":
            if array.ndim > 1 and array.shape[-1] == 1:
                array = array[..., 0]
            ids = self.lookup_ids(flat).reshape(array.shape)
            one_hot = (ids[..., None] == np.arange(self.depth())).astype("float32")
            return jnp.asarray(one_hot)
        squeeze = array.ndim <= 1
        rows = array.reshape(1, -1) if squeeze else array.reshape(-1, array.shape[-1])
        rows = [[self._standardize_token(t) for t in row] for row in rows]
        encoded = self.encode_rows(rows)
        if squeeze:
            return jnp.asarray(encoded[0])
        return jnp.asarray(encoded.reshape(array.shape[:-1] + (encoded.shape[-1],)))

    def _invert(self, ids: np.ndarray) -> np.ndarray:
        vocabulary = self.get_vocabulary()
        tokens = [vocabulary[i] if 0 <= i < len(vocabulary) else self.oov_token
                  for i in np.asarray(ids).ravel().tolist()]
        return np.array(tokens, dtype=object).reshape(np.shape(ids))

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_mode == "int":
            return input_shape
        shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                return shape[:-1] + (self.depth(),)
            return shape + (self.depth(),)
        return shape[:-1] + (self.depth(),)

    # -- saving --------------------------------------------------------------------------
    def save_own_variables(self, store: dict) -> None:
        if self.output_mode == "tf_idf":
            store["idf_weights"] = np.asarray(self.idf_weights, "float32")

    def load_own_variables(self, store: dict) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], "float32")

    def save_assets(self, dir_path: str) -> None:
        """Writes `vocabulary.txt` (one token a line, special tokens included) unless the
        vocabulary was given in the config, as Keras does."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, VOCABULARY_FILENAME), "w", encoding="utf-8") as file:
            file.write("\n".join(str(token) for token in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, VOCABULARY_FILENAME), encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        idf = self.idf_weights
        self.set_vocabulary([self._standardize_token(line) for line in lines],
                            idf if self.output_mode == "tf_idf" else None)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "idf_weights": self.input_idf_weights, "vocabulary": self.input_vocabulary,
                "vocabulary_size": self.vocabulary_size(), "oov_method": self.oov_method,
                "salt": self.salt}


class StringLookup(IndexLookup):
    """Maps strings to ids from a vocabulary given or learned by `adapt` (or ids back to
    strings with `invert=True`)."""

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]",
                 vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, encoding: str = "utf-8", name: str | None = None,
                 salt: Any = None, **kwargs: Any):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         "string", salt=salt, name=name, **kwargs)

    def _standardize_token(self, token: Any) -> Any:
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        if isinstance(token, np.str_):
            return str(token)
        return token if isinstance(token, str) else str(token)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Maps integer tokens to contiguous ids from a vocabulary given or learned by `adapt`
    (or back with `invert=True`)."""

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1,
                 vocabulary: Any = None, vocabulary_dtype: str = "int64",
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False,
                 name: str | None = None, **kwargs: Any):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(
                "Invalid value for argument `vocabulary_dtype` of IntegerLookup. Expected "
                f"'int32' or 'int64'. Received: vocabulary_dtype={vocabulary_dtype}")
        if (mask_token is not None and mask_token < 0) or (
                oov_token is not None and oov_token < -1):
            raise ValueError(
                "`mask_token` must be >= 0 and `oov_token` must be >= -1. Received: "
                f"mask_token={mask_token}, oov_token={oov_token}")
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         vocabulary_dtype, name=name, **kwargs)

    def _standardize_token(self, token: Any) -> Any:
        return int(token)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if config["vocabulary"] is not None and not isinstance(config["vocabulary"], str):
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
