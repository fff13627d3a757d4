"""Layers that wrap a layer: `TimeDistributed` (the layer on every time step) and
`Bidirectional` (a recurrent layer forwards and a copy backwards, outputs merged)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.engine.layer import Layer
from layerwise.layers.nested import build_inside
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _serialize(layer: Layer) -> dict:
    return serialize_keras_object(layer)


def _deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    return deserialize_keras_object(config, custom_objects)


def _without_prefix(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Wrapper(Layer):
    """Base of layers that wrap one layer, saved in their config under "layer"."""

    def __init__(self, layer: Layer, **kwargs: Any):
        if not isinstance(layer, Layer):
            raise ValueError(f"Invalid value for argument `layer` of {type(self).__name__}. "
                             f"Expected a `Layer` instance. Received: layer={layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        build_inside(self, self.layer, input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        config = dict(config)
        layer = _deserialize(config.pop("layer"), custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies `layer` to every time step (axis 1) of its inputs, with the same weights.

    Stateless layers see the time steps folded into the batch (one call); layers with a
    random stream or moving statistics are called once per step, as Keras calls them, so
    each step draws its own dropout mask and updates the statistics in turn.
    """

    def _child_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape: Any) -> None:
        build_inside(self, self.layer, self._child_shape(input_shape))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        child = tuple(self.layer.compute_output_shape(self._child_shape(input_shape)))
        return (child[0], input_shape[1], *child[1:])

    def _child_kwargs(self, training: Any, mask: Any) -> dict:
        import inspect

        parameters = inspect.signature(self.layer.call).parameters
        kwargs = {}
        if "training" in parameters:
            kwargs["training"] = training
        if "mask" in parameters and mask is not None:
            kwargs["mask"] = mask
        return kwargs

    def call(self, inputs: jax.Array, training: bool | None = None, mask: Any = None) -> Any:
        if mask is not None:
            mask = jnp.asarray(mask)
            if mask.ndim < 2 or mask.shape[:2] != inputs.shape[:2]:
                raise ValueError(
                    "The `mask` passed to the `TimeDistributed` layer has a shape "
                    f"{mask.shape} that is incompatible with the input shape {inputs.shape}. "
                    "The first two dimensions of the mask (batch size and timesteps) must "
                    "match the input's first two dimensions.")
        batch, steps = inputs.shape[0], inputs.shape[1]
        if self.layer.seed_generators or self.layer.non_trainable_weights:
            outputs = [self.layer(inputs[:, step], **self._child_kwargs(
                training, None if mask is None else mask[:, step])) for step in range(steps)]
            return jnp.stack(outputs, axis=1)
        folded = inputs.reshape((batch * steps,) + inputs.shape[2:])
        folded_mask = None if mask is None else mask.reshape((batch * steps,) + mask.shape[2:])
        outputs = self.layer(folded, **self._child_kwargs(training, folded_mask))
        return outputs.reshape((batch, steps) + outputs.shape[1:])


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards, and merges the outputs.

    Args:
        layer: the forward layer (an RNN); its config makes the two copies used.
        merge_mode: "concat" (default), "sum", "mul", "ave", or None (a list of both).
        backward_layer: the backward layer, instead of a copy of `layer` with
            `go_backwards` flipped.
    """

    def __init__(self, layer: Layer, merge_mode: str | None = "concat", weights: Any = None,
                 backward_layer: Layer | None = None, **kwargs: Any):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `Layer` "
                             f"instance. Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `Layer` instance. "
                             f"Received: {backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             'be one of {"sum", "mul", "ave", "concat", None}')
        if weights is not None:
            raise NotImplementedError("Bidirectional: `weights` is not supported; call "
                                      "`set_weights` after building.")
        super().__init__(**kwargs)
        # Both directions are fresh layers made from the given layer's config, as in Keras.
        config = _serialize(layer)
        config["config"]["name"] = f"forward_{_without_prefix(layer.name, 'forward_')}"
        self.forward_layer = _deserialize(config)
        if backward_layer is None:
            config = _serialize(layer)
            config["config"]["go_backwards"] = True
            config["config"]["name"] = f"backward_{_without_prefix(layer.name, 'backward_')}"
            backward_layer = _deserialize(config)
        self.backward_layer = backward_layer
        self._check_directions()
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def _check_directions(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attribute) != getattr(backward, attribute):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value "
                    f'for attribute "{attribute}", got "{getattr(forward, attribute)}" for '
                    f'forward layer and "{getattr(backward, attribute)}" for backward layer')

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        build_inside(self, self.forward_layer, sequences_shape)
        build_inside(self, self.backward_layer, sequences_shape)

    def check_input_shape(self, input_shape: Any) -> None:
        self.forward_layer.check_input_shape(input_shape)

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None
                             ) -> Any:
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes: tuple = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        elif self.merge_mode is None:
            output_shape = [tuple(output_shape), tuple(output_shape)]
        if self.return_state:
            if self.merge_mode is None:
                return tuple(output_shape) + state_shapes + state_shapes
            return (tuple(output_shape),) + state_shapes + state_shapes
        return tuple(output_shape)

    def call(self, sequences: jax.Array, initial_state: Any = None, mask: Any = None,
             training: bool | None = None) -> Any:
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        kwargs: dict = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_reversed = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states: tuple = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_reversed[1:])
            y, y_reversed = y[0], y_reversed[0]
        if self.return_sequences:
            # The backward layer's outputs come last step first; put them in time order.
            y_reversed = jnp.flip(y_reversed, axis=1)
        if self.merge_mode == "concat":
            output: Any = jnp.concatenate([y, y_reversed], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_reversed
        elif self.merge_mode == "ave":
            output = (y + y_reversed) / 2
        elif self.merge_mode == "mul":
            output = y * y_reversed
        else:
            output = (y, y_reversed)
        if self.return_state:
            return output + states if self.merge_mode is None else (output,) + states
        return output

    @property
    def states(self) -> tuple | None:
        forward, backward = self.forward_layer.states, self.backward_layer.states
        return tuple(forward + backward) if forward and backward else None

    def reset_state(self) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self) -> None:
        self.reset_state()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _serialize(self.forward_layer),
                "backward_layer": _serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None
                    ) -> "Bidirectional":
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _deserialize(backward, custom_objects)
        return cls(**config)
