"""Compiled epochs found by what the model *is*, across models and across processes.

`jax.jit` keys its caches on the traced program: even with JAX's persistent compilation
cache warm, a new process (or a second model of the same structure) must trace and lower
a whole epoch before it can look the executable up. For the seed's model that is ~0.11 s
of a ~0.14 s warm start. Here the key is built from the model's description instead
(its layers' configurations, the optimizer's, the loss's, the metrics', the shapes and
dtypes of the arguments, the versions of layerwise, JAX and jaxlib, JAX's settings), so
a warm start deserializes the executable directly and a second model of the same
structure in one process reuses it without tracing at all.

Only models made entirely of layerwise's own code get such a key: a Lambda, a custom
layer, loss, metric or activation could change without its configuration changing.
Arrays that a layer holds outside its Variables (constants baked into the program)
also make a model ineligible. Everything else about the program is either in the key
or an argument of the program (weights, optimizer and metric state, data), and the
compiled program itself checks its arguments' shapes and dtypes on every call.

Executables are stored next to JAX's persistent cache, in a folder only the user may
write (see `cache_security`), each entry signed with a per-user key kept elsewhere and
read back without running any code it names (see `cache_store`); an entry that fails a
check is a miss. `LAYERWISE_CACHE_DIR=""` turns both caches off.

In memory at most `_MEMORY_LIMIT` (32) executables are kept, least recently used dropped
first. Measured on CPU (jaxlib 0.10.2), one training program of a small Dense model
holds ~2.5 MB of the process's memory, so the bound keeps this cache under ~100 MB
however many structures a process meets; 32 still covers the two or three programs
(train, evaluate, predict) of a dozen structures alternating in a search. A model keeps
the programs it uses in its own `CachedProgram`s, so dropping one here never costs a
live model a recompilation; it only ends sharing with models built later.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import inspect
import json
import os
import threading
import time
import types
from pathlib import Path
from typing import Any, Callable

import jax
import numpy as np

from layerwise.models.cache import security as cache_security
from layerwise.models.cache import store as cache_store
from layerwise.engine.variables import Variable

_FORMAT = 2
_MAGIC = cache_store.MAGIC
# Executables kept in this process, most recently used last (see the module docstring).
_MEMORY_LIMIT = 32
# Files kept on disk; beyond this the least recently used are removed.
_DISK_LIMIT = 512
_programs: collections.OrderedDict[str, Any] = collections.OrderedDict()

# Modules whose functions and classes may appear in an eligible model.
_LIBRARY_PREFIXES = ("layerwise.", "jax.", "jaxlib.", "numpy", "optax.", "ml_dtypes")
# Python's own types (sentinels, ranges, slices) carry no user code. Anything else from
# outside the library (a weak reference, a deque) could hide some, so it is not let in.
_HARMLESS_MODULES = ("builtins",)


# -- which models get a key ----------------------------------------------------------------
def _from_library(module: str | None) -> bool:
    return bool(module) and (module == "layerwise" or module.startswith(_LIBRARY_PREFIXES))


def library_only(root: Any, max_depth: int = 12) -> bool:
    """Whether everything reachable from `root` is layerwise's (or JAX's) code and data.

    Plain values (numbers, strings, dtypes) and Variables pass; functions, classes and
    objects must come from the library; a bare array (not in a Variable) fails, since a
    layer holding one may bake it into the program as a constant.
    """
    seen: set[int] = set()

    def visit(value: Any, depth: int) -> bool:
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes,
                                               np.dtype, np.generic, type(Ellipsis))):
            return True
        if id(value) in seen:
            return True
        seen.add(id(value))
        if depth > max_depth:
            return False
        if isinstance(value, Variable):  # its value is an argument of the program
            return visit([value.regularizer, value.constraint], depth + 1)
        if isinstance(value, (np.ndarray, jax.Array)):
            return False
        if isinstance(value, (list, tuple, set, frozenset)):
            return all(visit(item, depth + 1) for item in value)
        if isinstance(value, dict):
            return all(visit(key, depth + 1) and visit(item, depth + 1)
                       for key, item in value.items())
        if isinstance(value, functools.partial):
            return (visit(value.func, depth + 1) and visit(value.args, depth + 1)
                    and visit(value.keywords, depth + 1))
        if isinstance(value, types.MethodType):
            return visit(value.__func__, depth + 1) and visit(value.__self__, depth + 1)
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            if isinstance(value, types.FunctionType) and value.__closure__:
                if not all(visit(cell.cell_contents, depth + 1)
                           for cell in value.__closure__ if _cell_filled(cell)):
                    return False
            return _from_library(getattr(value, "__module__", None)) or (
                isinstance(value, type) and value.__module__ in _HARMLESS_MODULES)
        module = type(value).__module__
        if module in _HARMLESS_MODULES:
            return True
        if not _from_library(module):
            return False
        attributes = getattr(value, "__dict__", None)
        return attributes is None or visit(attributes, depth + 1)

    return visit(root, 0)


def _cell_filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


# -- the key -------------------------------------------------------------------------------
def library_sources() -> tuple[Path, list[Path]]:
    """The layerwise package folder and every source file in it, in a fixed order."""
    root = Path(__file__).resolve().parents[2]
    return root, sorted(root.rglob("*.py"))


@functools.lru_cache(maxsize=1)
def _source_digest() -> str:
    """A digest of layerwise's own source: any change of the library changes every key."""
    digest = hashlib.sha256()
    root, paths = library_sources()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _environment() -> dict[str, Any]:
    import jaxlib

    from layerwise import backend

    device = jax.devices()[0]
    return {
        "format": _FORMAT, "layerwise": _source_digest(), "jax": jax.__version__,
        "jaxlib": jaxlib.__version__, "platform": device.platform,
        "device_kind": device.device_kind, "devices": jax.device_count(),
        "jax_config": {name: repr(value) for name, value in sorted(jax.config.values.items())},
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "backend": [backend.epsilon(), backend.floatx(), backend.image_data_format()],
    }


def _described(obj: Any) -> Any:
    """Class and configuration; names only label logs and variables, so they are left out."""
    if obj is None:
        return None
    cls = type(obj)
    config = obj.get_config() if hasattr(obj, "get_config") else None
    if isinstance(config, dict):
        config = {key: value for key, value in config.items() if key != "name"}
    return [f"{cls.__module__}.{cls.__qualname__}", config]


def _described_optimizer(optimizer: Any) -> Any:
    """The optimizer's description without a constant learning rate: that one is an
    optimizer variable, an argument of the compiled programs, so fits that differ only in
    it (a learning-rate search in a loop) share one program. A schedule stays: its
    formula is compiled in."""
    description = _described(optimizer)
    if description is not None and isinstance(description[1], dict) and isinstance(
            description[1].get("learning_rate"), (int, float)):
        description[1] = {key: value for key, value in description[1].items()
                          if key != "learning_rate"}
    return description


def _model_description(model: Any, layers: list) -> Any:
    from layerwise.models.functional import Functional
    from layerwise.models.sequential import Sequential

    if type(model) not in (Sequential, Functional):
        return None
    config = dict(model.get_config())
    config.pop("name", None)
    if type(model) is Sequential:
        # Names do not change what a stack computes, so renamed copies share programs;
        # a functional graph refers to its layers by name, so there they stay.
        config["layers"] = [{**entry, "config": {k: v for k, v in entry["config"].items()
                                                 if k != "name"}}
                            for entry in config["layers"]]
    classes = [f"{type(layer).__module__}.{type(layer).__qualname__}" for layer in layers]
    return {"class": type(model).__qualname__, "config": config, "layer_classes": classes}


def _strict_json(value: Any) -> Any:
    """JSON for the numpy values configs hold; anything else makes the model ineligible."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.dtype):
        return str(value)
    raise TypeError(f"not part of a program key: {type(value).__name__}")


def model_fingerprint(model: Any, layers: list, loss: Any, metrics: list,
                      weighted_metrics: list, optimizer: Any) -> str | None:
    """The part of a program key that describes the model and its training set-up.

    `layers` are all of the model's layers, nested ones included. None when the model
    is not eligible (see the module docstring).
    """
    if jax.config.jax_disable_jit or not library_only(
            [layers, loss, metrics, weighted_metrics, optimizer]):
        return None
    description = _model_description(model, layers)
    if description is None:
        return None
    try:
        return json.dumps({
            "environment": _environment(), "model": description,
            "loss": _described(loss), "metrics": [_described(m) for m in metrics],
            "weighted_metrics": [_described(m) for m in weighted_metrics],
            "optimizer": _described_optimizer(optimizer),
        }, sort_keys=True, default=_strict_json)
    except (TypeError, ValueError, NotImplementedError):
        return None


def _leaf_signature(leaf: Any) -> Any:
    if isinstance(leaf, (bool, int, float)):
        return type(leaf).__name__
    return (tuple(leaf.shape), str(leaf.dtype), bool(getattr(leaf, "weak_type", False)))


def arguments_signature(args: tuple) -> tuple:
    leaves, tree = jax.tree_util.tree_flatten(args)
    return str(tree), tuple(_leaf_signature(leaf) for leaf in leaves)


# -- storing executables -------------------------------------------------------------------
def _executable_dir() -> Path | None:
    """Our folder beside JAX's cache; None when it or JAX's folder is not private to us."""
    folder = jax.config.jax_compilation_cache_dir
    if not folder:
        return None
    parent = Path(folder)
    reason = cache_security.unsafe_reason(parent) if parent.exists() else None
    if reason is not None:
        cache_security.warn_once(parent, reason)
        return None
    ours = parent / "layerwise-executables"
    return ours if cache_security.private_folder(ours) else None


def _read(path: Path, key: str) -> tuple[bytes, Any, Any] | None:
    """The verified payload and trees stored at `path` for `key`, or None."""
    secret = cache_security.signing_key()
    if secret is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    return cache_store.verified_parts(secret, key, blob)


def _write(path: Path, key: str, compiled: Any) -> None:
    try:
        secret = cache_security.signing_key()
        if secret is None:
            return
        cache_security.write_private(path, cache_store.encode_entry(secret, key, compiled))
        _prune(path.parent)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        return


# A temporary file this old was left by a killed writer (a write takes milliseconds).
_STALE_SECONDS = 3600


def _prune(folder: Path) -> None:
    for leftover in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - leftover.stat().st_mtime > _STALE_SECONDS:
                leftover.unlink()
    files = list(folder.glob("*.bin"))
    if len(files) <= _DISK_LIMIT:
        return
    files.sort(key=lambda file: file.stat().st_mtime)
    for file in files[:len(files) - _DISK_LIMIT * 3 // 4]:
        with contextlib.suppress(OSError):
            file.unlink()


def _load(path: Path, key: str) -> Any | None:
    found = _read(path, key)
    if found is None:
        return None
    payload, in_tree, out_tree = found
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by _prune
    try:
        return cache_store.load_executable(payload, in_tree, out_tree)
    except Exception:  # noqa: BLE001 - unloadable (another jaxlib, a refused name): a miss
        return None


# JAX's persistent-cache hits, counted so that an executable JAX loaded from its cache is
# never serialized again: with jaxlib 0.10.2 on CPU such a copy loses its kernels and
# fails when run ("Function wrapped_iota not found").
_cache_hits = [0]


def _count_cache_hit(event: str, **_: Any) -> None:
    if event == "/jax/compilation_cache/cache_hits":
        _cache_hits[0] += 1


jax.monitoring.register_event_listener(_count_cache_hit)


_bypass_lock = threading.Lock()
_bypass_depth = [0]
_bypass_saved: list = []


@contextlib.contextmanager
def _persistent_cache_bypassed():
    """Compile without JAX's persistent cache, so the executable can be serialized.

    Uses JAX's internal switch; if it is gone in some JAX version, nothing is bypassed
    and the hit counter above keeps broken copies out of our store. Threads compiling at
    once share one bypass: the first to enter saves JAX's state, the last to leave
    restores it.
    """
    try:
        from jax._src import compilation_cache as cache
        jax_lock = cache._cache_initialized_mutex
        cache._cache_checked, cache._cache_used  # noqa: B018 - both must exist
    except (ImportError, AttributeError):
        yield
        return
    with _bypass_lock:
        if _bypass_depth[0] == 0:
            with jax_lock:
                _bypass_saved[:] = [cache._cache_checked, cache._cache_used]
                cache._cache_checked, cache._cache_used = True, False
        _bypass_depth[0] += 1
    try:
        yield
    finally:
        with _bypass_lock:
            _bypass_depth[0] -= 1
            if _bypass_depth[0] == 0:
                with jax_lock:
                    cache._cache_checked, cache._cache_used = _bypass_saved


def _remember(key: str, compiled: Any) -> None:
    _programs[key] = compiled
    _programs.move_to_end(key)
    while len(_programs) > _MEMORY_LIMIT:
        _programs.popitem(last=False)


def _program_path(key: str) -> tuple[str, Path | None]:
    digest = hashlib.sha256(key.encode()).hexdigest()
    folder = _executable_dir()
    return digest, (folder / f"{digest[:40]}.bin" if folder is not None else None)


def _compile_and_store(jitted: Callable, args: tuple, static: dict[str, Any], key: str,
                       path: Path | None) -> Any:
    lowered = jitted.lower(*args, **static)
    hits_before = _cache_hits[0]
    with _persistent_cache_bypassed():
        compiled = lowered.compile()
    if path is not None and _cache_hits[0] == hits_before:
        _write(path, key, compiled)
    return compiled


class CachedProgram:
    """A function, jitted, whose executables are looked up by model fingerprint.

    Calls look like the function's: positional arguments, static ones by keyword.
    Without a fingerprint (an ineligible model) it is the jitted function itself.

    Args:
        static: names of the keyword arguments that are compile-time constants.
        varying: names of the arguments whose shapes may change from call to call
            (the data); the others (weights, optimizer and metric state) are fixed for
            one model, so they are left out of the per-call lookup, which must be cheap.
            A program called with other shapes than it was compiled for raises a
            TypeError before running, so a wrong guess here cannot go unnoticed.
        donated: names of the arguments the program donates (consumes).
    """

    def __init__(self, function: Callable, name: str, fingerprint: Callable[[], str | None],
                 varying: tuple[str, ...], donated: tuple[str, ...] = (),
                 static: tuple[str, ...] = ()):
        self._jitted = jax.jit(function, donate_argnames=donated, static_argnames=static)
        self._name = name
        self._fingerprint = fingerprint
        positions = {name: index for index, name in
                     enumerate(inspect.signature(function).parameters)}
        self._varying = tuple(positions[argument] for argument in varying)
        self._donated = tuple(positions[argument] for argument in donated)
        self._known: dict[tuple, Any] = {}

    def __call__(self, *args: Any, **static: Any) -> Any:
        local_key = (tuple(static.items()), tuple(
            (leaf.shape, leaf.dtype) for position in self._varying
            for leaf in jax.tree_util.tree_leaves(args[position])))
        program = self._known.get(local_key)
        if program is None:
            program, outputs = self._find(args, static)
            self._known[local_key] = program
            if outputs is not None:
                return outputs
        if program is self._jitted:
            return program(*args, **static)
        return program(*args)

    def _find(self, args: tuple, static: dict[str, Any]) -> tuple[Any, Any]:
        """The program for these arguments, and its outputs if finding it ran it."""
        fingerprint = self._fingerprint()
        if fingerprint is None:
            return self._jitted, None
        key = json.dumps([fingerprint, self._name, sorted(static.items()),
                          arguments_signature(args)], default=repr)
        digest, path = _program_path(key)
        program = _programs.get(digest)
        if program is not None:
            _programs.move_to_end(digest)
            return program, None
        outputs = None
        program = _load(path, key) if path is not None else None
        if program is not None:
            outputs = self._first_run(program, args, path)
            if outputs is None:
                program = None
        if program is None:
            program = _compile_and_store(self._jitted, args, static, key, path)
        _remember(digest, program)
        return program, outputs

    def _first_run(self, program: Any, args: tuple, path: Path) -> Any | None:
        """Run a program loaded from disk once on copies of what it would consume.

        A stored executable that fails (a damaged file, a JAX bug) is deleted and
        recompiled, and the caller's arrays are still intact. None when it failed.
        """
        trial = tuple(jax.tree_util.tree_map(lambda a: jax.device_put(a, may_alias=False), arg)
                      if position in self._donated else arg
                      for position, arg in enumerate(args))
        try:
            outputs = jax.block_until_ready(program(*trial))
        except Exception:  # noqa: BLE001 - any failure means: do not trust this file
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        for position in self._donated:  # the originals were not consumed; the copies were
            for leaf in jax.tree_util.tree_leaves(args[position]):
                if isinstance(leaf, jax.Array):
                    leaf.delete()
        return outputs
