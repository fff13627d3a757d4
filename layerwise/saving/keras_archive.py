"""The `.keras` file: a zip of `metadata.json`, `config.json` and `model.weights.h5`.

Entries are stored uncompressed (ZIP_STORED) and in that order, as Keras writes them, so
files move both ways between layerwise and Keras 3. Saving is atomic (see `atomic.py`).
Loading checks the archive before building anything: it must be a complete zip, hold the
entries above, declare sane sizes (no zip bombs), parse as JSON and HDF5, and carry no
Python bytecode unless `safe_mode=False`. Only a fully loaded model is returned.

Nothing is read whole into memory on trust: JSON entries are read with a cap, an
uncompressed weights entry (what Keras and layerwise write) is read by HDF5 in place
inside the archive, and a compressed one (a file re-zipped by hand) is inflated in
chunks into a temporary file, counting bytes against its declared size and a cap.
"""
from __future__ import annotations

import datetime
import io
import struct
import tempfile
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
# JSON members are parsed in memory: real configs are kilobytes, a huge one a few MB.
_JSON_MEMBER_MAX_BYTES = 1 << 26
# A compressed member is inflated to a temporary file; past this it is refused. Keras
# and layerwise store members uncompressed, and those are read in place with no cap but
# the archive's own size: only a model re-zipped with compression meets this limit.
_COMPRESSED_MEMBER_MAX_BYTES = 1 << 29
_CHUNK_BYTES = 1 << 20


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
    assets = _collect_assets(model)
    with atomic_write(filepath) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILENAME, _metadata())
            archive.writestr(CONFIG_FILENAME, config_json)
            archive.writestr(WEIGHTS_FILENAME, weights.getvalue())
            for name, content in assets:
                archive.writestr(name, content)


# -- assets -----------------------------------------------------------------------------
# Objects with Keras's `save_assets(dir)` / `load_assets(dir)` hooks (vocabularies) keep
# files under `assets/<object path>/` in the archive, as Keras does.
_ASSETS = "assets"


def _collect_assets(model: Any) -> list[tuple[str, bytes]]:
    entries = []
    for path, obj in weights_h5.saveables(model):
        if not hasattr(obj, "save_assets"):
            continue
        with tempfile.TemporaryDirectory() as folder:
            obj.save_assets(folder)
            for root, _, files in os.walk(folder):
                for name in sorted(files):
                    relative = os.path.relpath(os.path.join(root, name), folder)
                    with open(os.path.join(root, name), "rb") as file:
                        member = "/".join(part for part in (_ASSETS, path, relative) if part)
                        entries.append((member.replace(os.sep, "/"), file.read()))
    return entries


def _load_assets(model: Any, archive: zipfile.ZipFile, filepath: Any) -> None:
    names = [n for n in archive.namelist() if n.startswith(_ASSETS + "/")]
    if not names:
        return
    for path, obj in weights_h5.saveables(model):
        if not hasattr(obj, "load_assets"):
            continue
        prefix = "/".join(part for part in (_ASSETS, path) if part) + "/"
        own = [n for n in names if n.startswith(prefix) and not n.endswith("/")
               and "/" not in n[len(prefix):] and n[len(prefix):] not in (".", "..")]
        if not own:
            continue
        with tempfile.TemporaryDirectory() as folder:
            for name in own:
                with open(os.path.join(folder, name[len(prefix):]), "wb") as file:
                    file.write(_read_member(archive, name, filepath))
            obj.load_assets(folder)


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
        _load_assets(model, archive, filepath)
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
    declared = info.file_size
    expands_too_much = (declared > _ZIP_MEMBER_BOMB_FLOOR_BYTES and
                        declared > _ZIP_MEMBER_MAX_EXPANSION * max(info.compress_size, 1))
    if info.filename.endswith(".json"):
        limit = _JSON_MEMBER_MAX_BYTES
    elif info.compress_type != zipfile.ZIP_STORED:
        limit = _COMPRESSED_MEMBER_MAX_BYTES
    else:
        limit = None
    if expands_too_much:
        raise ValueError(
            f"Not allowed: the entry '{info.filename}' of '{path}' declares "
            f"{declared} bytes but stores only {info.compress_size}; refusing to load "
            "a potential decompression bomb.")
    if limit == _JSON_MEMBER_MAX_BYTES and declared > limit:
        raise ValueError(f"Not allowed: the entry '{info.filename}' of '{path}' declares "
                         f"{declared} bytes, over the limit of {limit} bytes for a JSON "
                         "entry.")
    if limit is not None and declared > limit:
        raise ValueError(
            f"Not allowed: the entry '{info.filename}' of '{path}' declares {declared} "
            f"bytes (stored compressed in {info.compress_size}), over the limit of "
            f"{limit} bytes for such an entry; refusing to load a potential decompression "
            "bomb. (Keras writes entries uncompressed; re-zip the file with ZIP_STORED.)")
    if info.compress_type == zipfile.ZIP_STORED and declared != info.compress_size:
        raise ValueError(f"The file '{path}' is corrupted: its uncompressed entry "
                         f"'{info.filename}' declares {declared} bytes but stores "
                         f"{info.compress_size}.")


def _read_member(archive: zipfile.ZipFile, name: str, path: Any) -> bytes:
    """A JSON member's bytes, read no further than the JSON cap whatever its header says."""
    limit = _JSON_MEMBER_MAX_BYTES
    try:
        with archive.open(name) as member:
            raw = member.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise ValueError(f"The file '{path}' is corrupted: cannot read its entry '{name}' "
                         f"({error}).") from None
    if len(raw) > limit:
        raise ValueError(f"Not allowed: the entry '{name}' of '{path}' holds more than "
                         f"{limit} bytes.")
    return raw


def _read_json(archive: zipfile.ZipFile, name: str, path: Any) -> Any:
    raw = _read_member(archive, name, path)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The file '{path}' is corrupted: its entry '{name}' is not valid "
                         f"JSON ({error}).") from None
    except RecursionError:
        raise ValueError(f"The file '{path}' is not a valid .keras file: its entry "
                         f"'{name}' is nested too deeply to be a model config.") from None


class _MemberWindow(io.RawIOBase):
    """The bytes of one uncompressed zip entry, read in place from the archive's file."""

    def __init__(self, file: Any, start: int, size: int):
        self.file, self.start, self.size, self.position = file, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        wanted = max(0, min(len(buffer), self.size - self.position))
        self.file.seek(self.start + self.position)
        data = self.file.read(wanted)
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


def _stored_member_start(file: Any, info: zipfile.ZipInfo) -> int:
    """Where an entry's data begins: after its local header, whose lengths may differ
    from the central directory's."""
    file.seek(info.header_offset)
    header = file.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ValueError("bad local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_length + extra_length


class _open_weights:
    """Context manager: the archive's HDF5 weights, opened without reading them whole."""

    def __init__(self, archive: zipfile.ZipFile, path: Any):
        info = archive.getinfo(WEIGHTS_FILENAME)
        self.resources: list = []
        try:
            if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1:
                file = open(archive.filename, "rb")
                self.resources.append(file)
                source: Any = _MemberWindow(file, _stored_member_start(file, info),
                                            info.file_size)
            else:
                source = self._inflated(archive, info, path)
            self.h5_file = h5py.File(source, "r")
        except (OSError, ValueError, zipfile.BadZipFile, EOFError, RuntimeError) as error:
            self.close()
            if isinstance(error, ValueError) and "Not allowed" in str(error):
                raise
            raise ValueError(f"The file '{path}' is corrupted: its entry '{WEIGHTS_FILENAME}' "
                             f"is not a readable HDF5 file ({error}).") from None

    def _inflated(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Any) -> Any:
        temporary = tempfile.TemporaryFile(prefix="layerwise-weights-")
        self.resources.append(temporary)
        limit = min(info.file_size, _COMPRESSED_MEMBER_MAX_BYTES)
        with archive.open(info) as member:
            written = 0
            while chunk := member.read(_CHUNK_BYTES):
                written += len(chunk)
                if written > limit:
                    raise ValueError(f"Not allowed: the entry '{info.filename}' of '{path}' "
                                     f"inflates past {limit} bytes.")
                temporary.write(chunk)
        temporary.seek(0)
        return temporary

    def close(self) -> None:
        if hasattr(self, "h5_file"):
            self.h5_file.close()
        for resource in reversed(self.resources):
            resource.close()

    def __enter__(self) -> h5py.File:
        return self.h5_file

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _check_is_model(model: Any, path: Any) -> None:
    if not isinstance(model, Layer):
        raise ValueError(f"The file '{path}' does not describe a model: its config gives a "
                         f"{type(model).__name__}.")


def _code_refused(path: Any, where: str) -> ValueError:
    return refuse_code(f"the file '{path}' ({where})")
