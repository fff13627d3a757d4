"""Where saved configs find user code: the registry, custom-object scopes, safe mode, and
`Namespace`, the one way every Keras namespace (activations, initializers, losses, ...)
names its objects and implements its `get`, `serialize` and `deserialize`.

A config names classes and functions only by strings. Loading turns a name back into an
object by looking it up here (or in the built-in tables of `serialization.py`); it never
imports a module or evaluates anything named in a file. The only way a file can carry
code is a Python lambda's bytecode, and that is refused unless safe mode is switched off.
"""
from __future__ import annotations

import contextvars
import difflib
from typing import Any, Callable, Mapping

__all__ = [
    "CustomObjectScope",
    "Namespace",
    "SafeModeScope",
    "custom_object_scope",
    "enable_unsafe_deserialization",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "in_safe_mode",
    "namespace",
    "public_dir",
    "register_keras_serializable",
    "unknown_identifier_error",
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


def unknown_identifier_error(kind: str, identifier: Any, known: Any = ()) -> ValueError:
    """The error every namespace raises for an identifier it cannot resolve (Keras's type
    and opening words), with the closest valid names as a hint."""
    names = sorted({name for name in known if isinstance(name, str)})
    close = difflib.get_close_matches(identifier, names, n=3) if isinstance(identifier, str) \
        else []
    if close:
        hint = f" Did you mean {' or '.join(repr(name) for name in close)}?"
    elif names and isinstance(identifier, str):
        hint = f" Valid names are: {', '.join(names)}."
    else:
        hint = ""
    return ValueError(f"Could not interpret {kind} identifier: {identifier!r}.{hint}")


def public_dir(names: list[str]) -> Callable[[], list[str]]:
    """A namespace module's `__dir__`: its public map only, not the submodules and
    helpers it imports (they stay importable as attributes)."""
    return lambda: list(names)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


# Keras module name ("keras.losses") -> its Namespace, filled as the namespaces are imported.
_NAMESPACES: dict[str, "Namespace"] = {}


def namespace(module: str) -> "Namespace":
    """The namespace Keras writes as `module` in configs ("keras.losses")."""
    return _NAMESPACES[module]


class Namespace:
    """The objects of one Keras namespace (`keras.losses`, ...): how they are found by
    name, written to configs and rebuilt from them.

    Names resolve as in Keras: the user's objects (`custom_objects`, the active
    `custom_object_scope`s, `register_keras_serializable`) first, then the built-ins.
    A plain name given to `get` looks only at the built-ins unless
    `get_finds_user_objects` (Keras's initializers and optimizers look further).

    Args:
        kind: what the namespace holds, in messages ("loss", "activation function").
        module: the module Keras writes for built-in classes ("keras.losses").
        objects: every name a config or a user may give a built-in class or function.
        base: the base class; `get` returns its instances as they are.
        functions: more built-in functions that a function config may name (metrics
            accept the loss functions) but a plain name may not.
        default: what `get(None)` returns.
        get_finds_user_objects: whether `get` of a name also looks at the user's objects.
        accepts_functions: whether plain functions are valid objects of the namespace.
        case_insensitive: built-in names match in any case ("Adam", "adam").
        function_module: the `module` written for a plain function (its own if None).
        not_implemented: Keras names this package does not have yet.
        argument: the argument's name in type errors ("activation").
    """

    def __init__(self, kind: str, module: str, objects: Mapping[str, Any], *,
                 base: type | None = None, functions: Mapping[str, Callable] | None = None,
                 default: Any = None, get_finds_user_objects: bool = False,
                 accepts_functions: bool = True, case_insensitive: bool = False,
                 function_module: str | None = None, not_implemented: tuple[str, ...] = (),
                 argument: str | None = None):
        self.kind = kind
        self.module = module
        self.objects = dict(objects)
        self.base = base
        self.functions = {name: obj for name, obj in self.objects.items()
                          if not isinstance(obj, type)}
        self.functions.update(functions or {})
        self.default = default
        self.get_finds_user_objects = get_finds_user_objects
        self.accepts_functions = accepts_functions
        self.case_insensitive = case_insensitive
        self.function_module = function_module
        self.not_implemented = not_implemented
        self.argument = argument or kind
        _NAMESPACES[module] = self

    # -- names ----------------------------------------------------------------------------
    def built_in(self, name: str) -> Any:
        """The built-in class or function of that name, or None."""
        key = name.lower() if self.case_insensitive else name
        found = self.objects.get(key)
        return found if found is not None else self.functions.get(key)

    def is_built_in(self, cls: type) -> bool:
        return self.built_in(cls.__name__) is cls

    def find(self, name: str, custom_objects: dict[str, Any] | None = None,
             users: bool = True) -> Any:
        """The object a name stands for: the user's first (unless `users` is False), then
        the built-ins; an unknown name raises `unknown_identifier_error`."""
        found = get_registered_object(name, custom_objects) if users else None
        if found is None:
            found = self.built_in(name)
        if found is not None:
            return found
        if name.lower() in self.not_implemented:
            raise NotImplementedError(
                f"The Keras {self.kind} '{name}' is not implemented in layerwise yet. "
                f"Available: {', '.join(sorted(self.objects))}.")
        known = [*self.objects, *(all_custom_objects(custom_objects) if users else ())]
        raise unknown_identifier_error(self.kind, name, known)

    def resolve_function(self, config: Any, custom_objects: dict[str, Any] | None = None
                         ) -> Callable:
        """The function a function config (`{"class_name": "function", "config": name}`)
        or a bare function name stands for; a function is returned as it is."""
        if callable(config):
            return config
        name = config.get("config") if isinstance(config, dict) else config
        if not isinstance(name, str):
            raise TypeError(
                "Invalid type for a function config. Expected a function name. "
                f"Received: config={config!r}")
        found = get_registered_object(name, custom_objects)
        if found is None:
            found = self.functions.get(name)
        if found is None:
            known = [*self.functions, *all_custom_objects(custom_objects)]
            raise unknown_identifier_error(self.kind, name, known)
        return found

    # -- get, serialize, deserialize ------------------------------------------------------
    def get(self, identifier: Any) -> Any:
        """Keras's `<namespace>.get`: None, an instance, a name, a config dict, a class
        (instantiated) or a function."""
        if identifier is None:
            return self.default
        if self.base is not None and isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, dict):
            found = self.deserialize(identifier)
        elif isinstance(identifier, str):
            found = self.deserialize({"class_name": identifier, "config": {}}) \
                if self.get_finds_user_objects else self.find(identifier, users=False)
        else:
            found = identifier
        if isinstance(found, type):
            found = found()
        valid = callable(found) if self.accepts_functions or self.base is None \
            else isinstance(found, self.base)
        if not valid:
            raise unknown_identifier_error(self.kind, identifier)
        return found

    def serialize(self, obj: Any) -> dict | None:
        """Keras 3's dict form `{"module", "class_name", "config", "registered_name"}`
        (None gives None, as for an absent entry in a layer config)."""
        if obj is None:
            return None
        if self.base is not None and isinstance(obj, self.base):
            cls = type(obj)
            built_in = self.is_built_in(cls)
            return {"module": self.module if built_in else cls.__module__,
                    "class_name": cls.__name__, "config": obj.get_config(),
                    "registered_name": None if built_in else get_registered_name(cls)}
        if self.accepts_functions and callable(obj) and not isinstance(obj, type) and \
                hasattr(obj, "__name__"):
            # Written as Keras writes a function; loading finds it by name.
            return {"module": self.function_module or obj.__module__, "class_name": "function",
                    "config": get_registered_name(obj), "registered_name": "function"}
        expected = f"{_article(self.base.__name__)} `{self.base.__name__}` instance" \
            if self.base is not None else "a function"
        if self.accepts_functions and self.base is not None:
            expected += " or a function"
        raise TypeError(
            f"Invalid type for argument `{self.argument}`. Expected {expected}. "
            f"Received: {self.argument}={obj!r} (of type {type(obj).__name__})")

    def deserialize(self, config: dict | str, custom_objects: dict[str, Any] | None = None
                    ) -> Any:
        """An object from `serialize`'s dict, a Keras 2 `{class_name, config}` dict, or a
        name (a built-in class named by a string is instantiated; user objects are
        returned as they are, as in Keras)."""
        if isinstance(config, str):
            found = self.find(config, custom_objects)
            built_in = self.built_in(config)
            return found() if isinstance(found, type) and found is built_in else found
        if not isinstance(config, dict) or "class_name" not in config:
            raise TypeError(
                "Invalid type for argument `config`. Expected a dict with a 'class_name' key "
                f"or {_article(self.kind)} {self.kind} name. Received: config={config!r}")
        if config["class_name"] == "function":
            return self.resolve_function(config.get("config"), custom_objects)
        registered_name = config.get("registered_name")
        found = get_registered_object(registered_name, custom_objects) \
            if registered_name else None
        if found is None:
            found = self.find(config["class_name"], custom_objects)
        if not isinstance(found, type):
            return found  # a function saved under its own name
        inner = dict(config.get("config") or {})
        # Nested objects (a wrapper's function, an optimizer's schedule) see custom_objects.
        with CustomObjectScope(custom_objects):
            return found.from_config(inner) if hasattr(found, "from_config") \
                else found(**inner)
