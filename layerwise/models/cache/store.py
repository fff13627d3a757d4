"""The on-disk form of a cached executable: signed, checked, and read without running code.

An entry is

    MAGIC | HMAC-SHA256 (32 bytes) | header length (8 bytes, big-endian) | JSON header | payload

The HMAC (key from `cache_security.signing_key`) covers everything after it and the magic
line, and is checked before any byte of the entry is interpreted. The JSON header holds
the full program key (so an entry signed for another key, copied over this one, is a
miss) and the argument and result tree structures, written as plain JSON (tuples, lists,
dicts, None, and named tuples defined by layerwise, optax or JAX). The payload is JAX's
serialized executable; JAX writes it with pickle, so it is read back through an
unpickler that resolves only the few JAX classes an executable is made of and refuses
every other name: even a validly signed entry cannot call `os.system` on load.
"""
from __future__ import annotations

import importlib
import io
import json
import pickle
from typing import Any

import jax
from jax.tree_util import PyTreeDef

from layerwise.models.cache import security as cache_security

MAGIC = b"layerwise-executable 2\n"
_MAC_BYTES = 32
_LENGTH_BYTES = 8

# Everything a serialized single-device executable refers to by name (jaxlib 0.10).
# A name outside this list fails the load, which only costs a recompilation.
_ALLOWED_GLOBALS = frozenset({
    ("jax", "P"),
    ("jax._src.core", "ManualAxisType"),
    ("jax._src.core", "MemorySpace"),
    ("jax._src.core", "ShapedArray"),
    ("jax._src.interpreters.pxla", "AllArgsInfo"),
    ("jax._src.interpreters.pxla", "UnloadedMeshExecutable"),
    ("jax._src.layout", "Layout"),
    ("jax._src.linear_util", "DebugInfo"),
    ("jax._src.mesh", "AbstractMesh"),
    ("jax._src.named_sharding", "_unpickle_named_sharding"),
    ("jax._src.sharding_impls", "_unpickle_single_device_sharding"),
    ("jax._src.stages", "ArgInfo"),
    ("jaxlib._jax", "DeviceList"),
    ("numpy", "dtype"),
})
# Modules whose named tuples may appear in a program's argument or result structure.
_TREE_MODULES = ("layerwise.", "optax.", "jax.")


class UnsupportedEntry(ValueError):
    """This program cannot be stored in our format (it is then simply not cached)."""


# -- tree structures as JSON ---------------------------------------------------------------
def encode_tree(treedef: PyTreeDef) -> Any:
    node = treedef.node_data()
    if node is None:
        return "*"
    kind, auxiliary = node
    children = [encode_tree(child) for child in treedef.children()]
    if kind is type(None):
        return ["None"]
    if kind in (tuple, list):
        return [kind.__name__, children]
    if kind is dict:
        if not all(isinstance(name, (str, int)) and not isinstance(name, bool)
                   for name in auxiliary):
            raise UnsupportedEntry("dict keys other than strings and integers")
        return ["dict", list(auxiliary), children]
    if _is_named_tuple(kind) and kind.__module__.startswith(_TREE_MODULES):
        return ["namedtuple", kind.__module__, kind.__qualname__, children]
    raise UnsupportedEntry(f"a pytree node of type {kind.__qualname__}")


def decode_tree(encoded: Any) -> PyTreeDef:
    registry = jax.tree_util.default_registry
    if encoded == "*":
        return jax.tree_util.tree_structure(0)
    if not isinstance(encoded, list) or not encoded:
        raise ValueError("malformed tree")
    kind = encoded[0]
    if kind == "None":
        return jax.tree_util.tree_structure(None)
    if kind in ("tuple", "list"):
        children = [decode_tree(child) for child in encoded[1]]
        return PyTreeDef.from_node_data_and_children(
            registry, (tuple if kind == "tuple" else list, None), children)
    if kind == "dict":
        children = [decode_tree(child) for child in encoded[2]]
        return PyTreeDef.from_node_data_and_children(registry, (dict, encoded[1]), children)
    if kind == "namedtuple":
        cls = _named_tuple_class(encoded[1], encoded[2])
        children = [decode_tree(child) for child in encoded[3]]
        return PyTreeDef.from_node_data_and_children(registry, (cls, None), children)
    raise ValueError(f"unknown tree node {kind!r}")


def _is_named_tuple(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields")


def _named_tuple_class(module: str, qualname: str) -> type:
    if not isinstance(module, str) or not module.startswith(_TREE_MODULES):
        raise ValueError(f"named tuple from module {module!r}")
    found: Any = importlib.import_module(module)
    for part in str(qualname).split("."):
        found = getattr(found, part)
    if not _is_named_tuple(found):
        raise ValueError(f"{module}.{qualname} is not a named tuple")
    return found


# -- whole entries -------------------------------------------------------------------------
def encode_entry(secret: bytes, key: str, compiled: Any) -> bytes:
    from jax.experimental.serialize_executable import serialize

    payload, in_tree, out_tree = serialize(compiled)
    header = json.dumps({"key": key, "in_tree": encode_tree(in_tree),
                         "out_tree": encode_tree(out_tree)}).encode()
    body = len(header).to_bytes(_LENGTH_BYTES, "big") + header + payload
    return MAGIC + cache_security.signature(secret, MAGIC + body) + body


def verified_parts(secret: bytes, key: str, blob: bytes) -> tuple[bytes, Any, Any] | None:
    """The payload and trees of a genuine entry for `key`; None for anything else."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _MAC_BYTES + _LENGTH_BYTES:
        return None
    claimed = blob[len(MAGIC):len(MAGIC) + _MAC_BYTES]
    body = blob[len(MAGIC) + _MAC_BYTES:]
    if not cache_security.verified(secret, MAGIC + body, claimed):
        return None
    length = int.from_bytes(body[:_LENGTH_BYTES], "big")
    try:
        header = json.loads(body[_LENGTH_BYTES:_LENGTH_BYTES + length])
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        in_tree, out_tree = decode_tree(header["in_tree"]), decode_tree(header["out_tree"])
    except (ValueError, KeyError, TypeError, AttributeError, ImportError, IndexError):
        return None
    return body[_LENGTH_BYTES + length:], in_tree, out_tree


def load_executable(payload: bytes, in_tree: PyTreeDef, out_tree: PyTreeDef) -> Any:
    """Rebuild and load a verified executable; unpickles only `_ALLOWED_GLOBALS`."""
    from jax._src.interpreters import pxla
    from jax.experimental import serialize_executable

    class RestrictedUnpickler(serialize_executable._JaxPjrtUnpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) not in _ALLOWED_GLOBALS:
                raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
            return super().find_class(module, name)

    backend = jax.devices()[0].client
    unloaded, arguments_info, no_keywords = RestrictedUnpickler(
        io.BytesIO(payload), backend, backend.devices()).load()
    if not isinstance(unloaded, pxla.UnloadedMeshExecutable):
        raise pickle.UnpicklingError("not an executable")
    return jax.stages.Compiled(unloaded.load(), [], in_tree.unflatten(arguments_info),
                               out_tree, no_kwargs=no_keywords)
