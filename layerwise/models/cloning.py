"""`clone_model`: the same architecture with new layers (and so new, freshly initialised weights).

Sequential and Functional models are rebuilt layer by layer (a Functional model's graph
is replayed on new inputs, so layers shared inside it stay shared); any other model goes
through its config. A compiled model's clone is compiled the same way, with a new
optimizer.
"""
from __future__ import annotations

from typing import Any, Callable

import jax

from layerwise.engine.input_layer import Input
from layerwise.engine.keras_tensor import KerasTensor, is_keras_tensor
from layerwise.models.functional import Functional
from layerwise.models.sequential import Sequential
from layerwise.saving.serialization import (compile_from_config, deserialize_keras_object,
                                            serialize_keras_object)

__all__ = ["clone_model"]


def clone_model(model: Any, input_tensors: Any = None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False,
                **kwargs: Any) -> Any:
    """A new model with the architecture of `model` and newly created weights.

    Args:
        input_tensors: symbolic inputs (`Input(...)`) to build the clone on.
        clone_function: `layer -> new layer`; by default
            `layer.__class__.from_config(layer.get_config())`.
        call_function: `(layer, *args, **kwargs) -> outputs`, how each layer of a
            Functional model is called on its new inputs.
        recursive: clone nested Sequential/Functional models with `clone_function` too,
            instead of passing them to `clone_function` whole.
    """

    cache: dict[int, Any] = kwargs.pop("cache", None) or {}
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {sorted(kwargs)}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError("Expected `clone_function` argument to be a callable. Received: "
                         f"clone_function={clone_function!r}")
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError("`call_function` argument is not supported with Sequential "
                             "models: their layers are not called at construction. Use it "
                             "with Functional models only.")
        clone = _wrap(clone_function, None, recursive, cache)
        return _compiled_like(model, _clone_sequential(model, clone, input_tensors))
    if isinstance(model, Functional):
        clone = _wrap(clone_function, call_function, recursive, cache)
        return _compiled_like(model, _clone_functional(model, clone, input_tensors,
                                                       call_function))
    if clone_function is not None or input_tensors is not None:
        raise ValueError("Arguments `clone_function` and `input_tensors` are only supported "
                         "for Sequential models or Functional models. Received model of type "
                         f"'{type(model).__name__}'.")
    if call_function is not None:
        raise ValueError("Argument `call_function` is only supported for Functional models. "
                         f"Received model of type '{type(model).__name__}'.")
    return deserialize_keras_object(serialize_keras_object(model),
                                    custom_objects={type(model).__name__: type(model)})


def _clone_layer(layer: Any) -> Any:
    return type(layer).from_config(layer.get_config())


def _wrap(clone_function: Callable | None, call_function: Callable | None, recursive: bool,
          cache: dict[int, Any]) -> Callable:
    """`clone_function`, cloning each layer once (shared layers stay shared)."""

    clone_function = clone_function or _clone_layer

    def clone(layer: Any) -> Any:
        if id(layer) not in cache:
            if recursive and isinstance(layer, (Sequential, Functional)):
                cache[id(layer)] = clone_model(
                    layer, clone_function=clone_function, recursive=True, cache=cache,
                    call_function=call_function if isinstance(layer, Functional) else None)
            else:
                cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]

    return clone


def _clone_sequential(model: Any, clone: Callable, input_tensors: Any) -> Any:

    layers = [clone(layer) for layer in model.layers]
    reference = model._input_layer
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError("Argument `input_tensors` must contain a single tensor.")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ValueError("Argument `input_tensors` must be a KerasTensor. Received "
                             f"invalid value: input_tensors={input_tensors!r}")
        layers = [input_tensors] + layers
    elif reference is not None:
        layers = [Input(batch_shape=reference.batch_shape, dtype=reference.dtype,
                        name=reference.name, optional=reference.optional)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model: Any, clone: Callable, input_tensors: Any,
                      call_function: Callable | None) -> Any:

    structure = model._inputs_structure
    if input_tensors is None:
        input_tensors = jax.tree_util.tree_map(
            lambda t: Input(batch_shape=t.shape, dtype=t.dtype,
                            name=t._keras_history[0].name),
            structure, is_leaf=is_keras_tensor)
    else:
        new_leaves = jax.tree_util.tree_leaves(input_tensors, is_leaf=is_keras_tensor)
        if not all(isinstance(t, KerasTensor) for t in new_leaves):
            raise ValueError("All entries in `input_tensors` must be KerasTensors. Received "
                             f"invalid values: input_tensors={input_tensors!r}")
        if len(new_leaves) != len(model.inputs):
            raise ValueError("`input_tensors` must have the same structure as model.input. "
                             f"Expected {len(model.inputs)} tensor(s), received "
                             f"{len(new_leaves)}.")
    new_inputs = jax.tree_util.tree_leaves(input_tensors, is_leaf=is_keras_tensor)
    mapping = {id(old): new for old, new in zip(model.inputs, new_inputs)}

    def substitute(value: Any) -> Any:
        return jax.tree_util.tree_map(lambda leaf: mapping.get(id(leaf), leaf), value,
                                      is_leaf=is_keras_tensor)

    for node in model._nodes:
        if node.is_input:
            continue
        layer = clone(node.layer)
        args, kwargs = substitute(node.call_args), substitute(node.call_kwargs)
        outputs = call_function(layer, *args, **kwargs) if call_function is not None \
            else layer(*args, **kwargs)
        old_leaves = jax.tree_util.tree_leaves(node.outputs, is_leaf=is_keras_tensor)
        new_leaves = jax.tree_util.tree_leaves(outputs, is_leaf=is_keras_tensor)
        mapping.update({id(old): new for old, new in zip(old_leaves, new_leaves)})
    outputs = substitute(model._outputs_structure)
    cls = type(model) if _functional_like_constructor(type(model)) else Functional
    return cls(input_tensors, outputs, name=model.name)


def _functional_like_constructor(cls: type) -> bool:
    import inspect


    if cls is Functional:
        return True
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    names = [p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    variadic = {p.kind for p in parameters} >= {inspect.Parameter.VAR_POSITIONAL,
                                                inspect.Parameter.VAR_KEYWORD}
    return names[:2] == ["inputs", "outputs"] or variadic


def _compiled_like(model: Any, clone: Any) -> Any:
    if getattr(model, "compiled", False):

        compile_from_config(clone, model.get_compile_config())
    return clone
