"""Hashing and HashedCrossing: values (strings or integers) to bins by hashing, on the host.

Keras 3 computes these with TensorFlow's string ops (and so needs TensorFlow installed,
whatever the backend); layerwise computes the same hashes in pure Python
(`fingerprints.py`) and gives the same bins, without TensorFlow.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.layers.arguments import choose
from layerwise.layers.preprocessing import fingerprints
from layerwise.layers.preprocessing.categorical import encode_categories
from layerwise.layers.preprocessing.host_layer import HostLayer

UINT64 = (1 << 64) - 1


def _as_bytes(value: Any) -> bytes:
    """The bytes TensorFlow hashes: strings as UTF-8, numbers as their decimal text (floats
    truncated to integers first, as Keras casts them)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (float, np.floating)):
        value = int(value)
    return str(int(value)).encode("ascii")


def _as_array(values: Any) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "USOiufb":
        raise TypeError(f"Expected strings or numbers to hash. Received dtype {array.dtype}")
    return array


class Hashing(HostLayer):
    """Maps each value to one of `num_bins` bins by FarmHash (or keyed SipHash when `salt`
    is given); with `mask_value`, that value gets bin 0 and the others bins 1 and up."""

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        owner = f"Hashing '{self.name}'"
        if num_bins is None or isinstance(num_bins, bool) or num_bins <= 0:
            raise ValueError(
                f"Invalid value for argument `num_bins` of {owner}. Expected a positive "
                f"integer. Received: num_bins={num_bins}")
        self.output_mode = choose(output_mode, ("int", "one_hot", "multi_hot", "count"),
                                  "output_mode", owner)
        if self.output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(
                f"{owner}: when `output_mode=\"int\"`, `dtype` should be an integer type, "
                f"'int32' or 'int64'. Received: dtype={self.dtype}")
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported by layerwise (JAX "
                             "has no sparse tensors in this API). Received: sparse=True")
        if salt is not None:
            salt = fingerprints.salt_pair(
                salt, f"Invalid value for argument `salt` of {owner}. Expected a tuple of 2 "
                f"integers, or a single integer. Received: salt={salt}")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        self.sparse = False
        self.built = True

    def _hash(self, data: bytes) -> int:
        if self.salt is None:
            return fingerprints.fingerprint64(data)
        key = (self.salt[0] & UINT64, self.salt[1] & UINT64)
        return fingerprints.siphash64(key, data)

    def bins(self, values: Any) -> np.ndarray:
        """The bin of each value, as an int64 array of the same shape."""
        array = _as_array(values)
        bins_for_hash = self.num_bins
        masked = None
        if self.mask_value is not None and self.num_bins > 1:
            bins_for_hash -= 1
            masked = array == self.mask_value
        # Categorical columns repeat their values: hash each distinct value once.
        try:
            distinct, positions = np.unique(array.ravel(), return_inverse=True)
        except TypeError:  # an object array of mixed types: hash every value
            distinct, positions = array.ravel(), np.arange(array.size)
        hashed = np.asarray([self._hash(_as_bytes(value)) % bins_for_hash
                             for value in distinct.tolist()], "int64")
        result = hashed[positions.ravel()].reshape(array.shape) if array.size else \
            np.zeros(array.shape, "int64")
        if masked is not None:
            result = np.where(masked, 0, result + 1)
        return result

    def call(self, inputs: Any) -> Any:
        array = _as_array(inputs)
        if self.output_mode == "one_hot" and array.ndim and array.shape[-1] == 1:
            array = array[..., 0]
        ids = self.bins(array)
        if self.output_mode == "int":
            return jnp.asarray(ids, jax.dtypes.canonicalize_dtype(self.dtype))
        return encode_categories(jnp.asarray(ids, "int32"), self.num_bins, self.output_mode,
                                 dtype=self.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if not shape:
            return (self.num_bins,)
        return shape[:-1] + (self.num_bins,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


class HashedCrossing(HostLayer):
    """Crosses two or more categorical features (strings or integers) into one id in
    `[0, num_bins)`: each combination of values hashes to its own bin."""

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        owner = f"HashedCrossing '{self.name}'"
        if num_bins is None or isinstance(num_bins, bool) or num_bins <= 0:
            raise ValueError(
                f"Invalid value for argument `num_bins` of {owner}. Expected a positive "
                f"integer. Received: num_bins={num_bins}")
        self.output_mode = choose(output_mode, ("int", "one_hot"), "output_mode", owner)
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` can only be used with the TensorFlow "
                             "backend. Received: sparse=True")
        self.num_bins = int(num_bins)
        self.sparse = False
        self.built = True

    def _checked(self, inputs: Any) -> list[np.ndarray]:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "`HashedCrossing` should be called on a list or tuple of inputs. "
                f"Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(
                "`HashedCrossing` should be called on at least two inputs. "
                f"Received: inputs={inputs}")
        arrays = [np.asarray(feature) for feature in inputs]
        first = arrays[0].shape
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(
                "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                f"`(batch_size, 1)`. Received: inputs={inputs}")
        if any(array.shape != first for array in arrays[1:]):
            raise ValueError(
                f"All `HashedCrossing` inputs should have equal shape. Received: inputs={inputs}")
        if any(array.dtype.kind not in "iuUSO" for array in arrays):
            raise ValueError(
                "All `HashedCrossing` inputs should have an integer or string dtype. "
                f"Received: inputs={inputs}")
        return arrays

    @staticmethod
    def _feature_fingerprint(value: Any) -> int:
        # Strings are fingerprinted; integers enter the cross as their own 64-bit pattern.
        if isinstance(value, (str, bytes)):
            return fingerprints.fingerprint64(_as_bytes(value))
        return int(value) & UINT64

    def cross(self, features: list[np.ndarray]) -> np.ndarray:
        """The crossed bin of each row of the features (all of one shape)."""
        shape = features[0].shape
        columns = [feature.ravel().tolist() for feature in features]
        result = np.empty(len(columns[0]), "int64")
        for row, values in enumerate(zip(*columns)):
            crossed = fingerprints.DEFAULT_CROSS_KEY
            for value in values:
                crossed = fingerprints.concatenate_fingerprints(
                    crossed, self._feature_fingerprint(value))
            result[row] = crossed % self.num_bins
        return result.reshape(shape)

    def call(self, inputs: Any) -> Any:
        ids = self.cross(self._checked(inputs))
        if self.output_mode == "int":
            return jnp.asarray(ids, jax.dtypes.canonicalize_dtype(self.dtype))
        return encode_categories(jnp.asarray(ids, "int32"), self.num_bins, "one_hot",
                                 dtype=self.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2 or not all(
                isinstance(shape, (list, tuple)) for shape in input_shape):
            raise ValueError("Expected as input a list/tuple of 2 tensors. "
                             f"Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            return first[:-1] + (self.num_bins,)
        return first + (self.num_bins,)

    def get_config(self) -> dict[str, Any]:
        # Keras writes this layer's config flat: no `trainable`, the dtype as a plain name.
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}
