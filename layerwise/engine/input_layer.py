"""Where a model's graph starts: `InputLayer` and `keras.Input`."""
from __future__ import annotations

from typing import Any

from layerwise.backend import floatx
from layerwise.engine.keras_tensor import KerasTensor, Node
from layerwise.engine.layer import Layer, standardize_shape


class InputLayer(Layer):
    """The entry point of a model: holds the input's shape and dtype, computes nothing."""

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 sparse: bool | None = None, batch_shape: Any = None, input_tensor: Any = None,
                 optional: bool = False, name: str | None = None, ragged: bool | None = None,
                 **kwargs: Any):
        # Keras 2 configs spell these `batch_input_shape` / `input_shape`.
        legacy_batch_shape = kwargs.pop("batch_input_shape", None)
        legacy_shape = kwargs.pop("input_shape", None)
        batch_shape = batch_shape if batch_shape is not None else legacy_batch_shape
        shape = shape if shape is not None else legacy_shape
        # Inputs are floatx (float32) unless told, whatever the global dtype policy.
        super().__init__(name=name, dtype=dtype if dtype is not None else floatx(), **kwargs)
        if sparse:
            raise ValueError(f"InputLayer '{self.name}': sparse inputs are not supported.")
        if batch_shape is not None:
            self.batch_shape = standardize_shape(batch_shape, "batch_shape")
        elif shape is not None:
            self.batch_shape = (batch_size,) + standardize_shape(shape, "shape")
        else:
            raise ValueError(
                "You must pass a `shape` argument to Input / InputLayer. Received: shape=None"
            )
        self.optional = optional
        self.built = True
        output = KerasTensor(self.batch_shape, self.dtype, history=(self, 0, 0), name=self.name)
        self._inbound_nodes = [Node(self, (), {}, output, is_input=True)]

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,
          sparse: bool | None = None, batch_shape: Any = None, name: str | None = None,
          tensor: Any = None, optional: bool = False) -> KerasTensor:
    """A symbolic input of the given shape (without the batch axis)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output
