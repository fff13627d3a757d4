"""Sequential: a plain stack of layers, each feeding the next."""
from __future__ import annotations

from typing import Any, Iterable

from layerwise.engine import naming
from layerwise.engine.input_layer import InputLayer
from layerwise.engine.keras_tensor import KerasTensor
from layerwise.engine.layer import Layer, serialize_dtype_policy
from layerwise.models import host_prefix
from layerwise.models.model import Model
from layerwise.saving.serialization import deserialize_layer, serialize_layer


class Sequential(Model):
    """A model whose layers run one after another.

    Args:
        layers: layers to add, in order; the first may be an `Input(...)` or carry
            `input_shape=`, which lets the model build immediately.
        name: the model's name.
    """

    # host_prefix.py: its first host layers (StringLookup, ...) may run before the rest.
    runs_layers_in_order = True
    # As a Functional graph: inputs as given, each layer casting to its compute dtype.
    input_dtype = "float32"

    def __init__(self, layers: Iterable[Any] | None = None, trainable: bool = True,
                 name: str | None = None):
        super().__init__(trainable=trainable, name=name)
        self._layers: list[Layer] = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    # -- assembling ----------------------------------------------------------------------
    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or an `Input(...)`) to the stack."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})")
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError(
                    f"Sequential '{self.name}': an Input can only be the first layer, but "
                    f"the model already has {len(self._layers)} layer(s).")
        elif not self._layers and layer._input_shape_arg is not None:
            self._layers.append(InputLayer(batch_shape=layer._input_shape_arg))
        names = {existing.name for existing in self._layers}
        if layer.name in names:
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in model '{self.name}'.")
        self._layers.append(layer)
        self.built = False
        self._steps = None
        if rebuild:
            self._maybe_build()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError(f"There are no layers in model '{self.name}' to pop.")
        layer = self._layers.pop()
        self.built = False
        self._steps = None
        if rebuild:
            self._maybe_build()
        return layer

    def _structure_key(self) -> tuple:
        # Cheaper than walking every variable: a built layer's variables never change,
        # so the layers, and whether each is built, identify the variables.
        return tuple((id(layer), layer.built) for layer in self._layers)

    @property
    def _input_layer(self) -> Any:
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[0]
        return None

    def _maybe_build(self) -> None:
        if self._input_layer is not None and len(self._layers) > 1:
            self.built = False
            self.build_for_shape(self._input_layer.batch_shape)

    @property
    def layers(self) -> list[Layer]:
        """The layers, without the automatically added input layer."""
        return [layer for layer in self._layers if layer is not self._input_layer]

    # -- building and calling ------------------------------------------------------------
    def build(self, input_shape: Any = None) -> None:
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(f"Sequential '{self.name}' cannot build without an input "
                                 "shape: add an Input or pass input_shape.")
            input_shape = self._input_layer.batch_shape
        if self._input_layer is None:
            self._layers.insert(0, InputLayer(batch_shape=tuple(input_shape)))
        # Calling each layer on the symbolic input records the graph, as Keras does, so
        # that `model.outputs` and every layer's `input`/`output` exist.
        tensor = self._input_layer.output
        for layer in self.layers:
            tensor = layer(tensor)
        self._graph_output = tensor
        self._output_shape = tensor.shape
        # Keras wraps the built stack in a Functional here, which takes the next automatic
        # "functional" name: later models are numbered as in Keras ("functional_1").
        naming.unique_name("functional")
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        layers = self.layers
        if isinstance(inputs, host_prefix.HostOutputs):  # the host layers have run
            inputs, layers = inputs[0], layers[host_prefix.host_layer_count(self):]
        for layer in layers:
            inputs = layer(inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def check_input_shape(self, input_shape: Any) -> None:
        input_layer = self._input_layer
        if input_layer is None or not isinstance(input_shape, tuple) or isinstance(
                input_shape, host_prefix.HostOutputs):
            return
        expected = input_layer.batch_shape
        compatible = len(input_shape) == len(expected) and all(
            e is None or e == g for e, g in zip(expected[1:], input_shape[1:]))
        if not compatible:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"shape={expected}, found shape={tuple(input_shape)}")

    @property
    def input_shape(self) -> tuple:
        if self._input_layer is None:
            raise AttributeError(f"Sequential '{self.name}' has no defined input shape yet.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self) -> tuple:
        if not self.built:
            raise AttributeError(f"Sequential '{self.name}' has not been built yet.")
        return self._output_shape

    @property
    def inputs(self) -> list:
        if self._input_layer is None or not self.built:
            raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet.")
        return [self._input_layer.output]

    @property
    def outputs(self) -> list:
        if self._input_layer is None or not self.built:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return [self._graph_output]

    # -- configuration -------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": serialize_dtype_policy(self.dtype_policy),
                  "layers": [serialize_layer(layer) for layer in self._layers]}
        if self._input_layer is not None:
            config["build_input_shape"] = list(self._input_layer.batch_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> "Sequential":
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects), rebuild=False)
        if model._input_layer is None and config.get("build_input_shape"):
            model.build_for_shape(tuple(config["build_input_shape"]))
        else:
            model._maybe_build()
        return model
