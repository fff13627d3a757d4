"""JAX's persistent compilation cache, on by default so a second process skips compiling.

Small programs (a whole training epoch of a small model) compile in ~0.8 s on our CPUs and
load from the cache in ~0.05 s, but JAX caches only programs that took over a second to
compile unless told otherwise; so the thresholds are lowered too.
The folder is `$LAYERWISE_CACHE_DIR`, else `~/.cache/layerwise/jax`; setting
`LAYERWISE_CACHE_DIR=""` turns the cache off, and so does a folder we cannot write.
JAX's cache holds native code that it loads without checking who wrote it, so the folder
is created 0700 and a folder that others can write (or that is not ours) is refused with
a warning, and the cache left off (see `cache_security`).
"""
from __future__ import annotations

import os
from pathlib import Path

import jax

from layerwise.models.cache import security as cache_security


def default_cache_dir() -> Path | None:
    configured = os.environ.get("LAYERWISE_CACHE_DIR")
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "layerwise" / "jax"


def enable_compile_cache() -> Path | None:
    """Point JAX's persistent cache at our folder unless the user configured JAX's own."""
    if jax.config.jax_compilation_cache_dir:
        # The user's own choice for JAX: kept, but a folder others can write is named.
        configured = Path(jax.config.jax_compilation_cache_dir)
        reason = cache_security.unsafe_reason(configured) if configured.exists() else None
        if reason is not None:
            cache_security.warn_once(configured, reason)
        return configured
    folder = default_cache_dir()
    if folder is None or not cache_security.private_folder(folder):
        return None
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    return folder
