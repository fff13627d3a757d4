"""`save_model` / `load_model` / `save_weights` / `load_weights`: pick the format by suffix.

`.keras` is the Keras 3 zip; `.weights.h5` is Keras 3's weights file; `.h5` / `.hdf5`
are Keras 2's (legacy) HDF5 files. Arguments and errors follow Keras 3's.
"""
from __future__ import annotations

import json
import os
import warnings
from typing import Any

import h5py
import jax

from layerwise.saving import keras_archive, legacy_h5, weights_h5
from layerwise.saving.atomic import (ask_to_proceed_with_overwrite, atomic_write,
                                     remove_stale_temporaries)
from layerwise.saving.serialization import deserialize_keras_object

__all__ = ["load_model", "load_weights", "model_from_json", "save_model", "save_weights"]

_LEGACY_SUFFIXES = (".h5", ".hdf5")


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
               zipped: bool | None = None, **kwargs: Any) -> None:
    """Save a model (architecture, weights, optimizer state) to a `.keras` or legacy `.h5` file.

    The file is written next to its target and renamed over it only when complete, so a
    failed save leaves any existing file untouched.
    """
    if jax.process_index() != 0:  # in a cluster, process 0 alone writes (see distribution)
        return
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    path = os.fspath(filepath)
    if save_format and not path.endswith((".keras",) + _LEGACY_SUFFIXES):
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3. Please remove this argument "
            "and pass a file path with either `.keras` or `.h5` extension. Received: "
            f"save_format={save_format}")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if zipped is False:
        raise NotImplementedError("save_model: `zipped=False` (saving to a folder) is not "
                                  "supported; save to a `.keras` file.")
    if os.path.exists(path) and not overwrite and not ask_to_proceed_with_overwrite(path):
        return
    if path.endswith(".keras"):
        keras_archive.save_model(model, path)
    elif path.endswith(_LEGACY_SUFFIXES):
        warnings.warn(
            "You are saving your model as an HDF5 file via `model.save()`. This file format "
            "is considered legacy. We recommend using instead the native Keras format, e.g. "
            "`model.save('my_model.keras')`.", stacklevel=3)
        legacy_h5.save_legacy_model(model, path, include_optimizer=include_optimizer)
    else:
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension "
            "for the native Keras format (recommended) or a `.h5` extension. "
            f"Received: filepath={path}.")


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:
    """Load a model saved with `model.save()` (`.keras`, or legacy Keras 2 `.h5`).

    Args:
        custom_objects: name -> class or function for user objects that were not
            registered with `register_keras_serializable`.
        compile: compile the model as it was saved (optimizer state included).
        safe_mode: refuse files whose config carries Python bytecode (lambdas).
    """
    path = os.fspath(filepath)
    remove_stale_temporaries(path)
    if path.endswith(".keras"):
        return keras_archive.load_model(path, custom_objects, compile, safe_mode)
    if path.endswith(_LEGACY_SUFFIXES):
        return legacy_h5.load_legacy_model(path, custom_objects, compile, safe_mode)
    raise ValueError(
        f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` "
        "files and legacy H5 format files (`.h5` extension).")


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
                 max_shard_size: Any = None) -> None:
    """Save the model's weights (and optimizer state) to a `.weights.h5` file, atomically."""
    if jax.process_index() != 0:
        return
    path = os.fspath(filepath)
    if max_shard_size is not None:
        raise NotImplementedError("save_weights: `max_shard_size` (sharded weights) is not "
                                  "supported.")
    if not path.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building "
                         "the model first by calling it on some data or by using `build()`.")
    if os.path.exists(path) and not overwrite and not ask_to_proceed_with_overwrite(path):
        return
    with atomic_write(path) as temporary:
        with h5py.File(temporary, "w") as h5_file:
            weights_h5.write_weights(model, h5_file)


def load_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False,
                 **kwargs: Any) -> None:
    """Load weights from a `.weights.h5`, `.keras` or legacy `.h5` file into `model`.

    All values are checked before any is assigned: on error the model is unchanged.
    """
    path = os.fspath(filepath)
    remove_stale_temporaries(path)
    by_name = kwargs.pop("by_name", None)
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if objects_to_skip is not None:
        raise NotImplementedError("load_weights: `objects_to_skip` is not supported.")
    legacy = path.endswith(_LEGACY_SUFFIXES) and not path.endswith(".weights.h5")
    if by_name is not None and not legacy:
        raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                         f"Received: {path}")
    if path.endswith((".keras", ".weights.h5")) and not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by "
                         "using `build()`.")
    if path.endswith(".keras"):
        keras_archive.load_weights(model, path, skip_mismatch=skip_mismatch)
    elif path.endswith(".weights.h5"):
        _load_weights_h5(model, path, skip_mismatch)
    elif legacy:
        legacy_h5.load_legacy_weights(model, path, skip_mismatch=skip_mismatch,
                                      by_name=bool(by_name))
    else:
        raise ValueError(
            f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` "
            "files, `.weights.h5` files, or legacy H5 format files (`.h5` extension).")


def _load_weights_h5(model: Any, path: str, skip_mismatch: bool) -> None:
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}.")
    try:
        h5_file = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"The file '{path}' is not a readable HDF5 file (truncated or "
                         f"corrupted?): {error}") from None
    with h5_file:
        if "vars" not in h5_file and "layers" not in h5_file and \
                legacy_h5.is_legacy_weights_file(h5_file):
            raise ValueError(f"The file '{path}' is a Keras 2 (legacy) weights file; rename "
                             "it to end in `.h5` to load it.")
        try:
            plan = weights_h5.read_weights(model, h5_file, path, skip_mismatch=skip_mismatch)
        except (OSError, KeyError) as error:
            raise ValueError(f"The file '{path}' is corrupted: {error}") from None
    plan.apply()


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """A model (new weights) from `model.to_json()`'s string (Keras 3 or Keras 2 JSON)."""
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as error:
        raise ValueError(f"model_from_json: the string is not valid JSON ({error}).") from None
    except RecursionError:
        raise ValueError("model_from_json: the JSON string is nested too deeply to be a "
                         "model config.") from None
    if isinstance(config, dict) and "module" not in config:
        return legacy_h5._model_from_legacy_config(config, custom_objects, True,
                                                   "the JSON string")
    return deserialize_keras_object(config, custom_objects=custom_objects)
