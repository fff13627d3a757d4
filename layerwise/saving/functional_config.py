"""The config of a Functional model: its layers and the calls that connect them.

Each layer entry is the layer's own config plus `name` and `inbound_nodes`: one entry per
call of the layer inside this model, holding the call's arguments with every symbolic
tensor written as `{"class_name": "__keras_tensor__", "config": {"keras_history":
[layer name, node index, tensor index], ...}}`. Loading recreates the layers, then
replays the calls in an order where each call's inputs already exist. Keras 2 files
write a call as `[[layer name, node index, tensor index, kwargs], ...]`; both are read.
"""
from __future__ import annotations

from typing import Any

import jax

from layerwise.saving.serialization import (TensorReference, _deserialize, all_custom_objects,
                                            effective_safe_mode, serialize_keras_object)

__all__ = ["functional_config", "functional_from_config"]


def _is_functional(layer: Any) -> bool:
    from layerwise.engine.functional_model import Functional

    return isinstance(layer, Functional)


def _is_input_layer(layer: Any) -> bool:
    return type(layer).__name__ == "InputLayer"


def _flat_outputs(node: Any) -> list:
    from layerwise.engine.functional import _is_keras_tensor

    return jax.tree_util.tree_leaves(node.outputs, is_leaf=_is_keras_tensor)


# -- saving -----------------------------------------------------------------------------
def functional_config(model: Any) -> dict[str, Any]:
    """Keras 3's `Functional.get_config()` for one of our Functional models."""
    from layerwise.engine.functional import KerasTensor, _is_keras_tensor

    own_nodes = {id(node) for node in model._nodes}
    for tensor in model.inputs:
        layer, node_index, _ = tensor._keras_history
        own_nodes.add(id(layer._inbound_nodes[node_index]))

    def kept_index(layer: Any, node_index: int) -> int:
        """A node's index among the layer's calls that belong to this model."""
        earlier = layer._inbound_nodes[:node_index]
        return sum(1 for node in earlier if id(node) in own_nodes)

    def serialize_argument(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            layer, node_index, tensor_index = value._keras_history
            return {"class_name": "__keras_tensor__", "config": {
                "shape": list(value.shape), "dtype": value.dtype,
                "keras_history": [layer.name, kept_index(layer, node_index), tensor_index]}}
        return serialize_keras_object(value)

    layer_configs = []
    for layer in getattr(model, "operations", model.layers):
        inbound_nodes = []
        for node in getattr(layer, "_inbound_nodes", []):
            if id(node) not in own_nodes or not node.input_tensors:
                continue
            args = jax.tree_util.tree_map(serialize_argument, list(node.call_args),
                                          is_leaf=_is_keras_tensor)
            kwargs = jax.tree_util.tree_map(serialize_argument, dict(node.call_kwargs),
                                            is_leaf=_is_keras_tensor)
            inbound_nodes.append({"args": args, "kwargs": kwargs})
        layer_config = serialize_keras_object(layer)
        layer_config["name"] = layer.name
        layer_config["inbound_nodes"] = inbound_nodes
        layer_configs.append(layer_config)

    def tensor_config(tensor: Any) -> list:
        layer, node_index, tensor_index = tensor._keras_history
        # Keras counts a nested Functional's calls from 1 here (not in `inbound_nodes`).
        offset = 1 if _is_functional(layer) else 0
        return [layer.name, kept_index(layer, node_index) + offset, tensor_index]

    def structure_config(structure: Any) -> Any:
        return jax.tree_util.tree_map(tensor_config, structure, is_leaf=_is_keras_tensor)

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": _lists(structure_config(model._inputs_structure)),
        "output_layers": _lists(structure_config(model._outputs_structure)),
    }


def _lists(structure: Any) -> Any:
    """Tuples as lists, as they come back from JSON."""
    if isinstance(structure, (list, tuple)):
        return [_lists(item) for item in structure]
    if isinstance(structure, dict):
        return {key: _lists(value) for key, value in structure.items()}
    return structure


# -- loading ----------------------------------------------------------------------------
class _NotReady(Exception):
    """A call's input comes from a layer call that has not been replayed yet."""


def functional_from_config(cls: type, config: dict, custom_objects: Any = None) -> Any:
    """Recreate a Functional model (or a subclass with Functional's constructor)."""
    config = dict(config)
    for key in ("layers", "input_layers", "output_layers"):
        if key not in config:
            raise ValueError(f"Invalid Functional model config: the key '{key}' is missing. "
                             f"Received keys: {sorted(config)}")
    custom = all_custom_objects(custom_objects)
    safe_mode = effective_safe_mode(None)
    created: dict[str, Any] = {}
    pending: dict[str, list] = {}
    order: list[str] = []
    for layer_data in config["layers"]:
        name = layer_data.get("name") or (layer_data.get("config") or {}).get("name")
        if not name:
            raise ValueError(f"Invalid Functional model config: a layer entry has no name: "
                             f"{_short(layer_data)}")
        entry = {key: value for key, value in layer_data.items()
                 if key not in ("name", "inbound_nodes")}
        if "config" not in entry:
            entry["config"] = {}
        layer = _deserialize(entry, custom, safe_mode)
        created[name] = layer
        pending[name] = list(layer_data.get("inbound_nodes") or [])
        order.append(name)

    while any(pending.values()):
        progressed = False
        for name in order:
            while pending[name]:
                try:
                    args, kwargs = _node_arguments(pending[name][0], created)
                except _NotReady:
                    break
                created[name](*args, **kwargs)
                pending[name].pop(0)
                progressed = True
        if not progressed:
            stuck = {name: len(nodes) for name, nodes in pending.items() if nodes}
            raise ValueError(
                "Invalid Functional model config: the graph has loops or calls whose inputs "
                f"never get computed. Unresolved calls per layer: {stuck}")

    inputs = _structure_tensors(config["input_layers"], created)
    outputs = _structure_tensors(config["output_layers"], created)
    extra = {key: value for key, value in config.items()
             if key not in ("layers", "input_layers", "output_layers", "name", "trainable")}
    trainable = config.get("trainable")
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
               trainable=True if trainable is None else trainable, **extra)


def _node_arguments(node_data: Any, created: dict) -> tuple[list, dict]:
    """The (args, kwargs) of one saved call, with tensors looked up in `created`."""
    if isinstance(node_data, list):  # Keras 2: [[layer, node, tensor, kwargs], ...]
        tensors, kwargs = [], {}
        for item in node_data:
            if not isinstance(item, (list, tuple)) or len(item) not in (3, 4):
                raise ValueError(f"Invalid Functional model config: cannot read the call "
                                 f"{node_data!r}")
            tensors.append(_output_of(item[0], item[1], item[2], created))
            if len(item) == 4 and item[3]:
                kwargs = dict(item[3])
        return [tensors[0] if len(tensors) == 1 else tensors], _supported_kwargs(kwargs)
    if not isinstance(node_data, dict):
        raise ValueError(f"Invalid Functional model config: cannot read the call {node_data!r}")
    args = _deserialize(node_data.get("args", []), {}, True)
    kwargs = _deserialize(node_data.get("kwargs", {}), {}, True)

    def resolve(value: Any) -> Any:
        if isinstance(value, TensorReference):
            return _output_of(value.layer_name, value.node_index, value.tensor_index, created)
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        return value

    return resolve(args), _supported_kwargs(resolve(kwargs))


def _supported_kwargs(kwargs: dict) -> dict:
    # Keras records `mask=None` for calls of nested models; we have no masking.
    kwargs = dict(kwargs)
    if kwargs.get("mask", 0) is None:
        del kwargs["mask"]
    return kwargs


def _output_of(layer_name: str, node_index: int, tensor_index: int, created: dict) -> Any:
    if layer_name not in created:
        raise ValueError(f"Invalid Functional model config: a call uses the output of layer "
                         f"'{layer_name}', which the config does not define.")
    nodes = getattr(created[layer_name], "_inbound_nodes", [])
    if node_index >= len(nodes):
        raise _NotReady()
    outputs = _flat_outputs(nodes[node_index])
    if tensor_index >= len(outputs):
        raise ValueError(f"Invalid Functional model config: layer '{layer_name}' has "
                         f"{len(outputs)} output(s); output {tensor_index} was asked for.")
    return outputs[tensor_index]


def _structure_tensors(structure: Any, created: dict) -> Any:
    if isinstance(structure, (list, tuple)) and len(structure) == 3 and isinstance(
            structure[0], str):
        name, node_index, tensor_index = structure
        layer = created.get(name)
        if layer is not None and _is_functional(layer):
            node_index -= 1  # see `tensor_config` above
        try:
            return _output_of(name, node_index, tensor_index, created)
        except _NotReady:
            raise ValueError(f"Invalid Functional model config: layer '{name}' is never "
                             f"called {node_index + 1} time(s).") from None
    if isinstance(structure, dict):
        return {key: _structure_tensors(value, created) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_structure_tensors(item, created) for item in structure]
    raise ValueError(f"Invalid Functional model config: cannot read inputs/outputs "
                     f"{structure!r}")


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
