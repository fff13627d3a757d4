"""Model: a Layer that can be trained, saved and summarised.

`Model(inputs, outputs)` builds a functional graph model; subclassing `Model` and
writing `call` gives a model of any shape; `Sequential` is the common special case.
"""
from __future__ import annotations

import json
from typing import Any

import jax

from layerwise.engine.layer import Layer, _abstract_inputs
from layerwise.engine.variables import ShapeScope
from layerwise.models import host_prefix
from layerwise.models.functional_config import functional_from_config
from layerwise.models.custom_steps import StatelessSteps
from layerwise.models.trainer import Trainer
from layerwise.saving import api as saving_api
from layerwise.saving.serialization import (compile_from_config, serialize_compile_config,
                                            serialize_keras_object)
from layerwise.utils.summary import print_summary


class Model(StatelessSteps, Trainer, Layer):
    """A trainable stack or graph of layers."""

    def __new__(cls, *args: Any, **kwargs: Any):
        if cls is Model and _functional_arguments(args, kwargs):
            return object.__new__(_functional_class())
        return object.__new__(cls)

    def __init__(self, *args: Any, trainable: bool = True, name: str | None = None,
                 **kwargs: Any):
        functional = _functional_class()
        # A subclass whose own `__init__` hands `(inputs, outputs)` up to Model (keras.io's
        # "customizing fit" pattern) becomes a Functional subclass, as in Keras. What counts
        # is what reaches Model, not what the subclass's constructor was given.
        if _functional_arguments(args, kwargs) and not isinstance(self, functional):
            _make_functional_subclass(type(self))
            functional.__init__(self, *args, trainable=trainable, name=name, **kwargs)
            return
        if args:
            raise TypeError(f"Model.__init__ got unexpected positional arguments {args!r}")
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)
        self._init_trainer()

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # Raw data (strings) for a model with host layers at its front: those run first.
        return super().__call__(host_prefix.prepare_call(self, inputs), *args, **kwargs)

    def build(self, input_shape: Any) -> None:
        """Build every sublayer by tracing `call` abstractly on inputs of `input_shape`."""
        specs = _abstract_inputs(input_shape, self.input_dtype)
        self.built = True  # so that the traced call below does not try to build again
        # Inside a scope: a seed generator's draw or a state update made while tracing
        # must not leave a tracer in the variable.
        with ShapeScope():
            jax.eval_shape(lambda inputs: self.call(inputs), specs)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer of this model by name or by index (in `model.layers`)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(layers)} layers.")
            return layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index at `get_layer`.")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in layers]}.")

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Any = None) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        print_summary(self, line_length=line_length, print_fn=print_fn,
                      show_trainable=show_trainable, positions=positions,
                      expand_nested=expand_nested, layer_range=layer_range)

    def save(self, filepath: Any, overwrite: bool = True, zipped: bool | None = None,
             **kwargs: Any) -> None:
        """Save the model (architecture, weights, optimizer state) to `.keras` (or `.h5`)."""
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True,
                     max_shard_size: Any = None) -> None:
        """Save the weights (and optimizer state) to a `.weights.h5` file."""
        saving_api.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights from `.weights.h5`, `.keras` or Keras 2 `.h5`; all or nothing."""
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config as JSON (`keras.models.model_from_json` reads it back)."""
        return json.dumps(serialize_keras_object(self), **kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects: Any = None) -> "Model":
        """A model from `get_config()`; a functional config gives a Functional model."""
        if "input_layers" in config and "output_layers" in config and "layers" in config:
            functional = _functional_class()
            return functional.from_config(config, custom_objects) if cls is Model \
                else functional_from_config(cls, config, custom_objects)
        return cls(**config)

    def get_compile_config(self) -> dict:
        """The arguments `compile` was called with, serialized; {} if not compiled."""
        if not self.compiled or getattr(self, "_compile_config", None) is None:
            return {}
        return serialize_compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        """Compile with a config from `get_compile_config` (as loading a model does)."""
        compile_from_config(self, config)


def _functional_arguments(args: tuple, kwargs: dict) -> bool:
    """Whether a constructor's arguments are a Functional model's `(inputs, outputs)`."""
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


def _make_functional_subclass(cls: type) -> None:
    """Put `Functional` where `Model` stands among the bases of `cls` and its ancestors."""
    functional = _functional_class()
    for klass in cls.__mro__:
        if Model in klass.__bases__ and klass is not functional:
            klass.__bases__ = tuple(functional if base is Model else base
                                    for base in klass.__bases__)


def _functional_class() -> type:
    """`Functional`, which subclasses `Model` and so can only be imported after it."""
    from layerwise.models.functional import Functional

    return Functional
