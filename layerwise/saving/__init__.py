"""Saving and loading models and weights."""
from layerwise.saving.serialization import (CustomObjectScope, custom_object_scope,
                                            deserialize_keras_object, get_registered_name,
                                            get_registered_object, register_keras_serializable,
                                            serialize_keras_object)


def save_model(model, filepath, overwrite=True, **kwargs):
    raise NotImplementedError("Saving `.keras` files is not implemented yet.")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    raise NotImplementedError("Loading `.keras` files is not implemented yet.")


def save_weights(model, filepath, overwrite=True):
    raise NotImplementedError("save_weights is not implemented yet.")


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    raise NotImplementedError("load_weights is not implemented yet.")


__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
