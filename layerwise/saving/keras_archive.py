"""The `.keras` file: a zip of `metadata.json`, `config.json` and `model.weights.h5`.

Entries are stored uncompressed (ZIP_STORED) and in that order, as Keras writes them, so
files move both ways between layerwise and Keras 3. Saving is atomic (see `atomic.py`).
Loading checks the archive before building anything: it must be a complete zip, hold the
entries above, declare sane sizes (no zip bombs), parse as JSON and HDF5, and carry no
Python bytecode unless `safe_mode=False`. Only a fully loaded model is returned.
"""
from __future__ import annotations

import datetime
import io
import json
import os
import warnings
import zipfile
from typing import Any

import h5py

from layerwise.engine.layer import Layer
from layerwise.engine.registry import effective_safe_mode
from layerwise.saving import weights_h5
from layerwise.saving.atomic import atomic_write
from layerwise.saving.function_code import refuse_code
from layerwise.version import __version__
from layerwise.saving.serialization import (deserialize_keras_object, find_code,
                                            serialize_keras_object)

__all__ = ["load_model", "load_weights", "save_model"]

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# The Keras release whose format we write; Keras reads the file, not this number.
KERAS_FORMAT_VERSION = "3.15.1"

# A member that expands to more than this many times its stored size, and past this
# floor, is a decompression bomb rather than a model (Keras writes members uncompressed).
_ZIP_MEMBER_MAX_EXPANSION = 100
_ZIP_MEMBER_BOMB_FLOOR_BYTES = 1 << 26
# JSON members are parsed in memory: no real model config comes near this size.
_JSON_MEMBER_MAX_BYTES = 1 << 28


def _metadata() -> str:
    return json.dumps({
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "layerwise_version": __version__,
    })


# -- saving -----------------------------------------------------------------------------
def save_model(model: Any, filepath: str | os.PathLike) -> None:
    """Write `model` (config, weights, optimizer state) to a `.keras` file, atomically."""
    if not str(filepath).endswith(".keras"):
        raise ValueError("Invalid `filepath` argument: expected a `.keras` extension. "
                         f"Received: filepath={filepath}")
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not "
                      "contain any weights yet. Consider building the model first by calling "
                      "it on some data.", stacklevel=3)
    # Everything that can fail on the model's side happens before the file is touched.
    config_json = json.dumps(serialize_keras_object(model))
    weights = io.BytesIO()
    with h5py.File(weights, "w") as h5_file:
        weights_h5.write_weights(model, h5_file)
    with atomic_write(filepath) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILENAME, _metadata())
            archive.writestr(CONFIG_FILENAME, config_json)
            archive.writestr(WEIGHTS_FILENAME, weights.getvalue())


# -- loading ----------------------------------------------------------------------------
def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:
    """The model saved in a `.keras` file, with its weights and optimizer state."""
    with _open_archive(filepath) as archive:
        config = _read_json(archive, CONFIG_FILENAME, filepath)
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"The file '{filepath}' is not a valid .keras file: its "
                             f"{CONFIG_FILENAME} does not describe a model.")
        if effective_safe_mode(safe_mode):
            where = find_code(config)
            if where is not None:
                raise _code_refused(filepath, where)
        with _open_weights(archive, filepath) as h5_file:
            if not compile:
                config = {**config, "compile_config": None}
            try:
                model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
            except (ValueError, TypeError, NotImplementedError) as error:
                raise type(error)(f"Could not rebuild the model saved in '{filepath}': "
                                  f"{error}") from error
            _check_is_model(model, filepath)
            _read_weights(model, h5_file, filepath).apply()
    return model


def load_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False) -> None:
    """Load only the weights (and optimizer state) stored in a `.keras` file."""
    with _open_archive(filepath) as archive:
        with _open_weights(archive, filepath) as h5_file:
            plan = _read_weights(model, h5_file, filepath, skip_mismatch)
    plan.apply()


def _read_weights(model: Any, h5_file: h5py.File, path: Any,
                  skip_mismatch: bool = False) -> weights_h5.WeightAssignment:
    try:
        return weights_h5.read_weights(model, h5_file, f"{path}:{WEIGHTS_FILENAME}",
                                       skip_mismatch=skip_mismatch)
    except (OSError, KeyError) as error:
        raise ValueError(f"The file '{path}' is corrupted: its weights cannot be read "
                         f"({error}).") from None


def _open_archive(filepath: str | os.PathLike) -> zipfile.ZipFile:
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    if os.path.isdir(path):
        raise ValueError(f"'{path}' is a directory, not a `.keras` file.")
    try:
        archive = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile as error:
        raise ValueError(f"The file '{path}' is not a valid .keras file: it is not a complete "
                         f"zip archive (truncated or corrupted?): {error}") from None
    try:
        names = archive.namelist()
        for required in (CONFIG_FILENAME, WEIGHTS_FILENAME):
            if required not in names:
                if required == WEIGHTS_FILENAME and "model.weights.npz" in names:
                    raise ValueError(f"The file '{path}' stores its weights as npz "
                                     "(weights_format='npz'), which layerwise cannot read.")
                raise ValueError(f"The file '{path}' is not a valid .keras file: the entry "
                                 f"'{required}' is missing (entries: {names}).")
        for info in archive.infolist():
            _reject_zip_bomb(info, path)
    except BaseException:
        archive.close()
        raise
    return archive


def _reject_zip_bomb(info: zipfile.ZipInfo, path: str) -> None:
    limit = _JSON_MEMBER_MAX_BYTES if info.filename.endswith(".json") else None
    expands_too_much = (info.file_size > _ZIP_MEMBER_BOMB_FLOOR_BYTES and
                        info.file_size > _ZIP_MEMBER_MAX_EXPANSION * max(info.compress_size, 1))
    if expands_too_much or (limit is not None and info.file_size > limit):
        raise ValueError(
            f"Not allowed: the entry '{info.filename}' of '{path}' declares "
            f"{info.file_size} bytes but stores only {info.compress_size}; refusing to load "
            "a potential decompression bomb.")


def _read_member(archive: zipfile.ZipFile, name: str, path: Any) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise ValueError(f"The file '{path}' is corrupted: cannot read its entry '{name}' "
                         f"({error}).") from None


def _read_json(archive: zipfile.ZipFile, name: str, path: Any) -> Any:
    raw = _read_member(archive, name, path)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The file '{path}' is corrupted: its entry '{name}' is not valid "
                         f"JSON ({error}).") from None


class _open_weights:
    """Context manager: the archive's HDF5 weights, read into memory and opened."""

    def __init__(self, archive: zipfile.ZipFile, path: Any):
        raw = _read_member(archive, WEIGHTS_FILENAME, path)
        try:
            self.h5_file = h5py.File(io.BytesIO(raw), "r")
        except OSError as error:
            raise ValueError(f"The file '{path}' is corrupted: its entry '{WEIGHTS_FILENAME}' "
                             f"is not a readable HDF5 file ({error}).") from None

    def __enter__(self) -> h5py.File:
        return self.h5_file

    def __exit__(self, *exc_info: Any) -> None:
        self.h5_file.close()


def _check_is_model(model: Any, path: Any) -> None:
    if not isinstance(model, Layer):
        raise ValueError(f"The file '{path}' does not describe a model: its config gives a "
                         f"{type(model).__name__}.")


def _code_refused(path: Any, where: str) -> ValueError:
    return refuse_code(f"the file '{path}' ({where})")
