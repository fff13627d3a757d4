"""Keras 3's HDF5 weights layout: `model.weights.h5` in a `.keras` file, and `.weights.h5`.

Every layer and the optimizer ("saveables") get a group `<path>/vars` whose `name`
attribute is the object's name and whose datasets "0", "1", ... are its own variables
(a layer's trainable then non-trainable ones; the optimizer's `variables`). Paths come
from walking the model the way Keras walks it: a model's `layers` first, then its other
attributes sorted by name with private ones last; inside a list, a child is named by the
snake_case of its class, numbered per list ("dense", "dense_1", ...), never by its
`name`, which is not reproducible between two builds of the same model.

Loading is two-phase: every value is read and checked against its variable first, and
only if all of them fit are they assigned, so a failed load changes nothing.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Iterator

import h5py
import jax
import numpy as np

from layerwise.engine import naming
from layerwise.engine.layer import Layer
from layerwise.optimizers import Optimizer

__all__ = ["WeightAssignment", "read_weights", "write_weights"]

# A dataset that declares far more bytes than it stores is a shape/decompression bomb.
_DATASET_BOMB_FLOOR_BYTES = 1 << 28
_DATASET_MAX_EXPANSION = 1000

# Attributes of our engine's classes that hold layers but are not part of the layout:
# `_layers` holds Sequential's automatic InputLayer, which Keras does not save.
_ENGINE_ATTRIBUTES = frozenset({
    "_layers", "_inbound_nodes", "_outbound_nodes", "_nodes", "inputs", "outputs",
    "_inputs_structure", "_outputs_structure", "_compile_metrics",
    "_compile_weighted_metrics", "_steps",
    "_inference_cache", "output", "history", "optimizer",
})


# -- walking the model ------------------------------------------------------------------
def _is_saveable(obj: Any) -> bool:
    return isinstance(obj, (Layer, Optimizer))


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    """(attribute name, value) pairs that may hold saveables, in Keras's visiting order."""
    # The models package stands above saving: its classes call save and load.
    from layerwise.models import Functional, Model, Sequential

    if isinstance(obj, Optimizer):
        # A wrapping optimizer (LossScaleOptimizer) saves its inner one under it too.
        inner = getattr(obj, "inner_optimizer", None)
        if isinstance(inner, Optimizer):
            yield "inner_optimizer", inner
        return
    if not isinstance(obj, Layer):
        return
    if type(obj) in (Sequential, Functional):
        # Keras finds nothing else to save on these two classes themselves.
        yield "layers", obj.layers
        if obj.optimizer is not None:
            yield "optimizer", obj.optimizer
        return
    candidates: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if name not in _ENGINE_ATTRIBUTES and not name.startswith("__"):
            candidates[name] = value
    if isinstance(obj, Model):
        candidates["layers"] = obj.layers
        if obj.optimizer is not None:
            candidates["optimizer"] = obj.optimizer
    if isinstance(obj, (Sequential, Functional)):
        yield "layers", candidates.pop("layers")
    for name in sorted(candidates, key=_name_key):
        yield name, candidates[name]


def _walk(obj: Any, path: str, visited: set[int],
          on_saveable: Callable[[Any, str], None]) -> None:
    if id(obj) in visited:
        return
    on_saveable(obj, path)
    visited.add(id(obj))
    for attribute, child in _children(obj):
        child_path = f"{path}/{attribute}" if path else attribute
        if _is_saveable(child):
            _walk(child, child_path, visited, on_saveable)
        elif isinstance(child, (list, tuple, dict)):
            _walk_container(child, child_path, visited, on_saveable, set())


def _walk_container(container: Any, path: str, visited: set[int],
                    on_saveable: Callable[[Any, str], None], seen: set[int]) -> None:
    if id(container) in seen:
        return
    seen.add(id(container))
    used_names: dict[str, int] = {}
    items = container.values() if isinstance(container, dict) else container
    for item in items:
        if _is_saveable(item):
            # A class may name itself as Keras's implementation class is named, where
            # that differs from its public name (GroupQueryAttention).
            class_name = getattr(type(item), "weights_file_class_name", type(item).__name__)
            name = _unique_name(naming.to_snake_case(class_name), used_names)
            _walk(item, f"{path}/{name}", visited, on_saveable)
        elif isinstance(item, (list, tuple, dict)):
            name = _unique_name("container", used_names)
            _walk_container(item, f"{path}/{name}", visited, on_saveable, seen)


def _unique_name(name: str, used_names: dict[str, int]) -> str:
    if name in used_names:
        used_names[name] += 1
        return f"{name}_{used_names[name]}"
    used_names[name] = 0
    return name


def _own_variables(obj: Any) -> list:
    if isinstance(obj, Optimizer):
        return obj.variables
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


def _has_custom_store(obj: Any) -> tuple[bool, bool]:
    """Whether a user class overrides how its variables are saved / loaded (Keras's hooks)."""
    return hasattr(obj, "save_own_variables") and not _is_optimizer(obj), \
        hasattr(obj, "load_own_variables") and not _is_optimizer(obj)


def _is_optimizer(obj: Any) -> bool:
    return isinstance(obj, Optimizer)


def saveables(model: Any) -> list[tuple[str, Any]]:
    """Every saveable object of the model with its path in Keras's layout ("" for the
    model itself), the paths `vars` groups and `assets/` folders are named by."""
    found: list[tuple[str, Any]] = []
    _walk(model, "", set(), lambda obj, path: found.append((path, obj)))
    return found


# -- writing ----------------------------------------------------------------------------
def write_weights(model: Any, h5_file: h5py.File) -> None:
    """Write the model's (and its optimizer's) variables in Keras 3's layout."""

    def save(obj: Any, path: str) -> None:
        group = h5_file.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = obj.name
        saves_itself, _ = _has_custom_store(obj)
        if saves_itself:
            store: dict[str, Any] = {}
            obj.save_own_variables(store)
            items = list(store.items())
        else:
            items = [(str(i), variable.numpy()) for i, variable in enumerate(_own_variables(obj))]
        for key, value in items:
            _write_dataset(group, key, value)

    _walk(model, "", set(), save)


def _write_dataset(group: h5py.Group, key: str, value: Any) -> None:
    array = np.asarray(value)
    if array.dtype.name == "bfloat16":
        # HDF5 has no bfloat16: Keras stores the raw 16 bits and marks the dataset.
        dataset = group.create_dataset(key, data=array.view(np.uint16))
        dataset.attrs["dtype"] = "bfloat16"
    else:
        group.create_dataset(key, data=array)


# -- reading ----------------------------------------------------------------------------
class WeightAssignment:
    """The checked values to give a model's variables; `apply()` assigns them all."""

    def __init__(self) -> None:
        self.values: list[tuple[Any, np.ndarray]] = []
        self.custom_loads: list[tuple[Any, dict]] = []

    def apply(self) -> None:
        for variable, value in self.values:
            variable.assign(value)
        for obj, store in self.custom_loads:
            obj.load_own_variables(store)


def read_weights(model: Any, h5_file: h5py.File, source: str,
                 skip_mismatch: bool = False) -> WeightAssignment:
    """Read and check every saved value against the model; nothing is assigned yet.

    Raises a ValueError naming `source`, the layer and the variable on any mismatch
    (with `skip_mismatch=True`, such layers are skipped with a warning instead).
    """
    plan = WeightAssignment()
    errors: list[str] = []

    def load(obj: Any, path: str) -> None:
        group_path = f"{path}/vars" if path else "vars"
        store = _read_group(h5_file, group_path, source)
        _, loads_itself = _has_custom_store(obj)
        if loads_itself:
            plan.custom_loads.append((obj, store))
            return
        problems = _check_store(obj, store, group_path)
        if problems is None:
            return
        if problems:
            errors.extend(problems)
            return
        for i, variable in enumerate(_own_variables(obj)):
            plan.values.append((variable, store[str(i)]))

    _walk(model, "", set(), load)
    if errors:
        message = (f"Could not load the weights in '{source}' into model '{model.name}':\n  "
                   + "\n  ".join(errors))
        if not skip_mismatch:
            raise ValueError(message)
        warnings.warn(message + "\nThese layers were skipped (skip_mismatch=True).",
                      stacklevel=3)
    return plan


def _check_store(obj: Any, store: dict[str, np.ndarray], group_path: str) -> list[str] | None:
    """Problems with `store` as the values of `obj`'s variables ([] if none; None: skip)."""
    variables = _own_variables(obj)
    kind = "Optimizer" if _is_optimizer(obj) else "Layer"
    if len(store) != len(variables) and _is_optimizer(obj):
        # Keras skips a mismatched optimizer with a warning and keeps the fresh state.
        warnings.warn(
            f"Skipping variable loading for optimizer '{obj.name}', because it has "
            f"{len(variables)} variables whereas the saved optimizer has {len(store)} "
            "variables.", stacklevel=5)
        return None
    problems = []
    expected_keys = [str(i) for i in range(len(variables))]
    missing = [(key, variables[int(key)]) for key in expected_keys if key not in store]
    unexpected = sorted(set(store) - set(expected_keys), key=_numeric_first)
    if missing:
        names = ", ".join(f"'{v.name}' (dataset {group_path}/{key})" for key, v in missing)
        problems.append(f"{kind} '{obj.name}' (group '{group_path}'): variable(s) {names} "
                        f"missing from the file. Expected: {[v.name for v in variables]}")
    if unexpected:
        problems.append(f"{kind} '{obj.name}' (group '{group_path}') expected "
                        f"{len(variables)} variable(s) {[v.name for v in variables]}, but the "
                        f"file also holds dataset(s) {unexpected}.")
    for key, variable in zip(expected_keys, variables):
        unusable = key in store and unusable_values(store[key].dtype)
        if unusable:
            problems.append(
                f"{kind} '{obj.name}': variable '{variable.name}' cannot take the "
                f"{unusable} the file holds for it (dataset {group_path}/{key}).")
        elif key in store and tuple(store[key].shape) != tuple(variable.shape):
            problems.append(
                f"{kind} '{obj.name}': variable '{variable.name}' has shape "
                f"{tuple(variable.shape)} in the model, but the file holds shape "
                f"{tuple(store[key].shape)} (dataset {group_path}/{key}).")
    return problems


def unusable_values(dtype: np.dtype) -> str | None:
    """What is wrong with stored values of this dtype for a variable, or None if nothing.

    Complex values would silently lose their imaginary part, and strings or records give
    numpy's errors, which name neither the file nor the variable.
    """
    if np.issubdtype(dtype, np.complexfloating):
        return f"complex values (dtype {dtype})"
    if dtype == np.bool_ or np.issubdtype(dtype, np.integer) or np.issubdtype(
            dtype, np.floating) or jax.dtypes.issubdtype(dtype, np.floating):
        return None
    return f"non-numeric values (dtype {dtype})"


def _numeric_first(key: str) -> tuple:
    return (0, int(key)) if key.isdigit() else (1, key)


def _read_group(h5_file: h5py.File, group_path: str, source: str) -> dict[str, np.ndarray]:
    """The datasets of one `vars` group as arrays ({} if the group is absent, as in Keras)."""
    group = safe_group(h5_file, group_path, source, missing_ok=True)
    if group is None and "_layer_checkpoint_dependencies" in h5_file:
        # Files from Keras 2.13 named the layers container differently.
        legacy_path = group_path.replace("layers", "_layer_checkpoint_dependencies")
        group = safe_group(h5_file, legacy_path, source, missing_ok=True)
    if group is None:
        return {}
    store = {}
    for key in group.keys():
        dataset = safe_dataset(group, key, source, check_values=False)
        value = dataset[()]
        if dataset.attrs.get("dtype") == "bfloat16":
            import ml_dtypes

            value = np.asarray(value).view(ml_dtypes.bfloat16)
        store[key] = np.asarray(value)
    return store


# -- safe access ------------------------------------------------------------------------
def safe_group(parent: h5py.Group, path: str, source: str,
               missing_ok: bool = False) -> h5py.Group | None:
    """The group at `path`, refusing links that point outside the file."""
    current = parent
    for part in path.split("/"):
        if not part:
            raise ValueError(f"Invalid path '{path}' in the HDF5 file '{source}'.")
        if part not in current:
            if missing_ok:
                return None
            raise ValueError(f"The HDF5 file '{source}' has no group '{path}'.")
        _refuse_links(current, part, source)
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise ValueError(f"Invalid HDF5 file '{source}': '{path}' should be a group, but "
                             f"it is a {type(current).__name__}.")
    return current


def safe_dataset(group: h5py.Group, name: str, source: str,
                 check_values: bool = True) -> h5py.Dataset:
    """A dataset of `group`, refusing external/virtual data, shape bombs and (unless the
    caller checks them itself, naming the variable) values no variable can take."""
    if "/" in name:
        parent, name = name.rsplit("/", 1)
        group = safe_group(group, parent, source)
    if name not in group:
        raise ValueError(f"The HDF5 file '{source}' has no dataset '{group.name}/{name}'.")
    _refuse_links(group, name, source)
    dataset = group[name]
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f"Invalid HDF5 file '{source}': '{group.name}/{name}' should be a "
                         f"dataset, but it is a {type(dataset).__name__}.")
    if dataset.external:
        raise ValueError(f"Not allowed: the HDF5 file '{source}' has a dataset stored in "
                         f"external files: '{dataset.name}'.")
    if dataset.is_virtual:
        raise ValueError(f"Not allowed: the HDF5 file '{source}' has a virtual dataset: "
                         f"'{dataset.name}'.")
    unusable = unusable_values(dataset.dtype) if check_values else None
    if unusable:
        raise ValueError(f"Cannot load the weights in '{source}': the dataset "
                         f"'{dataset.name}' holds {unusable}, which no variable can take.")
    declared = math.prod(dataset.shape or ()) * dataset.dtype.itemsize
    stored = dataset.id.get_storage_size()
    if declared > _DATASET_BOMB_FLOOR_BYTES and declared > _DATASET_MAX_EXPANSION * stored:
        raise ValueError(
            f"Not allowed: dataset '{dataset.name}' in '{source}' declares {declared} bytes "
            f"but stores only {stored}; refusing a potential decompression/shape bomb.")
    return dataset


def _refuse_links(group: h5py.Group, name: str, source: str) -> None:
    link = group.get(name, getclass=True, getlink=True)
    if link in (h5py.ExternalLink, h5py.SoftLink):
        raise ValueError(f"Not allowed: the HDF5 file '{source}' contains a "
                         f"{link.__name__} at '{group.name}/{name}'.")
