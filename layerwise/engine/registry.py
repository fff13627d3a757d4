"""Where saved configs find user code: the registry, custom-object scopes and safe mode.

A config names classes and functions only by strings. Loading turns a name back into an
object by looking it up here (or in the built-in tables of `serialization.py`); it never
imports a module or evaluates anything named in a file. The only way a file can carry
code is a Python lambda's bytecode, and that is refused unless safe mode is switched off.
"""
from __future__ import annotations

import contextvars
from typing import Any, Callable

__all__ = [
    "CustomObjectScope",
    "SafeModeScope",
    "custom_object_scope",
    "enable_unsafe_deserialization",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "in_safe_mode",
    "register_keras_serializable",
]

# "package>Name" -> object, and object -> "package>Name", filled by the decorator.
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}

_scoped_objects: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
    "layerwise_custom_objects", default={})
# None means "not set by any scope": loaders then use their own `safe_mode` argument.
_safe_mode: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "layerwise_safe_mode", default=None)
_unsafe_enabled_globally = False


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator: make a class or function loadable by name ("package>name") from configs.

    Args:
        package: the namespace part of the registered name.
        name: the short name; the object's `__name__` when omitted.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(
            "Invalid value for argument `package`. Expected a string without '>'. "
            f"Received: package={package!r}")

    def register(obj: Any) -> Any:
        short_name = name if name is not None else getattr(obj, "__name__", None)
        if not short_name:
            raise ValueError(f"Cannot register {obj!r}: it has no `__name__`; pass `name=`.")
        registered_name = f"{package}>{short_name}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register class {obj.__name__}: a class must define get_config() "
                "to be serializable.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj

    return register


def get_registered_name(obj: Any) -> str:
    """The name `obj` is saved under: "package>name" if registered, else its `__name__`."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: dict[str, Any] | None = None,
                          module_objects: dict[str, Any] | None = None) -> Any:
    """The object registered under `name`, or None.

    Looks in `custom_objects`, then the active `custom_object_scope`s, then the registry
    filled by `register_keras_serializable`, then `module_objects`.
    """
    if not isinstance(name, str):
        return None
    for table in (custom_objects, _scoped_objects.get(), _GLOBAL_CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None


def get_custom_objects() -> dict[str, Any]:
    """The global registry itself (name -> object); editing it registers objects."""
    return _GLOBAL_CUSTOM_OBJECTS


def all_custom_objects(custom_objects: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every name -> object mapping visible now, the most specific winning."""
    return {**_GLOBAL_CUSTOM_OBJECTS, **_scoped_objects.get(), **(custom_objects or {})}


class CustomObjectScope:
    """`with custom_object_scope({"MyLayer": MyLayer}):` makes these names loadable."""

    def __init__(self, *custom_objects: dict[str, Any] | None):
        self.custom_objects = {}
        for mapping in custom_objects:
            if mapping is not None and not isinstance(mapping, dict):
                raise TypeError(
                    "Invalid value for argument `custom_objects`. Expected a dict mapping "
                    f"names to objects. Received: {mapping!r}")
            self.custom_objects.update(mapping or {})
        self._token: contextvars.Token | None = None

    def __enter__(self) -> "CustomObjectScope":
        self._token = _scoped_objects.set({**_scoped_objects.get(), **self.custom_objects})
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _scoped_objects.reset(self._token)


custom_object_scope = CustomObjectScope


class SafeModeScope:
    """Within the block, loading Python bytecode is allowed only if `safe_mode` is False."""

    def __init__(self, safe_mode: bool = True):
        self.safe_mode = safe_mode
        self._token: contextvars.Token | None = None

    def __enter__(self) -> "SafeModeScope":
        self._token = _safe_mode.set(self.safe_mode)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _safe_mode.reset(self._token)


def in_safe_mode() -> bool:
    """Whether code-carrying configs must be refused right now (True unless opted out)."""
    scoped = _safe_mode.get()
    if scoped is not None:
        return scoped
    return not _unsafe_enabled_globally


def effective_safe_mode(safe_mode: bool | None) -> bool:
    """A loader's `safe_mode` argument, overridden by an enclosing scope or the global switch."""
    scoped = _safe_mode.get()
    if scoped is not None:
        return scoped
    if _unsafe_enabled_globally:
        return False
    return True if safe_mode is None else bool(safe_mode)


def enable_unsafe_deserialization() -> None:
    """Allow loading Python lambdas from files everywhere (as Keras's switch of that name)."""
    global _unsafe_enabled_globally
    _unsafe_enabled_globally = True


def lookup_by_name(kind: str, name: str, built_ins: dict[str, Any],
                   custom_objects: dict[str, Any] | None = None,
                   also_valid: tuple[str, ...] = ()) -> Any:
    """A class by name: user objects first (as in Keras), then built-ins.

    Unknown names raise a ValueError that suggests the closest valid names.
    """
    import difflib

    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    if name in built_ins:
        return built_ins[name]
    valid_names = sorted({*built_ins, *also_valid, *(custom_objects or {})})
    close = difflib.get_close_matches(name, valid_names, n=3)
    hint = (f" Did you mean {' or '.join(repr(c) for c in close)}?" if close
            else f" Valid names are: {', '.join(valid_names)}.")
    raise ValueError(f"Unknown {kind}: {name!r}.{hint}")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class ObjectFamily:
    """Names, serialization and lookup of one small Keras namespace (initializers,
    regularizers, constraints): a base class, its built-in subclasses and their names.

    Args:
        kind: the argument's name in messages, "initializer".
        base: the family's base class.
        built_in: the built-in classes, written with `module` rather than their own.
        by_name: every name a config or a user may use for a built-in.
        module: the module Keras writes for built-ins, "keras.initializers".
        also_valid: names handled before the lookup, listed in its error's hints.
    """

    def __init__(self, kind: str, base: type, built_in: tuple[type, ...],
                 by_name: dict[str, Any], module: str, also_valid: tuple[str, ...] = ()):
        self.kind = kind
        self.base = base
        self.built_in = built_in
        self.by_name = by_name
        self.module = module
        self.also_valid = also_valid

    def lookup(self, name: str, custom_objects: dict[str, Any] | None = None) -> Any:
        return lookup_by_name(self.kind, name, self.by_name, custom_objects, self.also_valid)

    def serialize(self, obj: Any) -> dict | None:
        """Keras 3's dict form: `{"module", "class_name", "config", "registered_name"}`
        (None gives None, as for an absent entry in a layer config)."""
        if obj is None:
            return None
        if not isinstance(obj, self.base):
            if callable(obj) and hasattr(obj, "__name__"):
                # A plain function, written as Keras writes one; loading needs custom_objects.
                return {"module": obj.__module__, "class_name": "function",
                        "config": get_registered_name(obj), "registered_name": "function"}
            base = self.base.__name__
            raise TypeError(
                f"Invalid type for argument `{self.kind}`. Expected {_article(base)} `{base}` "
                f"instance or a function. Received: {self.kind}={obj!r} "
                f"(of type {type(obj).__name__})")
        cls = type(obj)
        built_in = cls in self.built_in
        return {"module": self.module if built_in else cls.__module__,
                "class_name": cls.__name__, "config": obj.get_config(),
                "registered_name": None if built_in else get_registered_name(cls)}

    def deserialize(self, config: dict | str, custom_objects: dict[str, Any] | None = None
                    ) -> Any:
        """An object from `serialize`'s dict, a Keras 2 `{class_name, config}` dict, or a name."""
        if isinstance(config, str):
            found = self.lookup(config, custom_objects)
            return found() if isinstance(found, type) else found
        if not isinstance(config, dict) or "class_name" not in config:
            raise TypeError(
                "Invalid type for argument `config`. Expected a dict with a 'class_name' key "
                f"or {_article(self.kind)} {self.kind} name. Received: config={config!r}")
        name = config["class_name"]
        if name == "function" and isinstance(config.get("config"), str):
            return self.lookup(config["config"], custom_objects)
        registered_name = config.get("registered_name")
        if registered_name and get_registered_object(registered_name, custom_objects) is not None:
            # Keras files name registered user classes "package>Name" in `registered_name`.
            name = registered_name
        cls = self.lookup(name, custom_objects)
        inner = config.get("config") or {}
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)

