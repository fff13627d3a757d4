"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Lambda, Identity."""
from __future__ import annotations

import inspect
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import activations, constraints, initializers, regularizers
from layerwise.engine.layer import Layer
from layerwise.engine.registry import in_safe_mode
from layerwise.layers.arguments import positive_int
from layerwise.layers.flat_matmul import flat_matmul
from layerwise.saving.function_code import dump_function_code, refuse_code
from layerwise.saving.serialization import (deserialize_keras_object, find_code,
                                            serialize_keras_object)


class Dense(Layer):
    """`output = activation(inputs @ kernel + bias)` over the last axis of the inputs.

    Args:
        units: size of the last axis of the output.
        activation: name or function; None means linear.
        use_bias: whether to add a bias vector.
    """

    supports_masking = True  # as in Keras: the input's mask passes on

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None, **kwargs: Any):
        kwargs.pop("quantization_config", None)
        kwargs.pop("lora_alpha", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = positive_int(units, "units", f"Dense '{self.name}'")
        if lora_rank:
            raise NotImplementedError("Dense: `lora_rank` is not supported yet.")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        # Initializers are created here, not in build: an unseeded one draws its seed at
        # construction, which keeps seeded runs identical to Keras's.
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape: tuple) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense '{self.name}': the last axis of the input shape must be known. "
                f"Received: input_shape={input_shape}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def check_input_shape(self, input_shape: Any) -> None:
        if not self.built or not isinstance(input_shape, tuple):
            return
        expected = self.kernel.shape[0]
        if len(input_shape) < 2 or input_shape[-1] != expected:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                f"axis -1 of input shape to have value {expected}, but received input with "
                f"shape {input_shape}"
            )

    def call(self, inputs: jax.Array) -> jax.Array:
        outputs = flat_matmul(inputs, self.kernel.value)
        if self.bias is not None:
            outputs = outputs + self.bias.value
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


class Activation(Layer):
    """Applies an activation function."""

    supports_masking = True  # as in Keras: the input's mask passes on

    def __init__(self, activation: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes a fraction `rate` of the inputs during training and scales the rest by 1/(1-rate).

    Args:
        rate: fraction of the inputs to drop, in [0, 1).
        noise_shape: shape of the keep/drop mask, broadcast against the inputs
            (None entries take the input's size).
        seed: seed of the layer's own random stream.
    """

    supports_masking = True  # as in Keras: the input's mask passes on

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating, np.integer)) \
                or not 0 <= rate < 1:
            raise ValueError(
                f"Invalid value received for argument `rate` of Dropout '{self.name}'. "
                f"Expected a float value in [0, 1). Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        # Created at construction, like Keras, so seeded runs draw seeds in the same order.
        self.seed_generator = self.add_seed_generator(seed) if self.rate > 0 else None
        self.built = True

    def call(self, inputs: jax.Array, training: bool | None = False) -> jax.Array:
        # A zero rate is known by its missing seed generator rather than by the value, so
        # a traced rate can be an argument of the step (layerwise.sweep).
        if not training or self.seed_generator is None:
            return inputs
        keep_probability = 1.0 - self.rate
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        keep = jax.random.bernoulli(self.seed_generator.next(), keep_probability, shape)
        return jnp.where(keep, inputs / keep_probability, jnp.zeros_like(inputs))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Flatten(Layer):
    """Flattens every axis but the batch axis."""

    def __init__(self, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = jnp.moveaxis(inputs, 1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes every sample to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(
                d == 0 or d < -1 for d in self.target_shape):
            raise ValueError(
                f"Invalid value for argument `target_shape` of Reshape '{self.name}'. "
                f"Expected positive sizes with at most one -1. Received: "
                f"target_shape={target_shape!r}")
        self.built = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        if -1 in self.target_shape:
            if any(d is None for d in rest):
                known = None
            else:
                known = int(math.prod(rest)) // -int(math.prod(self.target_shape))
            return (input_shape[0],) + tuple(known if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + self.target_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Lambda(Layer):
    """Wraps a function of the inputs as a layer: `Lambda(lambda x: x * 2)`.

    A Python lambda is saved as bytecode, as Keras saves it, so loading it back runs
    code from the file: that is refused unless the loader passes `safe_mode=False`.
    Named functions are saved by name and found again through `custom_objects` or
    `register_keras_serializable`.

    Args:
        function: called as `function(inputs, **arguments)` (plus `training=` if it
            takes that argument).
        output_shape: the output shape without the batch axis, or a function of the
            input shape; found by tracing `function` when omitted.
        arguments: extra keyword arguments for `function`.
    """

    def __init__(self, function: Any, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Invalid value for argument `function` of Lambda '{self.name}'. "
                            f"Expected a callable. Received: function={function!r}")
        if mask is not None:
            raise NotImplementedError(f"Lambda '{self.name}': `mask` is not supported.")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._function_takes_training = "training" in parameters
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        arguments = dict(self.arguments)
        if self._function_takes_training:
            arguments["training"] = training
        return self.function(inputs, **arguments)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        return (input_shape[0],) + tuple(self._output_shape)

    def get_config(self) -> dict[str, Any]:

        config = {**super().get_config(), "function": _serialize_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = _serialize_function(self._output_shape) \
                if callable(self._output_shape) else serialize_keras_object(self._output_shape)
        config["arguments"] = serialize_keras_object(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "Lambda":

        config = dict(config)
        if in_safe_mode() and find_code(config) is not None:
            raise refuse_code(f"Lambda layer '{config.get('name', 'lambda')}'")
        for key in ("function", "output_shape"):
            if key in config and not (key == "output_shape" and isinstance(config[key], list)):
                config[key] = deserialize_keras_object(config[key], custom_objects,
                                                       safe_mode=None)
        if isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        config.pop("mask", None)
        config["arguments"] = deserialize_keras_object(config.get("arguments") or {},
                                                       custom_objects, safe_mode=None)
        return cls(**config)


def _serialize_function(function: Any) -> Any:
    """A lambda as Keras's Lambda layer writes it (bytecode); anything else by name."""

    if getattr(function, "__name__", None) == "<lambda>":
        code, defaults, closure = dump_function_code(function)
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": defaults, "closure": closure}}
    return serialize_keras_object(function)


class Identity(Layer):
    """Returns its inputs unchanged (a placeholder in a model's structure)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
