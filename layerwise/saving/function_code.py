"""Python functions in configs: by name when possible, as bytecode for lambdas.

A lambda has no name to look up, so Keras stores its marshalled bytecode (base64), its
defaults and the values of its closure. Turning that back into a function runs code from
the file, so `load_function_code` is only reached when safe mode is off, and
`refuse_code` is what every loader calls otherwise.
"""
from __future__ import annotations

import builtins
import codecs
import marshal
import types
from typing import Any, Callable

__all__ = ["dump_function_code", "is_code_config", "load_function_code", "refuse_code"]

LAMBDA_CLASS_NAME = "__lambda__"


def dump_function_code(function: types.FunctionType) -> tuple[str, Any, Any]:
    """`(base64 bytecode, defaults, closure values)`, the triple Keras writes for a lambda."""
    code = codecs.encode(marshal.dumps(function.__code__), "base64").decode("ascii")
    closure = None
    if function.__closure__:
        closure = tuple(cell.cell_contents for cell in function.__closure__)
    return code, function.__defaults__, closure


def load_function_code(code: Any, defaults: Any = None, closure: Any = None) -> Callable:
    """Rebuild a function from `dump_function_code`'s triple. This executes file content."""
    if isinstance(code, (list, tuple)):  # the whole triple in one value (older files)
        code, defaults, closure = code
    raw = codecs.decode(code.encode("ascii"), "base64")
    code_object = marshal.loads(raw)
    cells = None if closure is None else tuple(types.CellType(value) for value in closure)
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    import jax
    import jax.numpy as jnp
    import numpy as np

    # What a Keras-saved lambda may reasonably refer to; nothing is imported on its behalf.
    namespace = {"__builtins__": builtins, "jax": jax, "jnp": jnp, "np": np}
    return types.FunctionType(code_object, namespace, code_object.co_name, defaults, cells)


def is_code_config(config: Any) -> bool:
    """Whether `config` is a serialized lambda (Keras 3 dict form)."""
    return isinstance(config, dict) and config.get("class_name") == LAMBDA_CLASS_NAME


def refuse_code(where: str) -> ValueError:
    """The error for a file that carries Python bytecode while safe mode is on."""
    return ValueError(
        f"Refusing to load {where}: it contains a Python lambda stored as bytecode, and "
        "deserializing it would execute code from the file. This is disallowed by default "
        "(safe_mode=True). If you trust the source of the file, pass `safe_mode=False` to "
        "the loading function, or call "
        "`layerwise.saving.enable_unsafe_deserialization()`.")
