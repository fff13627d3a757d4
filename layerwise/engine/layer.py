"""The Layer base class: configuration, lazy build, weights, and the call contract.

Every layer follows one contract: `__init__` stores and validates its configuration,
`build(input_shape)` creates weights with `add_weight`, `call(inputs, training=None)`
computes outputs from `self.<weight>.value`, and `get_config` returns what `__init__`
needs to rebuild it. Sublayers are found by looking at the layer's attributes when the
weights are asked for, not by intercepting every attribute assignment: that lookup
happens once per `fit`, never inside a training step.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from typing import Any, Iterable

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import constraints, dtype_policies, initializers, regularizers
from layerwise.engine import masking, name_scope, naming
from layerwise.engine.functional import call_symbolically
from layerwise.engine.input_spec import check_input_spec
from layerwise.engine.keras_tensor import ABSTRACT_BATCH, KerasTensor, any_symbolic, is_shape
from layerwise.engine.variables import (AutocastScope, ShapeScope, Variable, autocast_dtype,
                                        to_device)
from layerwise.random import SeedGenerator

_training_context: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "layerwise_training", default=None
)
# Set while a trainer runs a model as Keras's JAX trainer does (see `call_as_trainer`).
_trainer_entry: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "layerwise_trainer_entry", default=False
)

# Losses that layers add with `add_loss` during a call; the training step opens one list
# per traced forward pass and adds them to the loss it minimises.
added_losses: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "layerwise_added_losses", default=None
)

Shape = tuple


def standardize_shape(shape: Any, argument: str = "shape") -> tuple:
    """A shape as a tuple of ints or None; a bare int becomes a 1-tuple."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(
            f"Invalid value for argument `{argument}`. Expected a tuple of integers. "
            f"Received: {argument}={shape!r}"
        ) from None
    result = []
    for dim in dims:
        if dim is None:
            result.append(None)
        elif isinstance(dim, (int, np.integer)) and not isinstance(dim, bool) and dim >= 0:
            result.append(int(dim))
        else:
            raise ValueError(
                f"Invalid value for argument `{argument}`. Expected a tuple of non-negative "
                f"integers or None. Received: {argument}={shape!r}"
            )
    return tuple(result)


class Layer:
    """Base class of every layer.

    Args:
        trainable: whether the layer's weights are updated by training.
        dtype: its dtype policy: a name ("float32", "mixed_bfloat16", ...), a
            `DTypePolicy` or its config; None takes the global policy.
        autocast: whether floating inputs are cast to the compute dtype (and, with a
            mixed policy, variables read in it) during calls.
        name: unique name; generated from the class name when omitted.
        input_shape / input_dim / batch_input_shape: Keras 2 style way to give the
            first layer of a Sequential model its input shape (without the batch axis).
    """

    # Whether `compute_mask` gives the outputs a mask (by default the input's, passed on).
    supports_masking = False
    # An InputSpec (or a list, one per input) that inputs are checked against.
    input_spec: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A user who calls `layer.build(shape)` directly expects a built layer whose weights
        # `set_weights` can fill and the next call keeps, as in Keras.
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    def __init__(
        self,
        *,
        trainable: bool = True,
        dtype: Any = None,
        name: str | None = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        self.autocast = bool(kwargs.pop("autocast", True))
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        self.name = name if name is not None else naming.unique_name(
            naming.to_snake_case(type(self).__name__)
        )
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(
                f"Invalid value for argument `name` of {type(self).__name__}. Expected a "
                f"non-empty string. Received: name={name!r}"
            )
        self._dtype_policy = dtype_policies.get(dtype)
        self._trainable = bool(trainable)
        self.built = False
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._seed_generators: list[Any] = []
        # Carried from call to call but not weights (a stateful RNN's states): threaded
        # through training like non-trainable weights, never saved or counted.
        self._state_variables: list[Variable] = []
        self._build_input_shape: Any = None
        # One node per call on symbolic tensors: where `input` and `output` come from.
        self._inbound_nodes: list[Any] = []
        self.activity_regularizer = _get_regularizer(activity_regularizer)
        self._input_shape_arg: tuple | None = None
        if batch_input_shape is not None:
            self._input_shape_arg = standardize_shape(batch_input_shape, "batch_input_shape")
        elif input_shape is not None:
            self._input_shape_arg = (batch_size,) + standardize_shape(input_shape, "input_shape")
        elif input_dim is not None:
            self._input_shape_arg = (batch_size, int(input_dim))
        call_parameters = inspect.signature(self.call).parameters
        self._call_has_training_arg = "training" in call_parameters
        training_default = getattr(call_parameters.get("training"), "default", None)
        self._call_training_default = (
            None if training_default is inspect.Parameter.empty else training_default)
        self._call_has_mask_arg = "mask" in call_parameters

    # -- construction --------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the layer's weights for inputs of `input_shape` (batch axis first)."""
        self.built = True

    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        aggregation: str = "none",
        name: str | None = None,
        **kwargs: Any,
    ) -> Variable:
        """Create a weight of this layer and register it."""
        if isinstance(shape, str):
            raise ValueError(
                f"Layer '{self.name}': `name` must be passed to add_weight as a keyword "
                f"argument. Received: shape={shape!r}"
            )
        kwargs.pop("overwrite_with_gradient", None)
        kwargs.pop("use_resource", None)
        if kwargs:
            raise TypeError(f"add_weight() got unexpected keyword arguments {sorted(kwargs)}")
        shape = standardize_shape(() if shape is None else shape)
        dtype = _dtype_name(dtype or self.variable_dtype)
        if initializer is None:
            floating = jnp.issubdtype(jnp.dtype(dtype), jnp.floating)
            initializer = "glorot_uniform" if floating else "zeros"
        variable = Variable(
            initializers.get(initializer),
            shape=shape,
            dtype=dtype,
            trainable=trainable,
            name=name or "variable",
            regularizer=_get_regularizer(regularizer),
            constraint=constraints.get(constraint),
            autocast=autocast,
        )
        variable.path = f"{name_scope.path_of(self)}/{variable.name}"
        if trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)
        return variable

    def add_variable(self, shape: Any, initializer: Any, dtype: Any = None,
                     trainable: bool = True, autocast: bool = True, regularizer: Any = None,
                     constraint: Any = None, name: str | None = None) -> Variable:
        """`add_weight` under Keras's other name (shape and initializer come first)."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast, regularizer=regularizer,
                               constraint=constraint, name=name)

    @property
    def dtype_policy(self) -> Any:
        """The layer's `DTypePolicy` (settable with anything `dtype=` accepts)."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        policy = dtype_policies.get(value)
        if isinstance(self._dtype_policy, dtype_policies.DTypePolicyMap) and self.path:
            if self.path in self._dtype_policy:
                del self._dtype_policy[self.path]
            self._dtype_policy[self.path] = policy
        else:
            self._dtype_policy = policy

    def _own_policy(self) -> Any:
        """The policy this layer computes with (a DTypePolicyMap's entry for its path)."""
        policy = self._dtype_policy
        if isinstance(policy, dtype_policies.DTypePolicyMap) and self.path:
            return policy[self.path]
        return policy

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (`variable_dtype`), as Keras's `layer.dtype`."""
        return self.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's inputs, computations and outputs."""
        return self._own_policy().compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer's weights are created in."""
        return self._own_policy().variable_dtype

    @property
    def input_dtype(self) -> str:
        """The dtype floating inputs are cast to before `call` (Embedding-like layers
        override it with an integer dtype)."""
        return self.compute_dtype

    @property
    def path(self) -> str:
        """The layer's path, as Keras names it for a layer created at the top level."""
        return self.name

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Symbolic outputs (shape and dtype) for symbolic `inputs`, recording nothing."""
        shapes = jax.tree_util.tree_map(lambda t: tuple(t.shape), inputs,
                                        is_leaf=lambda v: hasattr(v, "shape"))
        output_shapes = self.compute_output_shape(shapes)
        from_shape = lambda shape: KerasTensor(shape, self.compute_dtype)  # noqa: E731
        return from_shape(output_shapes) if is_shape(output_shapes) else jax.tree_util.tree_map(
            from_shape, output_shapes, is_leaf=is_shape)

    def add_seed_generator(self, seed: int | None = None):
        """A seed generator whose state travels with the layer's non-trainable state."""
        generator = SeedGenerator(seed)
        generator.state.path = f"{self.name}/seed_generator_state"
        self._seed_generators.append(generator)
        return generator

    def build_for_shape(self, input_shape: Any) -> None:
        """Build once, recording the shape for `get_build_config`."""
        if self.built:
            return
        self._build_input_shape = input_shape
        self.build(input_shape)
        self.built = True

    # -- calling -------------------------------------------------------------------------
    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call().")

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(inputs):
            return call_symbolically(self, inputs, args, kwargs)
        # Looked up before conversion, which may give the arrays new identities.
        previous_mask = kwargs.get("mask", masking.mask_of(inputs))
        inputs = jax.tree_util.tree_map(self._convert_input, inputs)
        if args:  # further tensors (attention's value, key), autocast as Keras does
            args = jax.tree_util.tree_map(self._autocast_argument, args)
        with name_scope.layer_scope(self):
            return self._call_eagerly(inputs, previous_mask, args, kwargs)

    def _call_eagerly(self, inputs: Any, previous_mask: Any, args: tuple, kwargs: dict) -> Any:
        """`__call__` on arrays, inside this layer's name scope."""
        run_by_trainer = _trainer_entry.get()
        if run_by_trainer:  # only the model itself; `call_as_trainer` restores the flag
            _trainer_entry.set(False)
        if not self.built:
            self.build_for_shape(_batchless_shapes(inputs))
        self.check_input_shape(_shapes_of(inputs))
        # As Keras: the `training` passed, else an outer call's, else `call`'s default;
        # the value reaches the layers this call calls without passing one.
        training = kwargs.pop("training", None)
        if training is None:
            training = _training_context.get()
        if training is None:
            training = self._call_training_default
        if self._call_has_training_arg and training is not None:
            kwargs["training"] = training
        token = _training_context.set(None if run_by_trainer else training)
        outermost = added_losses.get() is None
        losses_token = added_losses.set([]) if outermost else None
        try:
            with masking.mask_scope(), _autocast_scope(self):
                if previous_mask is not None and getattr(self, "_call_has_mask_arg", False):
                    kwargs["mask"] = previous_mask
                outputs = self.call(inputs, *args, **kwargs)
                if self.supports_masking:
                    masking.attach(outputs, self.compute_mask(inputs, previous_mask))
            if self.activity_regularizer is not None:
                # As Keras, the penalty of the outputs is a loss of the call, counted per
                # sample of the batch.
                for output in jax.tree_util.tree_leaves(outputs):
                    added_losses.get().append(self.activity_regularizer(output) / output.shape[0])
            if outermost:  # an eager call outside training: `losses` reports its losses
                self._call_losses = [value for value in added_losses.get()
                                     if not isinstance(value, jax.core.Tracer)]
        finally:
            _training_context.reset(token)
            if losses_token is not None:
                added_losses.reset(losses_token)
        return outputs

    def add_loss(self, loss: Any) -> None:
        """Add a scalar to the loss minimised in training (call it from `call`)."""
        collected = added_losses.get()
        if collected is None:
            raise ValueError("`add_loss()` can only be called from inside `build()` or "
                             f"`call()`, on a tensor input. Received invalid value: {loss}")
        collected.append(jnp.sum(jnp.asarray(loss, jnp.float32)))

    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        """The mask of the outputs, for layers that support masking: the input's, unchanged."""
        return previous_mask

    def _convert_input(self, value: Any) -> Any:
        if isinstance(value, Variable):
            value = value.value
        if isinstance(value, jax.Array):
            array = value
        else:
            array = np.asarray(value)
            if array.dtype == object or not (
                np.issubdtype(array.dtype, np.number) or array.dtype == bool
                or jnp.issubdtype(array.dtype, jnp.floating)  # bfloat16 (ml_dtypes)
            ):
                raise TypeError(
                    f"Layer '{self.name}' expects numeric input. Received an array of "
                    f"dtype {array.dtype}"
                )
        target = jnp.dtype(self.input_dtype)
        floating = jnp.issubdtype(array.dtype, jnp.floating)
        if floating and not self.autocast:  # e.g. LayerNormalization: floats as they come
            return to_device(array)
        if jnp.issubdtype(target, jnp.floating) or floating:
            if array.dtype != target:
                array = array.astype(target)
        return to_device(array)

    def _autocast_argument(self, value: Any) -> Any:
        """A floating array argument in the compute dtype (others are left as they are)."""
        if self.autocast and isinstance(value, (jax.Array, np.ndarray)) and \
                jnp.issubdtype(value.dtype, jnp.floating) and value.dtype != self.compute_dtype:
            return value.astype(self.compute_dtype)
        return value

    def check_input_shape(self, input_shape: Any) -> None:
        """Raise a ValueError if the layer cannot take inputs of this shape (a hook; by
        default, the checks of `input_spec`)."""
        if self.input_spec is not None:
            check_input_spec(self.input_spec, input_shape, self.name)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape for an input shape, found by tracing `call` abstractly."""
        specs = _abstract_inputs(input_shape, self.input_dtype)
        was_built = self.built
        if not was_built:
            self.build_for_shape(input_shape)
        with ShapeScope():  # a draw or state update while tracing is dropped
            output = jax.eval_shape(lambda inputs: self(inputs, training=False), specs)
        return _restore_batch_axis(output, input_shape)

    # -- graph attributes ----------------------------------------------------------------
    @property
    def input(self) -> Any:
        """The symbolic input(s) of this layer's first call in a graph."""
        return self._first_node_tensors("input")

    @property
    def output(self) -> Any:
        """The symbolic output(s) of this layer's first call in a graph."""
        return self._first_node_tensors("output")

    def _first_node_tensors(self, attribute: str) -> Any:
        nodes = getattr(self, "_inbound_nodes", None)
        if not nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has "
                                 f"no defined {attribute}.")
        node = nodes[0]
        tensors = node.input_tensors if attribute == "input" else node.output_tensors
        return tensors[0] if len(tensors) == 1 else tensors

    # -- weights -------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for variable in self._trainable_variables:
            variable.trainable = self._trainable
        for layer in self._sublayers():
            layer.trainable = value

    def _sublayers(self) -> list["Layer"]:
        """Layers held in attributes, lists or dicts of this layer, in assignment order."""
        found: list[Layer] = []
        seen: set[int] = set()

        def visit(value: Any) -> None:
            if isinstance(value, Layer):
                if id(value) not in seen and value is not self:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    visit(item)
            elif isinstance(value, dict):
                for item in value.values():
                    visit(item)

        for key, value in vars(self).items():
            if key not in ("_inbound_nodes", "_outbound_nodes"):
                visit(value)
        return found

    @property
    def layers(self) -> list["Layer"]:
        return self._sublayers()

    @property
    def weights(self) -> list[Variable]:
        weights = list(self._trainable_variables) + list(self._non_trainable_variables)
        seen = {id(w) for w in weights}
        for layer in self._sublayers():
            for weight in layer.weights:
                if id(weight) not in seen:
                    seen.add(id(weight))
                    weights.append(weight)
        return weights

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    trainable_variables = trainable_weights

    @property
    def seed_generators(self) -> list[Any]:
        generators = list(self._seed_generators)
        # A generator kept in an attribute (`self.seed_generator = SeedGenerator(...)`) is
        # the layer's as much as one from `add_seed_generator`.
        generators.extend(value for value in vars(self).values()
                          if isinstance(value, SeedGenerator) and value not in generators)
        for layer in self._sublayers():
            generators.extend(g for g in layer.seed_generators if g not in generators)
        return generators

    @property
    def state_variables(self) -> list[Variable]:
        """Variables carried between calls that are not weights, this layer's and its sublayers'."""
        found = list(self._state_variables)
        for layer in self._sublayers():
            found.extend(v for v in layer.state_variables if all(v is not f for f in found))
        return found

    @property
    def non_trainable_variables(self) -> list[Variable]:
        """Non-trainable weights, the seed generators' and the carried states (not saved,
        but threaded)."""
        return self.non_trainable_weights + [g.state for g in self.seed_generators] + \
            self.state_variables

    @property
    def variables(self) -> list[Variable]:
        return self.weights + [g.state for g in self.seed_generators] + self.state_variables

    @property
    def losses(self) -> list[jax.Array]:
        """Losses from `add_loss` in the last call, then the weights' regularization
        penalties at their current values."""
        return list(getattr(self, "_call_losses", [])) + [
            w.regularizer(w.value) for w in self.weights if w.regularizer is not None]

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(w.value) for w in self.weights]

    def set_weights(self, weights: Iterable[Any]) -> None:
        weights = list(weights)
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expects {len(own)} weight arrays, but "
                f"set_weights received {len(weights)}"
            )
        for variable, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(value.shape) != variable.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight '{variable.name}' has shape "
                    f"{variable.shape}, but set_weights received shape {tuple(value.shape)}"
                )
        for variable, value in zip(own, weights):
            variable.assign(value)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' has not been built yet, so its weights do not exist. "
                "Call it on an input or build it first."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # -- configuration -------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": serialize_dtype_policy(self.dtype_policy),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        return cls(**config)

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": _shape_to_list(self._build_input_shape)}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if config and "input_shape" in config and not self.built:
            self.build_for_shape(_shape_from_list(config["input_shape"]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# -- helpers ----------------------------------------------------------------------------
def call_as_trainer(model: Any, inputs: Any, training: bool) -> Any:
    """`model(inputs, training=training)` as Keras's JAX trainer runs it (by its `call`):
    layers that the model's own `call` calls without passing `training` do not inherit it
    and use their `call`'s default (a Dropout so called stays off in `fit`)."""
    token = _trainer_entry.set(True)
    try:
        return model(inputs, training=training)
    finally:
        _trainer_entry.reset(token)


def _marks_built(build: Any) -> Any:
    """Wrap a subclass's `build` so that it records its shape and marks the layer built."""
    if getattr(build, "_marks_built", False):
        return build

    @functools.wraps(build)
    def build_and_mark(self: Layer, *args: Any, **kwargs: Any) -> Any:
        if self._build_input_shape is None and args:
            self._build_input_shape = args[0]
        with name_scope.layer_scope(self):
            result = build(self, *args, **kwargs)
        self.built = True
        return result

    build_and_mark._marks_built = True
    return build_and_mark


def _dtype_name(dtype: Any) -> str:
    """The variable dtype that a `dtype=` argument (a dtype or a policy) stands for."""
    if isinstance(dtype, str) and dtype in ("string", "str"):  # host preprocessing inputs
        return "string"
    return dtype_policies.get(dtype).variable_dtype


def serialize_dtype_policy(dtype: Any) -> dict[str, Any]:
    """The dtype entry of a layer config, as Keras 3 writes it (a policy or its name)."""
    return dtype_policies.serialize(dtype_policies.get(dtype))


def _autocast_scope(layer: Layer) -> Any:
    """The variable-autocasting scope `layer`'s call runs in, as Keras decides it: a mixed
    layer reads its floating variables in its compute dtype; a nested layer switches the
    outer layer's scope to its own compute dtype, or off when it does not autocast."""
    current = autocast_dtype()
    compute = layer.compute_dtype
    if current is None:
        return AutocastScope(compute) if compute != layer.variable_dtype else _NO_SCOPE
    if not layer.autocast or not jnp.issubdtype(jnp.dtype(compute), jnp.floating):
        return AutocastScope(None)
    return AutocastScope(compute) if current != compute else _NO_SCOPE


_NO_SCOPE = contextlib.nullcontext()


def _get_regularizer(identifier: Any) -> Any:
    if identifier is None:
        return None
    return regularizers.get(identifier)


def _shapes_of(value: Any) -> Any:
    return jax.tree_util.tree_map(lambda array: tuple(array.shape), value)


def _batchless_shapes(value: Any) -> Any:
    return jax.tree_util.tree_map(lambda array: (None,) + tuple(array.shape[1:]), value)


_ABSTRACT_BATCH = ABSTRACT_BATCH


def _abstract_inputs(input_shape: Any, dtype: str) -> Any:
    def to_spec(shape):
        concrete = tuple(_ABSTRACT_BATCH if d is None else d for d in shape)
        return jax.ShapeDtypeStruct(concrete, jnp.dtype(dtype))

    if is_shape(input_shape):
        return to_spec(input_shape)
    return jax.tree_util.tree_map(to_spec, input_shape, is_leaf=is_shape)


def _restore_batch_axis(output: Any, input_shape: Any) -> Any:
    first = input_shape if is_shape(input_shape) else jax.tree_util.tree_leaves(
        input_shape, is_leaf=is_shape
    )[0]
    batch_unknown = len(first) > 0 and first[0] is None

    def restore(spec):
        shape = tuple(spec.shape)
        if batch_unknown and shape and shape[0] == _ABSTRACT_BATCH:
            shape = (None,) + shape[1:]
        return shape

    return jax.tree_util.tree_map(restore, output)


def _shape_to_list(shape: Any) -> Any:
    if is_shape(shape):
        return list(shape)
    if isinstance(shape, (list, tuple)):
        return [_shape_to_list(s) for s in shape]
    return shape


def _shape_from_list(shape: Any) -> Any:
    if isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, list):
        return [_shape_from_list(s) for s in shape]
    return shape
