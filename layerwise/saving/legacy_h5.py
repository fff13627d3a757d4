"""Keras 2's HDF5 files (`model.save("m.h5")`, `model.save_weights("w.h5")`).

Whole-model files keep the model's JSON config in the root attribute `model_config`, the
compile arguments in `training_config`, the weights under `model_weights/<layer name>/`
(listed, in order, by the attributes `layer_names` and `weight_names`) and the optimizer
state under `optimizer_weights`. Weights are matched to the model by order, as Keras
does: the layers that have weights, in model order, against the saved layers that have
weights. Keras 3 writes the same layout with its own configs; both are read here, and
`save_legacy_model` writes what Keras 3 writes.
"""
from __future__ import annotations

import json
import os
import warnings
from typing import Any

import h5py
import numpy as np

from layerwise.engine.layer import Layer
from layerwise.engine.registry import (CustomObjectScope, SafeModeScope, all_custom_objects,
                                       effective_safe_mode)
from layerwise.saving import weights_h5
from layerwise.saving.atomic import atomic_write
from layerwise.saving.function_code import refuse_code
from layerwise.saving.keras_archive import KERAS_FORMAT_VERSION
from layerwise.saving.serialization import (_deserialize, compile_from_config, find_code,
                                            serialize_compile_config)
from layerwise.version import __version__

__all__ = ["is_legacy_weights_file", "load_legacy_model", "load_legacy_weights",
           "save_legacy_model"]

# HDF5 keeps attributes in the object header, which holds at most this many bytes.
_HEADER_LIMIT = 64512


# -- loading a whole model --------------------------------------------------------------
def load_legacy_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
                      compile: bool = True, safe_mode: bool = True) -> Any:
    """The model of a Keras 2 (or Keras 3 legacy) whole-model `.h5` file."""
    path = os.fspath(filepath)
    with _open_h5(path) as h5_file:
        model_config = _json_attribute(h5_file, "model_config", path)
        if model_config is None:
            raise ValueError(
                f"No model config found in the file at '{path}': it is not a whole-model "
                ".h5 file. If it holds only weights, build the model and call "
                "`model.load_weights(...)` instead.")
        if effective_safe_mode(safe_mode):
            where = find_code(model_config)
            if where is not None:

                raise refuse_code(f"the file '{path}' ({where})")
        model = _model_from_legacy_config(model_config, custom_objects, safe_mode, path)
        weights_group = weights_h5.safe_group(h5_file, "model_weights", path)
        plan = _plan_legacy_weights(weights_group, model, path)
        training_config = _json_attribute(h5_file, "training_config", path) if compile else None
        if compile and training_config is None:
            warnings.warn("No training configuration found in the save file, so the model "
                          "was *not* compiled. Compile it manually.", stacklevel=3)
        optimizer_values = None
        if training_config is not None and _compile_legacy(model, training_config,
                                                           custom_objects, path):
            optimizer_values = _optimizer_values(h5_file, model, path)
    plan.apply()
    if optimizer_values is not None:
        for variable, value in zip(model.optimizer.variables, optimizer_values):
            variable.assign(value)
    return model


def _model_from_legacy_config(config: Any, custom_objects: dict | None, safe_mode: bool,
                              path: str) -> Any:

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"The model config in '{path}' is not a valid Keras configuration: "
                         f"expected a dict with 'class_name' and 'config'.")
    custom = all_custom_objects(custom_objects)
    config = upgrade_legacy_config(config)
    with CustomObjectScope(custom), SafeModeScope(effective_safe_mode(safe_mode)):
        model = _deserialize(config, custom, effective_safe_mode(safe_mode))
    if not isinstance(model, Layer):
        raise ValueError(f"The model config in '{path}' does not describe a model.")
    return model


def upgrade_legacy_config(config: Any) -> Any:
    """A Keras 2 config rewritten into the form our classes read (recursively)."""
    if isinstance(config, list):
        return [upgrade_legacy_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {key: upgrade_legacy_config(value) for key, value in config.items()}
    class_name, inner = config.get("class_name"), config.get("config")
    if class_name == "Sequential" and isinstance(inner, list):
        # Keras <= 2.2 wrote a Sequential's config as its bare list of layers.
        config["config"] = {"layers": inner}
    elif isinstance(inner, dict):
        inner = dict(inner)
        if class_name == "Lambda":
            inner = _upgrade_legacy_lambda(inner)
        if isinstance(inner.get("axis"), list) and len(inner["axis"]) == 1:
            inner["axis"] = int(inner["axis"][0])
        if class_name in ("Functional", "Model"):
            # Keras 2 wrote a single input or output as [[name, 0, 0]]; Keras 3 as the triple.
            for key in ("input_layers", "output_layers"):
                if _is_single_tensor_list(inner.get(key)):
                    inner[key] = inner[key][0]
        config["config"] = inner
    return config


def _upgrade_legacy_lambda(config: dict) -> dict:
    """Keras 2 wrote a lambda as `[code, defaults, closure]`; Keras 3 as a `__lambda__` dict."""
    for key in ("module", "function_type", "output_shape_type", "output_shape_module"):
        config.pop(key, None)
    for key in ("function", "output_shape"):
        value = config.get(key)
        if key == "output_shape" and not (isinstance(value, list) and len(value) == 3
                                          and isinstance(value[0], str)):
            continue
        if isinstance(value, list):
            config[key] = {"class_name": "__lambda__", "config": {
                "code": value[0], "defaults": value[1], "closure": value[2]}}
    return config


def _is_single_tensor_list(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 1 and isinstance(value[0], list)
            and len(value[0]) == 3 and isinstance(value[0][0], str))


def _compile_legacy(model: Any, training_config: dict, custom_objects: dict | None,
                    path: str) -> bool:
    """Compile from a Keras 2 `training_config`; warn and return False if we cannot."""

    config = dict(training_config)
    optimizer = config.pop("optimizer_config", None)
    if isinstance(optimizer, dict):
        optimizer = dict(optimizer)
        optimizer.setdefault("config", {})
        inner = dict(optimizer["config"])
        # Keras 2 optimizers called themselves "Adam" and carried `decay`, `lr`, ...
        for key in ("decay", "is_legacy_optimizer", "jit_compile"):
            inner.pop(key, None)
        if "lr" in inner and "learning_rate" not in inner:
            inner["learning_rate"] = inner.pop("lr")
        optimizer["config"] = inner
        # TF 2.11+ registered its new optimizers as "Custom>Adam", ...
        optimizer["class_name"] = str(optimizer.get("class_name", "")).split(">")[-1]
    config["optimizer"] = optimizer if optimizer is not None else "rmsprop"
    config["loss"] = _legacy_loss(config.get("loss"))
    config["metrics"] = _legacy_metrics(config.get("metrics"))
    config["weighted_metrics"] = _legacy_metrics(config.get("weighted_metrics")) or None
    try:
        compile_from_config(model, config, custom_objects)
    except (ValueError, TypeError, NotImplementedError, KeyError) as error:
        warnings.warn(f"The model in '{path}' was loaded *uncompiled*: its training "
                      f"configuration could not be used ({error}). Compile it manually.",
                      stacklevel=4)
        model.compiled = False
        return False
    return True


def _legacy_loss(loss: Any) -> Any:
    """Keras 2 loss configs said `reduction: "auto"` for what Keras 3 calls the default."""
    if isinstance(loss, dict) and "class_name" in loss:
        inner = dict(loss.get("config") or {})
        if inner.get("reduction") == "auto":
            inner["reduction"] = "sum_over_batch_size"
        return {**loss, "config": inner}
    if isinstance(loss, dict):
        return {key: _legacy_loss(value) for key, value in loss.items()}
    if isinstance(loss, list):
        return [_legacy_loss(value) for value in loss]
    return loss


def _legacy_metrics(metrics: Any) -> Any:
    """Keras 2 metrics: nested per output; wrapped names become their plain strings."""
    if metrics is None:
        return None
    flat: list = []

    def collect(value: Any) -> None:
        if isinstance(value, (list, tuple)):
            for item in value:
                collect(item)
        elif isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper":
            flat.append((value.get("config") or {}).get("name", "accuracy"))
        elif value is not None:
            flat.append(value)

    collect(metrics)
    return flat


def _optimizer_values(h5_file: h5py.File, model: Any, path: str) -> list | None:
    """The saved optimizer state, if it lines up with the rebuilt optimizer; else None.

    Only Keras 3 writes the variables in Keras 3's order; a Keras 2 file's optimizer state
    is skipped with a warning (training restarts from fresh moments).
    """
    if "optimizer_weights" not in h5_file:
        return None
    version = _text(h5_file.attrs.get("keras_version", "")) or "2"
    group = weights_h5.safe_group(h5_file, "optimizer_weights", path)
    names = _list_attribute(group, "weight_names")
    values = [np.asarray(weights_h5.safe_dataset(group, name, path)[()]) for name in names]
    variables = model.optimizer.variables
    fits = version.startswith("3") and len(values) == len(variables) and all(
        tuple(v.shape) == tuple(value.shape) for v, value in zip(variables, values))
    if not fits:
        warnings.warn(f"The optimizer state in '{path}' (written by Keras {version}) does not "
                      "match the optimizer's variables; the optimizer starts fresh.",
                      stacklevel=4)
        return None
    return values


# -- loading weights ------------------------------------------------------------------
def is_legacy_weights_file(h5_file: h5py.File) -> bool:
    return "layer_names" in h5_file.attrs or "model_weights" in h5_file


def load_legacy_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False,
                        by_name: bool = False) -> None:
    """Load a Keras 2 weights file (or the weights of a whole-model `.h5`) into `model`."""
    path = os.fspath(filepath)
    with _open_h5(path) as h5_file:
        group = h5_file
        if "layer_names" not in h5_file.attrs and "model_weights" in h5_file:
            group = weights_h5.safe_group(h5_file, "model_weights", path)
        if "layer_names" not in group.attrs:
            raise ValueError(f"The file '{path}' is not a Keras weights file: it has no "
                             "'layer_names' attribute.")
        plan = (_plan_by_name(group, model, path, skip_mismatch) if by_name
                else _plan_legacy_weights(group, model, path, skip_mismatch))
    plan.apply()


def _legacy_weights(layer: Any) -> list:
    # Keras 2 saved a layer's trainable weights first, then the non-trainable ones.
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _saved_layer_weights(group: h5py.Group, name: str, path: str) -> list[tuple[str, np.ndarray]]:
    layer_group = weights_h5.safe_group(group, name, path)
    return [(weight_name, np.asarray(weights_h5.safe_dataset(layer_group, weight_name, path)[()]))
            for weight_name in _list_attribute(layer_group, "weight_names")]


def _plan_legacy_weights(group: h5py.Group, model: Any, path: str,
                         skip_mismatch: bool = False) -> weights_h5.WeightAssignment:
    """Match saved layers to the model's layers by order (only layers with weights count)."""
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    saved = [(name, _saved_layer_weights(group, name, path))
             for name in _list_attribute(group, "layer_names")]
    saved = [(name, values) for name, values in saved if values]
    if len(saved) != len(layers):
        raise ValueError(
            f"Layer count mismatch when loading weights from '{path}': the model has "
            f"{len(layers)} layers with weights ({[layer.name for layer in layers]}), the "
            f"file has {len(saved)} ({[name for name, _ in saved]}).")
    plan = weights_h5.WeightAssignment()
    for index, (layer, (saved_name, values)) in enumerate(zip(layers, saved)):
        _plan_layer(plan, layer, values, f"layer #{index} (named '{layer.name}' in the model, "
                    f"'{saved_name}' in the file '{path}')", skip_mismatch)
    return plan


def _plan_by_name(group: h5py.Group, model: Any, path: str,
                  skip_mismatch: bool) -> weights_h5.WeightAssignment:
    layers = {layer.name: layer for layer in model.layers}
    plan = weights_h5.WeightAssignment()
    for saved_name in _list_attribute(group, "layer_names"):
        layer = layers.get(saved_name)
        if layer is not None:
            _plan_layer(plan, layer, _saved_layer_weights(group, saved_name, path),
                        f"layer '{saved_name}' (file '{path}')", skip_mismatch)
    return plan


def _plan_layer(plan: weights_h5.WeightAssignment, layer: Any, values: list, where: str,
                skip_mismatch: bool) -> None:
    variables = _legacy_weights(layer)
    problem = None
    if len(values) != len(variables):
        problem = (f"Weight count mismatch for {where}: the layer expects {len(variables)} "
                   f"weight(s) {[v.name for v in variables]}, the file has {len(values)} "
                   f"{[name for name, _ in values]}.")
    else:
        for variable, (saved_name, value) in zip(variables, values):
            if tuple(variable.shape) != tuple(value.shape):
                problem = (f"Shape mismatch in {where} for weight '{variable.path}': the "
                           f"weight expects shape {tuple(variable.shape)}, the saved weight "
                           f"'{saved_name}' has shape {tuple(value.shape)}.")
                break
    if problem is not None:
        if not skip_mismatch:
            raise ValueError(problem)
        warnings.warn(problem + " Skipped (skip_mismatch=True).", stacklevel=4)
        return
    plan.values.extend((variable, value) for variable, (_, value) in zip(variables, values))


# -- saving -----------------------------------------------------------------------------
def save_legacy_model(model: Any, filepath: str | os.PathLike,
                      include_optimizer: bool = True) -> None:
    """Write `model` as Keras 3 writes a legacy `.h5` file, atomically."""

    model_config = json.dumps({"class_name": type(model).__name__,
                               "config": _legacy_model_config(model.get_config())})
    training_config = None
    if include_optimizer and getattr(model, "compiled", False) and model.optimizer is not None:
        compile_config = serialize_compile_config(model)
        optimizer = compile_config.pop("optimizer")
        compile_config["optimizer_config"] = {"class_name": optimizer["class_name"],
                                              "config": optimizer["config"]}
        training_config = json.dumps(compile_config)
    with atomic_write(filepath) as temporary:
        with h5py.File(temporary, "w") as h5_file:
            h5_file.attrs["keras_version"] = KERAS_FORMAT_VERSION
            h5_file.attrs["layerwise_version"] = __version__
            h5_file.attrs["backend"] = "jax"
            h5_file.attrs["model_config"] = model_config
            if training_config is not None:
                h5_file.attrs["training_config"] = training_config
            _write_model_weights(h5_file.create_group("model_weights"), model)
            if training_config is not None and model.optimizer.variables:
                _write_weight_list(h5_file.create_group("optimizer_weights"),
                                   model.optimizer.variables)


def _legacy_model_config(config: dict) -> dict:
    """Keras 3's legacy writer keeps only `class_name`, `config` (and, in a functional
    model, `name` and `inbound_nodes`) for each layer of the model."""
    config = dict(config)
    if isinstance(config.get("layers"), list):
        config["layers"] = [_legacy_layer_entry(entry) for entry in config["layers"]]
    return config


def _legacy_layer_entry(entry: dict) -> dict:
    kept = {key: entry[key] for key in ("class_name", "config", "name", "inbound_nodes")
            if key in entry}
    if isinstance(kept.get("config"), dict) and "layers" in kept["config"]:
        kept["config"] = _legacy_model_config(kept["config"])
    return kept


def _write_model_weights(group: h5py.Group, model: Any) -> None:

    _write_list_attribute(group, "layer_names", [layer.name for layer in model.layers])
    group.attrs["backend"] = "jax"
    group.attrs["keras_version"] = KERAS_FORMAT_VERSION
    for layer in sorted(model.layers, key=lambda layer: layer.name):
        _write_weight_list(group.create_group(layer.name), _legacy_weights(layer))
    _write_weight_list(group.create_group("top_level_model_weights"), [])


def _write_weight_list(group: h5py.Group, variables: list) -> None:
    names = [variable.path for variable in variables]
    _write_list_attribute(group, "weight_names", names)
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=np.asarray(variable.numpy()))


# -- attributes -------------------------------------------------------------------------
def _write_list_attribute(group: h5py.Group, name: str, values: list[str]) -> None:
    """Store a list of strings, split over `name0`, `name1`, ... if too long for a header."""
    encoded = [value.encode("utf8") for value in values]
    array = np.asarray(encoded) if encoded else np.asarray([], dtype="S1")
    chunks = 1
    while any(part.nbytes > _HEADER_LIMIT for part in np.array_split(array, chunks)):
        chunks += 1
    if chunks == 1:
        group.attrs[name] = array
    else:
        for index, part in enumerate(np.array_split(array, chunks)):
            group.attrs[f"{name}{index}"] = part


def _list_attribute(group: h5py.Group, name: str) -> list[str]:
    if name in group.attrs:
        return [_text(item) for item in group.attrs[name]]
    values, index = [], 0
    while f"{name}{index}" in group.attrs:
        values.extend(_text(item) for item in group.attrs[f"{name}{index}"])
        index += 1
    return values


def _text(value: Any) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _json_attribute(h5_file: h5py.File, name: str, path: str) -> Any:
    raw = h5_file.attrs.get(name)
    if raw is None:
        return None
    try:
        return json.loads(_text(raw))
    except json.JSONDecodeError as error:
        raise ValueError(f"The file '{path}' is corrupted: its '{name}' attribute is not "
                         f"valid JSON ({error}).") from None


class _open_h5:
    """Context manager: an HDF5 file opened for reading, with a clear error if it is not one."""

    def __init__(self, path: str):
        if not os.path.exists(path):
            raise ValueError(f"File not found: filepath={path}.")
        try:
            self.h5_file = h5py.File(path, "r")
        except OSError as error:
            raise ValueError(f"The file '{path}' is not a readable HDF5 file (truncated or "
                             f"corrupted?): {error}") from None

    def __enter__(self) -> h5py.File:
        return self.h5_file

    def __exit__(self, *exc_info: Any) -> None:
        self.h5_file.close()
