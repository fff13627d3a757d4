"""Finding dtype policies by name and (de)serializing them in Keras 3's dict form."""
from __future__ import annotations

from typing import Any

from layerwise.dtype_policies.dtype_policy import (QUANTIZATION_MODES, DTypePolicy,
                                                   FloatDTypePolicy, dtype_policy,
                                                   reject_quantized,
                                                   standardize_dtype)

__all__ = ["deserialize", "get", "serialize"]

# Class name -> class, for configs; dtype_policy_map adds DTypePolicyMap.
POLICY_CLASSES: dict[str, type] = {"DTypePolicy": DTypePolicy,
                                   "FloatDTypePolicy": FloatDTypePolicy}
# Keras exports the plain policies at the top level ("keras"), the map in its namespace.
_MODULES = {"DTypePolicy": "keras", "FloatDTypePolicy": "keras",
            "DTypePolicyMap": "keras.dtype_policies"}


def serialize(policy: DTypePolicy) -> dict[str, Any]:
    """`{"module", "class_name", "config", "registered_name"}`, as Keras writes a policy."""
    class_name = type(policy).__name__
    return {"module": _MODULES.get(class_name, type(policy).__module__),
            "class_name": class_name, "config": policy.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any], custom_objects: dict | None = None) -> DTypePolicy:
    """The policy a `serialize` dict describes (Keras 2's `{"class_name", "config"}` too)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Invalid value for argument `config`. Expected a dict with "
                         f"'class_name' and 'config'. Received: config={config!r}")
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or POLICY_CLASSES.get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown dtype policy class '{class_name}'. Known: {sorted(POLICY_CLASSES)} "
            "(quantized policies are not implemented in layerwise).")
    inner = config.get("config") or {}
    if class_name == "DTypePolicyMap":
        return cls.from_config(inner, custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> DTypePolicy:
    """A policy from None (the global one), a name, a config dict, a dtype or a policy."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.startswith(QUANTIZATION_MODES):
            reject_quantized(identifier)
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(standardize_dtype(identifier))
    except (ValueError, TypeError):
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an "
                         f"instance of DTypePolicy. Received: dtype={identifier}") from None
