"""Objects to and from Keras 3's config dicts: `{module, class_name, config, registered_name}`.

Layers and models add `build_config` (how to recreate their weights) and models add
`compile_config` (the arguments of `compile`). Deserialization only ever looks names
up: in the user's registry and custom objects first, then in our built-in tables. It
never imports a module named in a config, and it refuses Python bytecode (lambdas)
unless safe mode is off.
"""
from __future__ import annotations

import difflib
import types
import warnings
from typing import Any, Callable, NamedTuple

import numpy as np

from layerwise import (activations, constraints, dtype_policies, initializers, losses,
                       metrics, optimizers, regularizers, schedules)
from layerwise.engine.keras_tensor import KerasTensor
from layerwise.engine.layer import Layer, serialize_dtype_policy
from layerwise.saving import function_code
from layerwise.engine.registry import (CustomObjectScope, SafeModeScope, all_custom_objects,
                                       custom_object_scope, effective_safe_mode,
                                       get_registered_name, get_registered_object,
                                       namespace, register_keras_serializable)
from layerwise.engine.registry import _GLOBAL_CUSTOM_NAMES

__all__ = [
    "CustomObjectScope",
    "compile_from_config",
    "custom_object_scope",
    "deserialize_keras_object",
    "deserialize_layer",
    "find_code",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
    "serialize_compile_config",
    "serialize_dtype_policy",
    "serialize_keras_object",
    "serialize_layer",
]

_PLAIN_TYPES = (str, int, float, bool)
# Keras writes model classes under these modules; layers under "keras.layers".
_MODEL_MODULES = ("keras", "keras.models", "keras.src.models.functional",
                  "keras.src.models.sequential", "keras.src.models.model")
_FUNCTIONAL_MODULE = "keras.src.models.functional"


class TensorReference(NamedTuple):
    """A serialized symbolic tensor: which layer call produced it (`keras_history`)."""

    layer_name: str
    node_index: int
    tensor_index: int
    shape: tuple
    dtype: str


# -- built-in tables --------------------------------------------------------------------
def _builtin_layer_classes() -> dict[str, type]:
    from layerwise import layers

    return {name: getattr(layers, name) for name in layers.__all__
            if isinstance(getattr(layers, name), type)}


def _models() -> Any:
    """The models package, which stands above saving (its classes call save and load)."""
    from layerwise import models

    return models


def _builtin_model_classes() -> dict[str, type]:
    models = _models()
    # `keras.Model(inputs, outputs)` is saved as Functional; Keras 2 files say "Model".
    return {"Sequential": models.Sequential, "Functional": models.Functional,
            "Model": models.Functional}


def _category_deserializers() -> dict[str, Callable[[dict, dict], Any]]:
    """Keras module -> the deserializer of our matching module, for non-layer objects."""

    return {
        "keras.optimizers": optimizers.deserialize,
        "keras.optimizers.schedules": schedules.deserialize,
        "keras.losses": losses.deserialize,
        "keras.metrics": metrics.deserialize,
        "keras.initializers": initializers.deserialize,
        "keras.regularizers": regularizers.deserialize,
        "keras.constraints": constraints.deserialize,
        "keras.dtype_policies": dtype_policies.deserialize,
    }


def _function_namespaces() -> list[tuple[str, Any]]:
    return [(module, namespace(module))
            for module in ("keras.activations", "keras.losses", "keras.metrics")]


def _public_module(module: str | None) -> str | None:
    # Keras records objects defined in a script as having no module.
    return None if module == "__main__" else module


# -- serialization ----------------------------------------------------------------------
def serialize_keras_object(obj: Any) -> Any:
    """The Keras 3 config of `obj`: plain values as they are, objects as config dicts."""

    if obj is None or isinstance(obj, _PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(item) for item in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if isinstance(obj, KerasTensor):
        return _serialize_keras_tensor(obj, obj._keras_history)
    if isinstance(obj, (np.ndarray, np.generic)) or type(obj).__module__.startswith("jax"):
        return _serialize_array(obj)
    if isinstance(obj, types.FunctionType):
        return _serialize_function(obj)
    if isinstance(obj, Layer):
        return _serialize_layer(obj)
    if type(obj) in _GLOBAL_CUSTOM_NAMES:
        return _serialize_generic(obj)
    if isinstance(obj, dtype_policies.DTypePolicy):
        return dtype_policies.serialize(obj)
    serialized = _serialize_by_category(obj)
    if serialized is not None:
        return serialized
    if hasattr(obj, "get_config"):
        return _serialize_generic(obj)
    raise TypeError(
        f"Cannot serialize object {obj!r} of type {type(obj).__name__}. To be serializable, "
        "a class must implement the `get_config()` method.")


serialize_layer = serialize_keras_object


def _serialize_keras_tensor(tensor: Any, history: Any) -> dict:
    if history is not None:
        history = [history[0].name, history[1], history[2]]
    return {"class_name": "__keras_tensor__", "config": {
        "shape": list(tensor.shape), "dtype": tensor.dtype, "keras_history": history}}


def _serialize_array(value: Any) -> Any:
    array = np.asarray(value)
    if array.ndim == 0:
        return array.item()
    class_name = "__numpy__" if isinstance(value, np.ndarray) else "__tensor__"
    return {"class_name": class_name,
            "config": {"value": array.tolist(), "dtype": array.dtype.name}}


def _serialize_function(function: types.FunctionType) -> dict:
    if function.__name__ == "<lambda>":
        warnings.warn(
            "The object being serialized includes a `lambda`. It is saved as Python "
            "bytecode, and loading it back needs `safe_mode=False`. Prefer named functions "
            "registered with `register_keras_serializable`.", stacklevel=3)
        return {"class_name": function_code.LAMBDA_CLASS_NAME,
                "config": {"value": list(function_code.dump_function_code(function))}}
    registered = _GLOBAL_CUSTOM_NAMES.get(function)
    if registered is not None:
        return {"module": _public_module(function.__module__), "class_name": "function",
                "config": registered, "registered_name": registered}
    for module_name, built_ins in _function_namespaces():
        name = function.__name__
        if built_ins.functions.get(name) is function:
            return {"module": module_name, "class_name": "function", "config": name,
                    "registered_name": name}
    return {"module": _public_module(function.__module__), "class_name": "function",
            "config": function.__name__, "registered_name": function.__name__}


def _serialize_layer(layer: Any) -> dict:
    models = _models()
    cls = type(layer)
    class_name = cls.__name__
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    if hasattr(layer, "keras_class_identity"):  # an op call, saved under Keras's op class
        module, class_name, registered_name = layer.keras_class_identity()
    elif registered is not None:
        module, registered_name = cls.__module__, registered
    elif _builtin_layer_classes().get(cls.__name__) is cls:
        module, registered_name = "keras.layers", None
    elif cls is models.Sequential:
        module, registered_name = "keras", None
    elif cls is models.Functional:
        module, registered_name = _FUNCTIONAL_MODULE, "Functional"
    else:  # an unregistered user class: loadable through `custom_objects` only
        module, registered_name = cls.__module__, cls.__name__
    config = layer.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The get_config() method of {layer!r} should return a dict. It "
                        f"returned: {config!r}")
    config = _user_functions_as_keras_writes_them(layer, config)
    result = {"module": _public_module(module), "class_name": class_name,
              "config": serialize_keras_object(config), "registered_name": registered_name}
    # Keras's Functional records no build shapes: it rebuilds from its graph.
    build_config = {"input_shape": None} if isinstance(layer, models.Functional) \
        else layer.get_build_config()
    if build_config is not None:
        result["build_config"] = serialize_keras_object(build_config)
    if isinstance(layer, models.Model):
        result["compile_config"] = layer.get_compile_config() or {}
    return result


def _user_functions_as_keras_writes_them(layer: Any, config: dict) -> dict:
    """Keras writes a user function held by a layer (e.g. a custom activation) as a
    function dict; a bare name in its place would not load in Keras."""

    updated = dict(config)
    for key, value in config.items():
        function = getattr(layer, key, None)
        if isinstance(value, str) and isinstance(function, types.FunctionType) and \
                function.__name__ != "<lambda>" and value not in activations.__all__:
            updated[key] = {"module": "builtins", "class_name": "function", "config": value,
                            "registered_name": "function"}
    return updated


def _serialize_by_category(obj: Any) -> dict | None:

    if isinstance(obj, optimizers.Optimizer):
        return optimizers.serialize(obj)
    if isinstance(obj, schedules.LearningRateSchedule):
        return schedules.serialize(obj)
    if isinstance(obj, losses.Loss):
        return losses.serialize(obj)
    if isinstance(obj, metrics.Metric):
        return metrics.serialize(obj)
    if isinstance(obj, initializers.Initializer):
        return initializers.serialize(obj)
    if isinstance(obj, regularizers.Regularizer):
        return regularizers.serialize(obj)
    if isinstance(obj, constraints.Constraint):
        return constraints.serialize(obj)
    return None


def _serialize_generic(obj: Any) -> dict:
    cls = type(obj)
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The get_config() method of {obj!r} should return a dict. It "
                        f"returned: {config!r}")
    return {"module": _public_module(cls.__module__), "class_name": cls.__name__,
            "config": serialize_keras_object(config),
            "registered_name": get_registered_name(cls)}


# -- deserialization --------------------------------------------------------------------
def deserialize_keras_object(config: Any, custom_objects: dict | None = None,
                             safe_mode: bool = True, **kwargs: Any) -> Any:
    """The object a config describes (`serialize_keras_object`'s inverse).

    Args:
        config: a config dict, or a plain value, list or dict of them.
        custom_objects: name -> class or function, for user objects not registered
            with `register_keras_serializable`.
        safe_mode: refuse configs that carry Python bytecode (lambdas).
    """
    module_objects = kwargs.pop("module_objects", None)
    kwargs.pop("printable_module_name", None)
    if kwargs:
        raise TypeError(f"deserialize_keras_object() got unexpected arguments {sorted(kwargs)}")
    table = all_custom_objects(custom_objects)
    if module_objects:
        table = {**module_objects, **table}
    return _deserialize(config, table, effective_safe_mode(safe_mode))


def deserialize_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """A layer or model from its config dict (used by `Sequential.from_config`)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Cannot deserialize a layer from {config!r}: expected a dict with 'class_name' "
            "and 'config'.")
    if "config" not in config:
        config = {**config, "config": {}}
    return deserialize_keras_object(config, custom_objects)


def _deserialize(config: Any, custom: dict, safe_mode: bool) -> Any:
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        return custom.get(config, config)
    if isinstance(config, (list, tuple)):
        return [_deserialize(item, custom, safe_mode) for item in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: _deserialize(value, custom, safe_mode) for key, value in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    special = _deserialize_special(class_name, inner, custom, safe_mode)
    if special is not _NOT_SPECIAL:
        return special
    if class_name == "function":
        return _resolve_function(inner, config.get("module"), custom)
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for {class_name}, got "
                        f"{type(inner).__name__}. Full config: {config}")
    module = config.get("module")
    registered_name = config.get("registered_name")
    cls = _user_class(class_name, registered_name, custom)
    if cls is None:
        category = _category_deserializers().get(module)
        if category is not None:
            return category(config, custom)
        if module == "keras" and class_name in ("DTypePolicy", "FloatDTypePolicy"):
            return dtype_policies.deserialize(config, custom)
        cls = _builtin_class(class_name, module)
    return _instantiate(cls, config, inner, custom, safe_mode)


_NOT_SPECIAL = object()


def _deserialize_special(class_name: str, inner: Any, custom: dict, safe_mode: bool) -> Any:
    if class_name == "__keras_tensor__":
        history = inner.get("keras_history") or (None, 0, 0)
        return TensorReference(history[0], int(history[1]), int(history[2]),
                               tuple(inner.get("shape") or ()), inner.get("dtype", "float32"))
    if class_name in ("__tensor__", "__numpy__"):
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(*(_deserialize(inner[key], custom, safe_mode)
                       for key in ("start", "stop", "step")))
    if class_name == function_code.LAMBDA_CLASS_NAME:
        if safe_mode:
            raise function_code.refuse_code("a config")
        value = inner.get("value", inner)
        if isinstance(value, dict):
            return function_code.load_function_code(value["code"], value.get("defaults"),
                                                    value.get("closure"))
        return function_code.load_function_code(value)
    return _NOT_SPECIAL


def _user_class(class_name: str, registered_name: str | None, custom: dict) -> Any:
    if registered_name and registered_name in custom:
        return custom[registered_name]
    return custom.get(class_name)


def _builtin_class(class_name: str, module: str | None) -> type:
    layers = _builtin_layer_classes()
    models = _builtin_model_classes()
    if module is None or module.startswith("keras.layers") or module.startswith(
            "keras.src.layers"):
        found = layers.get(class_name) or (models.get(class_name) if module is None else None)
    elif module in _MODEL_MODULES:
        found = models.get(class_name)
    elif module.startswith("keras.src.ops"):
        from layerwise.ops.operation import operation_class_for

        found = operation_class_for(module, class_name)
    elif module == "keras.utils" and class_name == "FeatureSpace":
        from layerwise.utils.feature_space import FeatureSpace

        found = FeatureSpace
    else:
        found = None
    if found is not None:
        return found
    known = sorted({*layers, *models})
    close = difflib.get_close_matches(class_name, known, n=3)
    hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"Could not locate class '{class_name}' (module {module!r}). Make sure custom "
        "classes are decorated with `@keras.saving.register_keras_serializable()` or passed "
        f"in `custom_objects`.{hint} Built-in layers and models: {', '.join(known)}.")


def _instantiate(cls: Any, config: dict, inner: dict, custom: dict, safe_mode: bool) -> Any:
    Model = _models().Model
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{config['class_name']}': the "
                        "class has no `from_config()` method.")
    with CustomObjectScope(custom), SafeModeScope(safe_mode):
        try:
            if isinstance(cls, type) and issubclass(cls, Model) and \
                    "custom_objects" in _parameters(cls.from_config):
                instance = cls.from_config(dict(inner), custom_objects=custom)
            else:
                instance = cls.from_config(dict(inner))
        except TypeError as error:
            if "could not be deserialized" in str(error):
                raise  # already explained by a nested object
            raise TypeError(
                f"{cls.__name__} could not be deserialized from its config: {error}. "
                "Objects returned by `get_config()` (layers, models, ...) must be "
                "deserialized explicitly in the class's `from_config()`.") from error
        build_config = config.get("build_config")
        if build_config and hasattr(instance, "build_from_config") and not getattr(
                instance, "built", True):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and isinstance(instance, Model):
            compile_from_config(instance, compile_config, custom)
    return instance


def _parameters(function: Callable) -> tuple[str, ...]:
    import inspect

    try:
        return tuple(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return ()


def _resolve_function(name: Any, module: str | None, custom: dict) -> Callable:
    if not isinstance(name, str):
        raise TypeError(f"Expected the config of a function to be its name. Received: {name!r}")
    if name in custom:
        return custom[name]
    for module_name, built_ins in _function_namespaces():
        found = built_ins.functions.get(name)
        if module in (module_name, "builtins", None) and found is not None:
            return found
    if ">" not in name:
        # Files from Keras <= 3.6 name registered functions without their package.
        for registered, found in custom.items():
            if registered.endswith(f">{name}"):
                return found
    known = sorted(key for key, value in custom.items() if callable(value))
    close = difflib.get_close_matches(name, known, n=3)
    hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"Could not locate function '{name}' (module {module!r}). Make sure custom functions "
        "are decorated with `@keras.saving.register_keras_serializable()` or passed in "
        f"`custom_objects`.{hint}")


# -- safe mode --------------------------------------------------------------------------
def find_code(config: Any, where: str = "the model") -> str | None:
    """Where in `config` Python bytecode is stored (a description), or None if nowhere."""
    if isinstance(config, (list, tuple)):
        for item in config:
            found = find_code(item, where)
            if found:
                return found
        return None
    if not isinstance(config, dict):
        return None
    if function_code.is_code_config(config):
        return where
    inner = config.get("config")
    if isinstance(inner, dict) and "class_name" in config:
        name = inner.get("name") or config.get("name")
        if name and config["class_name"] not in ("function",):
            where = f"layer '{name}' ({config['class_name']})"
        if config["class_name"] == "Lambda" and _is_legacy_lambda(inner):
            return where
    for value in config.values():
        found = find_code(value, where)
        if found:
            return found
    return None


def _is_legacy_lambda(config: dict) -> bool:
    """Keras 2 wrote a lambda as `function: [code, defaults, closure]`, function_type "lambda"."""
    return (isinstance(config.get("function"), (list, tuple))
            or config.get("function_type") == "lambda"
            or config.get("output_shape_type") == "lambda")


# -- compile configs --------------------------------------------------------------------
def serialize_compile_config(model: Any) -> dict[str, Any]:
    """`compile`'s arguments as Keras saves them (strings stay strings)."""
    original = model._compile_config
    run_eagerly = bool(original.get("run_eagerly", False))
    jit_compile = original.get("jit_compile", "auto")
    jit_compile = (not run_eagerly) if jit_compile == "auto" else bool(jit_compile)
    return {
        "optimizer": serialize_keras_object(model.optimizer),
        "loss": serialize_keras_object(original.get("loss")),
        "loss_weights": serialize_keras_object(original.get("loss_weights")),
        "metrics": serialize_keras_object(original.get("metrics")),
        "weighted_metrics": serialize_keras_object(original.get("weighted_metrics")),
        "run_eagerly": run_eagerly,
        "steps_per_execution": original.get("steps_per_execution", 1),
        "jit_compile": jit_compile and not run_eagerly,
    }


def compile_from_config(model: Any, config: dict, custom_objects: dict | None = None) -> None:
    """Compile `model` with a saved compile config, and build its optimizer's variables."""

    custom = all_custom_objects(custom_objects)
    optimizer = config.get("optimizer", "rmsprop")
    if isinstance(optimizer, dict):
        cls = _user_class(optimizer.get("class_name", ""), optimizer.get("registered_name"),
                          custom)
        optimizer = cls.from_config(dict(optimizer.get("config") or {})) if cls is not None \
            else optimizers.deserialize(optimizer, custom)
    arguments = {
        "optimizer": optimizer,
        "loss": _deserialize_compile_value(config.get("loss"), losses.deserialize, custom),
        "loss_weights": config.get("loss_weights"),
        "metrics": _deserialize_compile_value(config.get("metrics"), metrics.deserialize,
                                              custom),
        "weighted_metrics": _deserialize_compile_value(config.get("weighted_metrics"),
                                                       metrics.deserialize, custom) or None,
    }
    for key in ("run_eagerly", "steps_per_execution", "jit_compile"):
        if key in config:
            arguments[key] = config[key]
    model.compile(**arguments)
    if model.built:
        # As Keras does on load, so that saved optimizer variables have a place to go.
        model.optimizer.build(model.trainable_variables)


def _deserialize_compile_value(value: Any, deserialize: Callable, custom: dict) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and "class_name" in value:
        cls = _user_class(value["class_name"], value.get("registered_name"), custom)
        if cls is not None and value["class_name"] != "function":
            return cls.from_config(dict(value.get("config") or {}))
        return deserialize(value, custom)
    if isinstance(value, dict):
        return {key: _deserialize_compile_value(item, deserialize, custom)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deserialize_compile_value(item, deserialize, custom) for item in value]
    return value
