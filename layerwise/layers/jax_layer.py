"""JaxLayer: a plain JAX function (and its parameters) as a layer.

`call_fn` takes any of the arguments `params`, `state`, `rng`, `inputs` (required) and
`training`, by those names; `init_fn` takes any of `rng`, `inputs` (required), `training`
and returns the params (or `(params, state)` when `call_fn` takes a state). Params become
trainable weights and state non-trainable ones, one per array leaf of their pytrees, so
`fit` trains them and `.keras` files save them. A `call_fn` that takes a state returns
`(outputs, new_state)`; the new state is assigned to the state weights.

FlaxLayer is not provided: flax is not a dependency of layerwise.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import random
from layerwise.engine.layer import Layer
from layerwise.engine.variables import tracing_shapes_only
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object

_CALL_ARGUMENTS = ("params", "state", "rng", "inputs", "training")
_INIT_ARGUMENTS = ("rng", "inputs", "training")


def _argument_names(function: Callable, name: str, allowed: tuple) -> list[str]:
    """`function`'s parameter names, checked against the ones a JaxLayer can pass."""
    names = list(inspect.signature(function).parameters)
    if "inputs" not in names:
        raise ValueError(f"Missing required argument in `{name}`: `inputs`")
    for parameter in names:
        if parameter not in allowed:
            raise ValueError(f"Unsupported argument in `{name}`: `{parameter}`, supported "
                             f"arguments are `{'`, `'.join(allowed)}`")
    return names


class JaxLayer(Layer):
    """Wraps `call_fn(params, state, rng, inputs, training)` (any subset, by name).

    Args:
        call_fn: the forward function.
        init_fn: makes the initial params (and state) from an example input of ones
            (unknown sizes become 1); used when `params` and `state` are not given.
        params / state: initial pytrees of arrays, instead of `init_fn`.
        seed: seed of the generator behind `rng` (a new key each training call; `rng` is
            None in inference).
    """

    def __init__(self, call_fn: Callable, init_fn: Callable | None = None, params: Any = None,
                 state: Any = None, seed: int | None = None,
                 native_serialization_platforms: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not callable(call_fn):
            raise TypeError(f"Invalid value for argument `call_fn` of JaxLayer "
                            f"'{self.name}'. Expected a callable. Received: {call_fn!r}")
        self.call_fn = call_fn
        self.init_fn = init_fn
        self.native_serialization_platforms = native_serialization_platforms
        self.call_fn_arguments = _argument_names(call_fn, "call_fn", _CALL_ARGUMENTS)
        self.init_fn_arguments = None if init_fn is None else _argument_names(
            init_fn, "init_fn", _INIT_ARGUMENTS)
        self._weight_count = 0
        self.params = self.state = None
        self._tracked = self._as_weights(params, trainable=True) + \
            self._as_weights(state, trainable=False)
        self.seed_generator = self.add_seed_generator(seed) \
            if "rng" in self.call_fn_arguments else None
        takes_weights = "params" in self.call_fn_arguments or "state" in self.call_fn_arguments
        if init_fn is None and params is None and state is None and takes_weights:
            raise ValueError("`init_fn`, `params` and `state` cannot all be `None` when "
                             "`call_fn` takes a `params` or a `state` argument.")
        if params is not None or state is not None:
            self.built = True

    def _as_weights(self, values: Any, trainable: bool) -> list:
        """Replace every array (or number) leaf of `values` with a new weight."""
        def to_weight(value: Any) -> Any:
            if isinstance(value, (np.ndarray, np.generic, jax.Array, bool, int, float)):
                array = np.asarray(value)
                dtype = None if np.issubdtype(array.dtype, np.floating) else array.dtype.name
                name = "variable" if self._weight_count == 0 else \
                    f"variable_{self._weight_count}"
                self._weight_count += 1
                return self.add_weight(shape=array.shape, dtype=dtype, trainable=trainable,
                                       initializer=lambda shape, dtype=None, v=array:
                                       jnp.asarray(v, dtype), name=name)
            return value  # configuration the function reads, not a weight

        weights = jax.tree_util.tree_map(to_weight, values)
        if trainable:
            self.params = weights
        else:
            self.state = weights
        return jax.tree_util.tree_leaves(weights)

    def build(self, input_shape: Any) -> None:
        takes_weights = "params" in self.call_fn_arguments or "state" in self.call_fn_arguments
        if self.params is not None or self.state is not None or not takes_weights:
            return
        example = jax.tree_util.tree_map(
            lambda shape: jnp.ones(tuple(1 if d is None else d for d in shape)), input_shape,
            is_leaf=lambda v: isinstance(v, tuple) and all(
                d is None or isinstance(d, int) for d in v))
        values = {"rng": lambda: random.make_key(None), "inputs": lambda: example,
                  "training": lambda: True}
        result = self.init_fn(*(values[name]() for name in self.init_fn_arguments))
        params, state = result if "state" in self.call_fn_arguments else (result, None)
        self._tracked = self._as_weights(params, trainable=True) + \
            self._as_weights(state, trainable=False)

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        def value_of(leaf: Any) -> Any:
            return leaf.value if hasattr(leaf, "assign") else leaf

        arguments = {
            "params": lambda: jax.tree_util.tree_map(value_of, self.params),
            "state": lambda: jax.tree_util.tree_map(value_of, self.state),
            "rng": lambda: self.seed_generator.next() if training else None,
            "inputs": lambda: inputs,
            "training": lambda: bool(training),
        }
        result = self.call_fn(*(arguments[name]() for name in self.call_fn_arguments))
        if "state" not in self.call_fn_arguments:
            return result
        outputs, new_state = result

        def assign(value: Any, weight: Any) -> None:
            if not hasattr(weight, "assign"):
                raise ValueError("Structure mismatch: the structure of the state returned by "
                                 "`call` does not match the structure of the state at "
                                 "initialization time.")
            # Shape inference traces the call with no scope to collect assignments:
            # writing its abstract values into the weights would leak them.
            if tracing_shapes_only(value):
                return
            weight.assign(value)

        jax.tree_util.tree_map(assign, new_state, self.state)
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "call_fn": serialize_keras_object(self.call_fn),
                "init_fn": serialize_keras_object(self.init_fn),
                "native_serialization_platforms": self.native_serialization_platforms}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "JaxLayer":
        config = dict(config)
        config["call_fn"] = deserialize_keras_object(config["call_fn"])
        config["init_fn"] = deserialize_keras_object(config["init_fn"])
        return cls(**config)
