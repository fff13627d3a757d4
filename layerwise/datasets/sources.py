"""Where each dataset file comes from, its checksum, and fetching it into the cache.

The sources and checksums are the ones Keras 3 uses, so a file Keras already downloaded
into `~/.keras/datasets` (or `$KERAS_HOME/datasets`) is reused as is. Setting
`LAYERWISE_DATASETS_ORIGIN` to a base URL fetches every file from there instead (a mirror,
or a local fixture server in CI).
"""
from __future__ import annotations

import io
import os
import pickle
import zipfile
from typing import Any, NamedTuple

import numpy as np

from layerwise.utils.file_utils import get_file, keras_home

_KERAS_BUCKET = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_TORONTO = "https://www.cs.toronto.edu/~kriz/"
ORIGIN_VARIABLE = "LAYERWISE_DATASETS_ORIGIN"


class Source(NamedTuple):
    origin: str
    file_hash: str | None


SOURCES: dict[str, Source] = {
    "mnist.npz": Source(_KERAS_BUCKET + "mnist.npz",
                        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
    # Keras checks no hash for the four Fashion-MNIST files.
    "train-labels-idx1-ubyte.gz": Source(_KERAS_BUCKET + "train-labels-idx1-ubyte.gz", None),
    "train-images-idx3-ubyte.gz": Source(_KERAS_BUCKET + "train-images-idx3-ubyte.gz", None),
    "t10k-labels-idx1-ubyte.gz": Source(_KERAS_BUCKET + "t10k-labels-idx1-ubyte.gz", None),
    "t10k-images-idx3-ubyte.gz": Source(_KERAS_BUCKET + "t10k-images-idx3-ubyte.gz", None),
    "cifar-10-python.tar.gz": Source(
        _TORONTO + "cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
    "cifar-100-python.tar.gz": Source(
        _TORONTO + "cifar-100-python.tar.gz",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
    "imdb.npz": Source(_KERAS_BUCKET + "imdb.npz",
                       "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_word_index.json": Source(_KERAS_BUCKET + "imdb_word_index.json",
                                   "bfafd718b763782e994055a2d397834f"),
    "reuters.npz": Source(_KERAS_BUCKET + "reuters.npz",
                          "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    "reuters_word_index.json": Source(_KERAS_BUCKET + "reuters_word_index.json",
                                      "4d44cc38712099c9e383dc6e5f11a921"),
    "boston_housing.npz": Source(
        _KERAS_BUCKET + "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
    "california_housing.npz": Source(
        _KERAS_BUCKET + "california_housing.npz",
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"),
}


def _origin(source_name: str) -> str:
    mirror = os.environ.get(ORIGIN_VARIABLE)
    if mirror:
        return mirror.rstrip("/") + "/" + source_name
    return SOURCES[source_name].origin


def fetch(source_name: str, fname: str | None = None, cache_subdir: str = "datasets",
          extract: bool = False) -> str:
    """The cached path of a dataset file (downloaded and checked on first use); offline,
    an error naming the file to download and where to put it."""
    source = SOURCES[source_name]
    origin = _origin(source_name)
    fname = fname or source_name
    try:
        return get_file(fname, origin, file_hash=source.file_hash, cache_subdir=cache_subdir,
                        extract=extract)
    except ValueError:
        raise
    except Exception as error:
        folder = os.path.join(keras_home(), cache_subdir)
        target = os.path.join(folder, fname if not extract or "." in fname
                              else f"{fname}_archive")
        checksum = f" (sha256/md5 {source.file_hash})" if source.file_hash else ""
        raise OSError(
            f"Could not download the dataset file {source_name} from {origin}: {error}. "
            f"Without network access, download {SOURCES[source_name].origin} on another "
            f"machine and put it at {target}{checksum}; it will be used from there.") from None


# -- reading files safely -------------------------------------------------------------
_NUMPY_GLOBALS = frozenset({("numpy", "ndarray"), ("numpy", "dtype"),
                            ("numpy.core.multiarray", "_reconstruct"),
                            ("numpy._core.multiarray", "_reconstruct")})


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays, and refuses any other class (a
    tampered dataset file cannot run code)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays are "
            "expected. The file may be corrupted or malicious.")


def _read_member(stream: Any) -> np.ndarray:
    try:
        return np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError:
        stream.seek(0)
        major, _ = np.lib.format.read_magic(stream)
        if major == 1:
            np.lib.format.read_array_header_1_0(stream)
        else:
            np.lib.format.read_array_header_2_0(stream)
        return NumpyOnlyUnpickler(stream).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """The arrays of an `.npz` file; object arrays (ragged sequences) unpickle with
    NumpyOnlyUnpickler."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                arrays[member[:-4]] = _read_member(io.BytesIO(archive.read(member)))
    return arrays


def load_pickle(path: str) -> Any:
    with open(path, "rb") as file:
        return NumpyOnlyUnpickler(file, encoding="bytes").load()


def split_shuffled(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> tuple:
    """Keras's housing split: a RandomState(seed) shuffle, the first (1 - test_split)
    for training."""
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between "
                         "0 and 1 (exclusive of 1).")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
