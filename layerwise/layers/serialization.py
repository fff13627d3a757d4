"""`keras.layers.serialize` / `deserialize`: a layer to its config dict and back."""
from __future__ import annotations

from typing import Any

from layerwise.engine.layer import Layer


def serialize(layer: Layer) -> dict[str, Any]:
    """The layer's `{"module", "class_name", "config", "registered_name"}` dict."""
    from layerwise.saving.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config: dict[str, Any], custom_objects: dict | None = None) -> Layer:
    """A new layer from a dict written by `serialize` (or by Keras)."""
    from layerwise.saving.serialization import deserialize_layer

    return deserialize_layer(config, custom_objects)
