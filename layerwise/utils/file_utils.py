"""get_file: download once into a cache folder, verify, optionally extract.

A download goes to a temporary file beside its target and is moved into place only once
complete (its length matches the server's and its hash, if given, matches), so a
half-downloaded or corrupted file is never taken for a good one.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import warnings
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any

from layerwise.utils.progbar import Progbar

_CHUNK_BYTES = 1 << 16


def keras_home() -> str:
    """`$KERAS_HOME`, else `~/.keras`: the folder Keras caches downloads under."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    """sha256 for "sha256" (or "auto" with a 64-character hash), md5 otherwise."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(path: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    hasher = resolve_hasher(algorithm) if algorithm in ("sha256", "md5") else \
        resolve_hasher("auto")
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(path: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = 65535) -> bool:
    """Whether the file's sha256 / md5 hex digest equals `file_hash`."""
    hasher = resolve_hasher(algorithm, file_hash)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest() == str(file_hash)


def _download(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    folder = os.path.dirname(target)
    handle, partial = tempfile.mkstemp(prefix=os.path.basename(target) + ".", suffix=".part",
                                       dir=folder)
    try:
        with os.fdopen(handle, "wb") as output:
            try:
                response = urllib.request.urlopen(origin, timeout=60)
            except urllib.error.HTTPError as error:
                raise Exception(f"URL fetch failure on {origin}: {error.code} -- "
                                f"{error.msg}") from None
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise Exception(f"URL fetch failure on {origin}: "
                                f"{getattr(error, 'errno', None)} -- {reason}") from None
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length is not None else None
                bar = Progbar(total) if total else None
                received = 0
                while True:
                    chunk = response.read(_CHUNK_BYTES)
                    if not chunk:
                        break
                    output.write(chunk)
                    received += len(chunk)
                    if bar is not None:
                        bar.update(received, finalize=received >= total)
            if total is not None and received != total:
                raise Exception(
                    f"URL fetch failure on {origin}: the connection closed after {received} "
                    f"of {total} bytes.")
        if file_hash is not None and not validate_file(partial, file_hash, algorithm):
            raise ValueError(
                "Incomplete or corrupted file detected. The "
                f"{resolve_hasher(algorithm, file_hash).name} file hash does not match the "
                f"provided value of {file_hash}.")
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _inside(folder: str, member: str) -> bool:
    destination = os.path.realpath(os.path.join(folder, member))
    return destination == os.path.realpath(folder) or destination.startswith(
        os.path.realpath(folder) + os.sep)


def extract_archive(path: str, destination: str, archive_format: Any = "auto") -> bool:
    """Extracts a tar (any compression) or zip archive into `destination`; members that
    would land outside it are refused. Returns whether `path` was an archive."""
    if archive_format is None:
        return False
    formats = {"auto": ("tar", "zip"), "tar": ("tar",), "zip": ("zip",)}.get(
        archive_format, tuple(archive_format) if not isinstance(archive_format, str)
        else (archive_format,))
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(path):
            opened: Any = tarfile.open(path)
            names = opened.getnames()
        elif kind == "zip" and zipfile.is_zipfile(path):
            opened = zipfile.ZipFile(path)
            names = opened.namelist()
        else:
            continue
        with opened:
            unsafe = [name for name in names if not _inside(destination, name)]
            if unsafe:
                raise ValueError(f"Refusing to extract '{path}': members {unsafe[:3]} would "
                                 "be written outside the extraction folder.")
            os.makedirs(destination, exist_ok=True)
            try:
                if kind == "tar":
                    opened.extractall(destination, filter="data")
                else:
                    opened.extractall(destination)
            except (tarfile.TarError, RuntimeError, OSError, KeyboardInterrupt):
                if os.path.exists(destination):
                    if os.path.isfile(destination):
                        os.remove(destination)
                    else:
                        shutil.rmtree(destination)
                raise
        return True
    return False


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """The local path of `origin`'s file, downloaded into `cache_dir/cache_subdir`
    (`~/.keras/datasets` by default) unless a good copy is already there; with `extract`,
    the folder it was extracted to."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to '
                         "download).")
    if cache_dir is None:
        cache_dir = keras_home()
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir)
    if not os.access(base, os.W_OK) and os.path.exists(base):
        base = os.path.join(tempfile.gettempdir(), ".keras")
    folder = os.path.join(base, cache_subdir)
    os.makedirs(folder, exist_ok=True)
    given_name = os.fspath(fname) if fname is not None else None
    name = given_name or os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. "
                         "Please specify the `fname` argument.")
    if os.sep in name:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify "
                         "the file's parent directory, use the `cache_dir` argument. "
                         f"Received: fname={name}")
    # Keras's layout: an extracted archive named "x.tar.gz" lands in "x_extracted";
    # one named without a dot in "x", downloaded as "x_archive".
    extraction_folder = None
    if extract or untar:
        if given_name and "." in name:
            target = os.path.join(folder, name)
            extraction_folder = os.path.join(folder, f"{name[:name.find('.')]}_extracted")
        else:
            extraction_folder = os.path.join(folder, name)
            target = os.path.join(folder, f"{name}_archive")
    else:
        target = os.path.join(folder, name)
    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None and not validate_file(target, file_hash,
                                                                     hash_algorithm):
        print(f"NOTE: The hash of the cached file {target} does not match the expected "
              f"value {file_hash}; downloading it again.", file=sys.stderr)
        download = True
    if download:
        print(f"Downloading data from {origin}")
        _download(origin, target, file_hash, hash_algorithm)
    if extraction_folder is not None:
        if untar:
            archive_format = "tar"
        if download or not os.path.exists(extraction_folder):
            if not extract_archive(target, extraction_folder, archive_format):
                warnings.warn("Could not extract archive.", stacklevel=2)
        return extraction_folder
    return target
