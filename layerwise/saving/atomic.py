"""Writing a file so that readers see either the old file or the complete new one.

The new content goes to a temporary file in the target's own folder (so the final rename
never crosses file systems), is flushed to disk, and only then replaces the target with
`os.replace`, which is atomic. Any exception on the way (a full disk, a bug, Ctrl-C)
deletes the temporary file and leaves an existing target byte-for-byte intact.

A writer killed outright (SIGKILL, a power cut) cannot delete its temporary file, so
every save and load first removes the stale ones beside its target. A temporary file is
named `.<target>.<host>-<pid>.<random>.tmp` after the process writing it, and it is
stale when that process is gone: a process on this host that no longer runs. Its age
alone would not do: a save of a large model by another live process can take minutes,
and a process started after it began would delete the file it is writing. Files from
another host sharing the folder are left for a day, since their writer cannot be asked;
files of the older `.<target>.<random>.tmp` pattern (no writer named) go once they are
older than this process. Nothing else in the folder is touched.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import tempfile
import time
from typing import Iterator

__all__ = ["ask_to_proceed_with_overwrite", "atomic_write", "remove_stale_temporaries"]

_PROCESS_START = time.time()  # when this module was imported: near enough the start
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_OTHER_HOST_STALE_SECONDS = 24 * 3600


@contextlib.contextmanager
def atomic_write(filepath: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces `filepath`."""
    target = os.path.abspath(os.fspath(filepath))
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporaries(target)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.{_HOST}-{os.getpid()}.", suffix=".tmp",
        dir=folder)
    os.close(descriptor)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, _permissions_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def remove_stale_temporaries(filepath: str | os.PathLike) -> list[str]:
    """Delete the temporary files of killed saves of `filepath`; return their paths."""
    target = os.path.abspath(os.fspath(filepath))
    folder, name = os.path.split(target)
    ours = re.compile(rf"\.{re.escape(name)}\.(?:(?P<host>[0-9a-f]{{8}})-(?P<pid>\d+)\.)?"
                      r"[A-Za-z0-9_]{8}\.tmp")
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for entry in entries:
        found = ours.fullmatch(entry)
        path = os.path.join(folder, entry)
        if found is None or not _stale(path, found["host"], found["pid"]):
            continue
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed.append(path)
    return removed


def _stale(path: str, host: str | None, pid: str | None) -> bool:
    try:
        modified = os.lstat(path).st_mtime
    except OSError:
        return False
    if host is None:  # the older pattern names no writer
        return modified < _PROCESS_START
    if host != _HOST:
        return time.time() - modified > _OTHER_HOST_STALE_SECONDS
    return not _running(int(pid))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, but belongs to someone else
    return True


def _permissions_for(target: str) -> int:
    """Keep an existing file's permissions; give a new one the usual umask-based mode."""
    if os.path.exists(target):
        return os.stat(target).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def ask_to_proceed_with_overwrite(filepath: str | os.PathLike) -> bool:
    """Ask on the terminal whether to overwrite `filepath` (what Keras does for overwrite=False)."""
    answer = input(f"[WARNING] {os.fspath(filepath)} already exists - overwrite? [y/n]")
    while answer.strip().lower() not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    if answer.strip().lower() == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True
