"""Objects to and from Keras 3's config dicts: `{module, class_name, config, registered_name}`.

Deserialization only ever looks names up in registries of known classes (ours, or the
user's via `register_keras_serializable` / `custom_objects`); it never imports a module
or runs code named in a config.
"""
from __future__ import annotations

import contextlib
import contextvars
import difflib
from typing import Any, Callable

# "package>Name" -> class or function registered by the user.
_user_registry: dict[str, Any] = {}
_custom_objects_scope: contextvars.ContextVar[dict] = contextvars.ContextVar(
    "layerwise_custom_objects", default={})


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator: make a user class or function loadable by name from saved configs."""
    if ">" in package:
        raise ValueError(f"register_keras_serializable: `package` must not contain '>'. "
                         f"Received: package={package!r}")

    def register(obj: Any) -> Any:
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj.__name__}: a class must define get_config().")
        _user_registry[registered] = obj
        obj._registered_name = registered
        return obj

    return register


def get_registered_name(obj: Any) -> str:
    target = obj if isinstance(obj, type) or callable(obj) and not hasattr(obj, "get_config") \
        else type(obj)
    return getattr(target, "_registered_name", None) or target.__name__


def get_registered_object(name: str, custom_objects: dict | None = None) -> Any:
    custom_objects = custom_objects or {}
    scoped = _custom_objects_scope.get()
    for table in (custom_objects, scoped, _user_registry):
        if name in table:
            return table[name]
    return None


@contextlib.contextmanager
def custom_object_scope(*scopes: dict):
    """Within this block, these {name: object} mappings are used when loading configs."""
    merged = dict(_custom_objects_scope.get())
    for scope in scopes:
        merged.update(scope)
    token = _custom_objects_scope.set(merged)
    try:
        yield merged
    finally:
        _custom_objects_scope.reset(token)


CustomObjectScope = custom_object_scope


def serialize_dtype_policy(dtype: str) -> dict[str, Any]:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype},
            "registered_name": None}


def _builtin_layer_classes() -> dict[str, type]:
    from layerwise import layers

    return {name: getattr(layers, name) for name in layers.__all__
            if isinstance(getattr(layers, name), type)}


def _builtin_model_classes() -> dict[str, type]:
    from layerwise.engine.functional_model import Functional
    from layerwise.engine.model import Model
    from layerwise.engine.sequential import Sequential

    return {"Sequential": Sequential, "Functional": Functional, "Model": Functional}


def serialize_keras_object(obj: Any) -> Any:
    """The Keras 3 config dict of a layer, model or other configurable object."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    registered = getattr(type(obj), "_registered_name", None)
    from layerwise.engine.model import Model

    if isinstance(obj, Model):
        module = "keras"
        class_name = type(obj).__name__ if registered is None else registered.split(">")[1]
        if class_name == "Functional" and registered is None:
            module = "keras.src.models.functional"
    else:
        module = "keras.layers" if registered is None else registered.split(">")[0]
        class_name = type(obj).__name__ if registered is None else registered.split(">")[1]
    result = {"module": module, "class_name": class_name, "config": obj.get_config(),
              "registered_name": registered}
    build_config = getattr(obj, "get_build_config", lambda: None)()
    if build_config is not None:
        result["build_config"] = build_config
    if isinstance(obj, Model) and obj.compiled:
        result["compile_config"] = obj.get_compile_config()
    return result


serialize_layer = serialize_keras_object


def deserialize_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """A layer or model from its config dict; unknown class names raise a clear error."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize a layer from {config!r}: expected a dict with "
                         "'class_name' and 'config'.")
    class_name = config["class_name"]
    cls = None
    if config.get("registered_name"):
        cls = get_registered_object(config["registered_name"], custom_objects)
    if cls is None:
        cls = get_registered_object(class_name, custom_objects)
    if cls is None:
        known = {**_builtin_layer_classes(), **_builtin_model_classes()}
        cls = known.get(class_name)
        if cls is None:
            close = difflib.get_close_matches(class_name, list(known), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(
                f"Could not locate class '{class_name}'. Make sure custom classes are "
                f"decorated with `@keras.saving.register_keras_serializable()` or passed in "
                f"`custom_objects`.{hint}")
    inner = dict(config.get("config", {}))
    from layerwise.engine.model import Model

    if isinstance(cls, type) and issubclass(cls, Model):
        obj = cls.from_config(inner, custom_objects=custom_objects) \
            if "custom_objects" in cls.from_config.__code__.co_varnames else cls.from_config(inner)
    else:
        obj = cls.from_config(inner)
    if config.get("build_config") and hasattr(obj, "build_from_config"):
        obj.build_from_config(config["build_config"])
    return obj


deserialize_keras_object = deserialize_layer


def serialize_compile_config(model: Any) -> dict[str, Any]:
    from layerwise import optimizers

    original = model._compile_config
    loss = original["loss"]
    if loss is not None and not isinstance(loss, str):
        from layerwise import losses

        loss = losses.serialize(model.loss)
    metrics = original["metrics"]
    if metrics is not None:
        from layerwise import metrics as metrics_module

        metrics = [m if isinstance(m, str) else metrics_module.serialize(metrics_module.get(m))
                   for m in metrics]
    return {
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": loss,
        "loss_weights": original["loss_weights"],
        "metrics": metrics,
        "weighted_metrics": original["weighted_metrics"],
        "run_eagerly": False,
        "steps_per_execution": original["steps_per_execution"],
        "jit_compile": True,
    }


def functional_config(model: Any) -> dict[str, Any]:
    raise NotImplementedError("Functional model configs are not implemented yet.")


def functional_from_config(cls: type, config: dict, custom_objects: Any = None) -> Any:
    raise NotImplementedError("Functional model configs are not implemented yet.")
