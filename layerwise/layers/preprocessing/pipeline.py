"""Pipeline: preprocessing layers applied one after the other, as one layer."""
from __future__ import annotations

from typing import Any

from layerwise.engine.layer import Layer
from layerwise.saving.serialization import deserialize_layer, serialize_keras_object

class Pipeline(Layer):
    """Calls each of `layers` on the previous one's output; unlike Sequential it is a
    plain layer (no model methods), meant for data preprocessing."""

    def __init__(self, layers: list, name: str | None = None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return self._pipeline_layers

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        for layer in self._pipeline_layers:
            arguments = {}
            if layer._call_has_mask_arg and mask is not None:
                arguments["mask"] = mask
            if layer._call_has_training_arg and training is not None:
                arguments["training"] = training
            inputs = layer(inputs, **arguments)
            mask = None
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "Pipeline":
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                "`Pipeline` config must contain a `layers` key mapping to a list of "
                f"serialized layers. Received config with layers={layers}.")
        return cls([deserialize_layer(layer) for layer in layers], name=config.get("name"))

__all__ = ["Pipeline"]
