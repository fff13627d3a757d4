"""Who may write the folders whose files we later load as native code, and a key to sign them.

A compiled program read back from disk runs as the user who reads it, so a cache folder
that someone else can write is a way for them to run code as us. The rules here:

- our folders are created 0700 and our files 0600, whatever the umask;
- a folder that is not ours, or that group or others may write, is refused: the caller
  runs without the cache, after one warning naming the folder;
- every stored program is signed with an HMAC whose key lives in a 0600 file in the
  user's configuration folder (`$LAYERWISE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/layerwise`,
  else `~/.config/layerwise`), never beside the cache, so a shared cache folder alone is
  not enough to forge an entry.

Ownership and modes are POSIX ideas; where the platform has no `os.geteuid` (Windows),
folders are not checked and only the signature protects the cache.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import threading
import warnings
from pathlib import Path

KEY_FILE_NAME = "program-cache.key"
_KEY_BYTES = 32
_warned: set[str] = set()
_warned_lock = threading.Lock()


def warn_once(folder: Path, reason: str) -> None:
    """One warning per folder and process: the cache is off there, and why."""
    with _warned_lock:
        if str(folder) in _warned:
            return
        _warned.add(str(folder))
    warnings.warn(f"layerwise does not use the cache folder {folder}: {reason}. It runs "
                  "without that cache; make the folder yours and not writable by others "
                  "(chmod 700) to enable it.", RuntimeWarning, stacklevel=3)


def unsafe_reason(path: Path) -> str | None:
    """Why others could write `path` (not owned by us, group or world writable), or None."""
    if not hasattr(os, "geteuid"):
        return None
    try:
        info = os.stat(path)
    except OSError as error:
        return f"it cannot be examined ({error.strerror})"
    if info.st_uid != os.geteuid():
        return f"it is owned by user id {info.st_uid}, not by the current user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others may write to it (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def private_folder(folder: Path, warn: bool = True) -> bool:
    """Create `folder` (and missing parents) 0700; whether it is safe to load code from.

    An existing folder keeps its mode: widening or narrowing it is the user's call, and a
    folder others could already write may already hold their files.
    """
    folder = Path(folder)
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made by another process meanwhile; checked below like any folder
        except OSError:
            return False
        with contextlib.suppress(OSError):
            os.chmod(candidate, 0o700)  # a umask such as 0o277 would have removed bits
    reason = unsafe_reason(folder)
    if reason is None and not os.access(folder, os.W_OK | os.X_OK):
        return False
    if reason is not None:
        if warn:
            warn_once(folder, reason)
        return False
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically as a 0600 file (the folder must be private)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            _owner_only(file)
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _owner_only(file) -> None:
    """0600 whatever the umask (os.open's mode is filtered by it); no-op off POSIX."""
    if hasattr(os, "fchmod"):
        os.fchmod(file.fileno(), 0o600)


def config_dir() -> Path:
    configured = os.environ.get("LAYERWISE_CONFIG_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "layerwise"


def signing_key() -> bytes | None:
    """The per-user secret that signs cache entries, made on first use; None if unsafe."""
    folder = config_dir()
    if not private_folder(folder):
        return None
    path = folder / KEY_FILE_NAME
    if not path.exists():
        with contextlib.suppress(FileExistsError, OSError):
            _create_key(path)
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise OSError("not a regular file")
        if hasattr(os, "geteuid") and (info.st_uid != os.geteuid() or info.st_mode & 0o077):
            warn_once(path, "the key file is readable or writable by others, or not ours")
            return None
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def _create_key(path: Path) -> None:
    # Written beside, then linked into place: a process racing us sees no key or a
    # whole one, never an empty file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            _owner_only(file)
            file.write(secrets.token_bytes(_KEY_BYTES))
        os.link(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def signature(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def verified(key: bytes, data: bytes, claimed: bytes) -> bool:
    return hmac.compare_digest(signature(key, data), claimed)
