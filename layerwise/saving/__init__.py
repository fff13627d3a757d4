"""`keras.saving`: the `.keras` format, weights files, Keras 2 `.h5`, and the object registry.

This file is the public map of `layerwise.saving`.
"""
from layerwise.saving.api import load_model, load_weights, save_model, save_weights
from layerwise.saving.registry import (CustomObjectScope, custom_object_scope,
                                       enable_unsafe_deserialization, get_custom_objects,
                                       get_registered_name, get_registered_object,
                                       register_keras_serializable)
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "enable_unsafe_deserialization",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
