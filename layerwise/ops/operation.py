"""Operations: ops that run eagerly on arrays and record graph nodes on symbolic tensors.

`Operation` is the base class of user ops (`keras.Operation`): subclasses write `call`
(and optionally `compute_output_spec`). The ops of `layerwise.ops` are plain functions
wrapped by `symbolic_op`: on arrays the function runs directly, and on `KerasTensor`s a
`FunctionOperation` node is recorded whose output shape and dtype come from tracing the
function abstractly. A Functional model replays these nodes like layer calls.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.engine.functional import KerasTensor, Node
from layerwise.engine.layer import Layer
from layerwise.engine.naming import to_snake_case, unique_name

# Two stand-in sizes for unknown (None) dims: an output dim that differs between the two
# abstract traces depends on an unknown dim and becomes None. Both are highly composite so
# reshapes and splits of unknown dims still trace.
_STAND_INS = (420, 660)


def _is_keras_tensor(value: Any) -> bool:
    return isinstance(value, KerasTensor)


def any_symbolic(args: tuple, kwargs: dict) -> bool:
    """Whether any argument, or any item of a list/tuple/dict argument, is a KerasTensor."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, KerasTensor) or (
                        isinstance(item, (list, tuple)) and any_symbolic(item, {})):
                    return True
        elif isinstance(value, dict) and any_symbolic((), value):
            return True
    return False


def _as_struct(tensor: KerasTensor, stand_in: int) -> jax.ShapeDtypeStruct:
    shape = tuple(stand_in if d is None else d for d in tensor.shape)
    return jax.ShapeDtypeStruct(shape, jnp.dtype(tensor.dtype))


def _spec_shape_dtype(spec: Any) -> tuple[tuple, str]:
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str):
        return tuple(spec[0]), spec[1]
    return tuple(spec.shape), jnp.dtype(spec.dtype).name


def _is_spec(value: Any) -> bool:
    return isinstance(value, (jax.ShapeDtypeStruct, KerasTensor)) or (
        isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str))


def abstract_output_spec(function: Callable, args: tuple, kwargs: dict) -> Any:
    """The output (shape, dtype) pytree of `function` on symbolic arguments.

    Traces twice with different stand-ins for None dims; dims that differ become None.
    """
    traces = []
    for stand_in in _STAND_INS:
        concrete_args, concrete_kwargs = jax.tree_util.tree_map(
            lambda v: _as_struct(v, stand_in) if isinstance(v, KerasTensor) else v,
            (args, kwargs), is_leaf=_is_keras_tensor)
        leaves, treedef = jax.tree_util.tree_flatten(
            (concrete_args, concrete_kwargs),
            is_leaf=lambda v: isinstance(v, jax.ShapeDtypeStruct))
        positions = [i for i, leaf in enumerate(leaves)
                     if isinstance(leaf, jax.ShapeDtypeStruct)]

        def run(*arrays, leaves=leaves, positions=positions, treedef=treedef):
            filled = list(leaves)
            for position, array in zip(positions, arrays):
                filled[position] = array
            call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, filled)
            return function(*call_args, **call_kwargs)

        traces.append(jax.eval_shape(run, *[leaves[i] for i in positions]))
        if not any(d is None for t in jax.tree_util.tree_leaves(
                (args, kwargs), is_leaf=_is_keras_tensor)
                if isinstance(t, KerasTensor) for d in t.shape):
            break  # every dim is known: one trace suffices

    def merge(first, *others):
        dims = tuple(d if all(o.shape[i] == d for o in others) else None
                     for i, d in enumerate(first.shape))
        return (dims, jnp.dtype(first.dtype).name)

    return jax.tree_util.tree_map(merge, *traces)


class Operation(Layer):
    """Base class of an op: `call` on arrays, `compute_output_spec` on symbolic tensors.

    Calling an operation on a `KerasTensor` records a node in the functional graph, as
    calling a layer does; operations have no weights.
    """

    def __init__(self, name: str | None = None, **kwargs: Any):
        Layer.__init__(self, name=name, **kwargs)
        self.built = True

    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Operation {type(self).__name__} does not implement call().")

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Output KerasTensor(s) for symbolic arguments; by default traced from `call`."""
        specs = abstract_output_spec(self.call, args, kwargs)
        return jax.tree_util.tree_map(lambda s: KerasTensor(*s), specs, is_leaf=_is_spec)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._call_has_training_arg:
            kwargs.pop("training", None)
        if any_symbolic(args, kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args: Any, **kwargs: Any) -> Any:
        """Record this call in the graph and return its symbolic outputs."""
        specs = self.compute_output_spec(*args, **kwargs)
        node_index = len(self._inbound_nodes) if hasattr(self, "_inbound_nodes") else 0
        leaves, treedef = jax.tree_util.tree_flatten(specs, is_leaf=_is_spec)
        outputs = []
        for index, spec in enumerate(leaves):
            shape, dtype = _spec_shape_dtype(spec)
            name = self.name if len(leaves) == 1 else f"{self.name}_{index}"
            outputs.append(KerasTensor(shape, dtype, history=(self, node_index, index),
                                       name=name))
        outputs = jax.tree_util.tree_unflatten(treedef, outputs)
        if not hasattr(self, "_inbound_nodes"):
            self._inbound_nodes = []
        self._inbound_nodes.append(Node(self, tuple(args), dict(kwargs), outputs))
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Operation":
        return cls(**config)

    def get_build_config(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"


def table_key(function: Callable) -> str:
    """The name Keras's op table knows `function` by ("image.resize" for image ops)."""
    name = function.__name__
    return f"image.{name}" if function.__module__.endswith("ops.image") else name


class FunctionOperation(Operation):
    """One symbolic call of an op function: the function plus its non-tensor arguments.

    Saved as Keras saves the op's class (e.g. `keras.src.ops.nn.Softmax` with config
    `{"name", "axis"}`), so files move between the two libraries.
    """

    def __init__(self, function: Callable, static: dict[str, Any] | None = None,
                 name: str | None = None):
        from layerwise.ops import keras_op_table

        self.function = getattr(function, "raw_function", function)
        self.output_spec = getattr(function, "output_spec", None)
        self.static = dict(static or {})
        self._signature = inspect.signature(self.function)
        module, class_name, _ = keras_op_table.keras_identity(table_key(self.function))
        self._keras_module, self._keras_class = module, class_name
        # Keras names each symbolic op call after its op class, uniquified as layers are
        # ("add", "add_1", ...).
        Operation.__init__(self, name=name or unique_name(to_snake_case(class_name)))

    def _arguments(self, args: tuple, kwargs: dict) -> tuple[tuple, dict[str, Any]]:
        """Positional call arguments fill the parameters not fixed at construction."""
        parameters = list(self._signature.parameters.values())
        if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in parameters):
            # e.g. einsum(subscripts, *operands): named parameters before `*operands` come
            # from the construction arguments or, failing that, from the call's.
            static, remaining, positional = dict(self.static), list(args), []
            for parameter in parameters:
                if parameter.kind == inspect.Parameter.VAR_POSITIONAL:
                    break
                if parameter.name in static:
                    positional.append(static.pop(parameter.name))
                elif remaining:
                    positional.append(remaining.pop(0))
            return tuple(positional) + tuple(remaining), {**kwargs, **static}
        free = [name for name, parameter in self._signature.parameters.items()
                if name not in self.static and name not in kwargs
                and parameter.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                       inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        if len(args) > len(free):
            raise TypeError(f"{self.function.__name__}() got {len(args)} positional "
                            f"arguments; it takes {len(free)} here: {free}")
        return (), {**dict(zip(free, args)), **kwargs, **self.static}

    def call(self, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = self._arguments(args, kwargs)
        if self.function.__name__ == "get_item" and isinstance(kwargs.get("key"), list):
            # A saved index tuple comes back from JSON as a list; as Keras's GetItem does,
            # read it as the tuple it was.
            kwargs["key"] = tuple(kwargs["key"])
        return self.function(*args, **kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if self.output_spec is not None:
            args, kwargs = self._arguments(args, kwargs)
            specs = self.output_spec(*args, **kwargs)
            return jax.tree_util.tree_map(
                lambda s: KerasTensor(*_spec_shape_dtype(s)), specs, is_leaf=_is_spec)
        return super().compute_output_spec(*args, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.static}

    def keras_class_identity(self) -> tuple[str | None, str, str]:
        """(module, class name, registered name) as Keras writes this op in a config."""
        return self._keras_module, self._keras_class, self._keras_class

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"


def symbolic_op(function: Callable | None = None, *, output_spec: Callable | None = None):
    """Decorator: make an array function also accept symbolic tensors (see the module doc).

    Args:
        output_spec: computes the output spec when abstract tracing cannot (value-dependent
            shapes); gets the call's arguments by name, returns `(shape, dtype)` pairs.
    """
    if function is None:
        return functools.partial(symbolic_op, output_spec=output_spec)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not any_symbolic(args, kwargs):
            return function(*args, **kwargs)
        return _record(wrapper, signature, args, kwargs)

    wrapper.output_spec = output_spec
    wrapper.raw_function = function
    return wrapper


def _record(function: Callable, signature: inspect.Signature, args: tuple,
            kwargs: dict) -> Any:
    """Split a call into Keras's op-class arguments (config) and call arguments."""
    from layerwise.ops import keras_op_table

    bound = signature.bind(*args, **kwargs)
    init_names = keras_op_table.init_parameters(table_key(function.raw_function))
    static, call_args, call_kwargs = {}, [], {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if name in init_names and not any_symbolic((value,), {}):
            static[name] = value
        elif kind == inspect.Parameter.VAR_POSITIONAL:
            call_args.extend(value)
        elif kind == inspect.Parameter.VAR_KEYWORD:
            call_kwargs.update(value)
        elif kind == inspect.Parameter.KEYWORD_ONLY:
            call_kwargs[name] = value
        else:
            call_args.append(value)
    # Construction arguments left at their defaults are written too, as Keras's op configs
    # carry them; otherwise a later positional call argument would fill their place.
    for name in init_names:
        parameter = signature.parameters.get(name)
        if name not in bound.arguments and parameter is not None and \
                parameter.default is not inspect.Parameter.empty:
            static[name] = parameter.default
    operation = FunctionOperation(function, static)
    return operation.symbolic_call(*call_args, **call_kwargs)


def operation_class_for(module: str | None, class_name: str) -> Any:
    """A loader for the Keras op class `class_name` (from a saved functional config)."""
    from layerwise import ops
    from layerwise.ops import keras_op_table

    op_name = keras_op_table.op_name_for_class(module, class_name)
    if op_name is None:
        return None
    function = (getattr(ops.image, op_name[6:], None) if op_name.startswith("image.")
                else getattr(ops, op_name, None))
    if function is None:
        return None

    class _Loader:
        @staticmethod
        def from_config(config: dict[str, Any]) -> FunctionOperation:
            config = dict(config)
            name = config.pop("name", None)
            return FunctionOperation(function, config, name=name)

    _Loader.__name__ = class_name
    return _Loader
