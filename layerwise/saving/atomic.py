"""Writing a file so that readers see either the old file or the complete new one.

The new content goes to a temporary file in the target's own folder (so the final rename
never crosses file systems), is flushed to disk, and only then replaces the target with
`os.replace`, which is atomic. Any exception on the way (a full disk, a bug, Ctrl-C)
deletes the temporary file and leaves an existing target byte-for-byte intact.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Iterator

__all__ = ["ask_to_proceed_with_overwrite", "atomic_write"]


@contextlib.contextmanager
def atomic_write(filepath: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces `filepath`."""
    target = os.path.abspath(os.fspath(filepath))
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
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
