"""`keras.saving`: the `.keras` format, weights files, Keras 2 `.h5`, and the object registry.

This file is the public map of `layerwise.saving`.
"""
from layerwise.engine.registry import (CustomObjectScope, custom_object_scope,
                                       enable_unsafe_deserialization, get_custom_objects,
                                       get_registered_name, get_registered_object,
                                       register_keras_serializable)
from layerwise.saving import api
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object


# The file formats need h5py, which costs ~50 ms to import: `layerwise.saving.api` is
# imported on the first save or load, not with `import layerwise`.
def save_model(model, filepath, overwrite=True, **kwargs):
    """Save a whole model: `.keras` (Keras 3's zip) or `.h5` (Keras 2's HDF5)."""

    return api.save_model(model, filepath, overwrite=overwrite, **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by layerwise or Keras (`.keras`, or Keras 2 `.h5`)."""

    return api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                          safe_mode=safe_mode)


def save_weights(model, filepath, overwrite=True, **kwargs):
    """Save the model's weights to a `.weights.h5` file in Keras 3's layout."""

    return api.save_weights(model, filepath, overwrite=overwrite, **kwargs)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights from a `.weights.h5`, a `.keras` file or a Keras 2 `.h5` file."""

    return api.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (weights freshly initialised) from `model.to_json()`."""

    return api.model_from_json(json_string, custom_objects=custom_objects)

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
