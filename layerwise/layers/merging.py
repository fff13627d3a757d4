"""Merge layers: combine a list of tensors into one (Add, Concatenate, Dot, ...).

Each is called on a list, `Add()([a, b])`. Elementwise merges follow Keras's broadcasting
rule: the batch axes must agree, and the other axes are aligned from the right, with size-1
and unknown (None) sizes broadcasting; an input of lower rank gets size-1 axes inserted
right after its batch axis. Every check looks at shapes only, so the layers trace under
`jit` and run inside `fit`. Masks are not propagated in layerwise: a `mask` argument is
accepted and ignored.
"""
from __future__ import annotations

import functools

from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import backend
from layerwise.engine.layer import Layer

__all__ = ["Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply",
           "Subtract", "add", "average", "concatenate", "dot", "maximum", "minimum",
           "multiply", "subtract"]

Shape = tuple


# -- shape rules (pure functions) -------------------------------------------------------
def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_single_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(d is None or _is_int(d) for d in value)


def broadcast_shapes(first: Shape, second: Shape) -> Shape | None:
    """Keras's elementwise result of two shapes (batch axes removed), or None if they clash.

    Shapes are aligned from the right; the longer one's leading axes are kept. An unknown
    size on either side gives an unknown size, even against a 1.
    """
    if len(first) < len(second):
        first, second = second, first
    extra = len(first) - len(second)
    result = list(first[:extra])
    for a, b in zip(first[extra:], second):
        if a is None or b is None:
            result.append(None)
        elif a == 1 or b == 1 or a == b:
            result.append(b if a == 1 else a)
        else:
            return None
    return tuple(result)


def _normalized_axis(axis: int, rank: int) -> int | None:
    """`axis` as a non-negative index into a shape of `rank` axes, or None if out of range."""
    return axis % rank if -rank <= axis < rank else None


def _l2_normalize(x: jax.Array, axis: int) -> jax.Array:
    """x / max(||x||, epsilon) along `axis`, written as Keras writes it (x * rsqrt(...))."""
    inverse_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inverse_norm, 1.0 / backend.epsilon())


def batch_dot(x: jax.Array, y: jax.Array, x_axis: int, y_axis: int) -> jax.Array:
    """Per-sample dot product over `x_axis` of x and `y_axis` of y (both non-negative).

    The result has the batch axis, then x's remaining axes, then y's; a result with only
    the batch axis left gets a trailing axis of size 1, as in Keras.
    """
    result = jax.lax.dot_general(x, y, (((x_axis,), (y_axis,)), ((0,), (0,))))
    return result[:, None] if result.ndim == 1 else result


# -- layers -----------------------------------------------------------------------------
class _Merge(Layer):
    """A layer called on a list of tensors; subclasses say how many and how they combine."""

    # The number of inputs accepted: at least `min_inputs`, exactly `exact_inputs` if set.
    min_inputs = 1
    exact_inputs: int | None = None

    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _shape_list(self, input_shape: Any) -> list[Shape]:
        """The input shapes as a list, after checking that they are a list of the right size."""
        if input_shape and _is_single_shape(input_shape):
            raise ValueError(
                f"Invalid value for argument `inputs` of {self._owner()}. Expected a list of "
                f"tensors. Received: a single tensor of shape {tuple(input_shape)}")
        if not isinstance(input_shape, (list, tuple)) or not all(
                _is_single_shape(shape) for shape in input_shape):
            raise ValueError(
                f"Invalid value for argument `inputs` of {self._owner()}. Expected a list of "
                f"tensors. Received: inputs with shapes {input_shape!r}")
        shapes = [tuple(shape) for shape in input_shape]
        if self.exact_inputs is not None and len(shapes) != self.exact_inputs:
            raise ValueError(
                f"Invalid value for argument `inputs` of {self._owner()}. Expected a list of "
                f"exactly {self.exact_inputs} tensors. Received: {len(shapes)} tensor(s) of "
                f"shapes {shapes}")
        if len(shapes) < self.min_inputs:
            raise ValueError(
                f"Invalid value for argument `inputs` of {self._owner()}. Expected a list of "
                f"at least {self.min_inputs} tensor. Received: an empty list")
        return shapes

    def _check(self, input_shape: Any) -> list[Shape]:
        """Raise a ValueError for inputs this layer cannot merge; return their shapes."""
        return self._shape_list(input_shape)

    # Merge layers have no weights. `build` sees shapes without their batch sizes, so it
    # only refuses a non-list (which must not be recorded as the build shape); the full
    # check runs on every call's real shapes, so that errors show what was passed.
    def build(self, input_shape: Any) -> None:
        self._shape_list(input_shape)

    def check_input_shape(self, input_shape: Any) -> None:
        self._check(input_shape)


class _ElementwiseMerge(_Merge):
    """Combines same-shaped (or broadcastable) tensors element by element."""

    supports_masking = True  # as in Keras: the input's mask passes on

    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        """A step counts where it counts in every input that has a mask."""
        masks = [mask for mask in previous_mask or [] if mask is not None]
        return functools.reduce(jnp.logical_and, masks) if masks else None

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        raise NotImplementedError

    def _non_batch_shape(self, shapes: list[Shape]) -> Shape:
        result = shapes[0][1:]
        for shape in shapes[1:]:
            merged = broadcast_shapes(result, shape[1:])
            if merged is None:
                raise ValueError(
                    f"{self._owner()} cannot combine its inputs elementwise: their shapes "
                    f"(without the batch axis) do not broadcast, {result} against "
                    f"{shape[1:]}. Received: shapes {shapes}")
            result = merged
        return result

    def _check(self, input_shape: Any) -> list[Shape]:
        shapes = super()._check(input_shape)
        batch_sizes = {shape[0] for shape in shapes if shape} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"{self._owner()} cannot merge tensors with different batch sizes. "
                f"Received: shapes {shapes}")
        self._non_batch_shape(shapes)
        return shapes

    def call(self, inputs: Sequence[jax.Array], mask: Any = None) -> jax.Array:
        # Lower-rank inputs get size-1 axes after the batch axis, so that their axes
        # line up with the others' last axes (Keras's rule for inputs of unequal rank).
        rank = max(x.ndim for x in inputs)
        aligned = [x if x.ndim == rank else
                   x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:])
                   for x in inputs]
        return self._combine(aligned)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shapes = self._shape_list(input_shape)
        batch_sizes = {shape[0] for shape in shapes if shape} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + self._non_batch_shape(shapes)


class Add(_ElementwiseMerge):
    """Sum of the inputs, element by element."""

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total


class Subtract(_ElementwiseMerge):
    """`inputs[0] - inputs[1]`, for exactly two inputs."""

    exact_inputs = 2

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        return inputs[0] - inputs[1]


class Multiply(_ElementwiseMerge):
    """Product of the inputs, element by element."""

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        product = inputs[0]
        for x in inputs[1:]:
            product = product * x
        return product


class Average(_ElementwiseMerge):
    """Mean of the inputs, element by element (their sum divided by their number)."""

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total / len(inputs)


class Maximum(_ElementwiseMerge):
    """Largest of the inputs, element by element."""

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        result = inputs[0]
        for x in inputs[1:]:
            result = jnp.maximum(result, x)
        return result


class Minimum(_ElementwiseMerge):
    """Smallest of the inputs, element by element."""

    def _combine(self, inputs: list[jax.Array]) -> jax.Array:
        result = inputs[0]
        for x in inputs[1:]:
            result = jnp.minimum(result, x)
        return result


class Concatenate(_Merge):
    """Joins the inputs along `axis`; all other axes must have equal sizes.

    Args:
        axis: the axis to join along (the batch axis, 0, is allowed, as in Keras).
    """

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        if not _is_int(axis):
            raise TypeError(
                f"Invalid type for argument `axis` of {self._owner()}. Expected an int. "
                f"Received: axis={axis!r} (of type {type(axis).__name__})")
        self.axis = int(axis)

    supports_masking = True  # as in Keras

    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        """The inputs' masks joined like the inputs (an unmasked input counts everywhere),
        then a step counts if any of its entries does (Keras's rule)."""
        if previous_mask is None or all(mask is None for mask in previous_mask):
            return None
        masks = []
        for value, mask in zip(inputs, previous_mask):
            if mask is None:
                mask = jnp.ones(value.shape, bool)
            elif mask.ndim < value.ndim:
                mask = jnp.broadcast_to(jnp.expand_dims(mask, -1), value.shape)
            masks.append(mask.astype(bool))
        return jnp.any(jnp.concatenate(masks, axis=self.axis), axis=-1)

    def _check(self, input_shape: Any) -> list[Shape]:
        shapes = super()._check(input_shape)
        rank = len(shapes[0])
        if any(len(shape) != rank for shape in shapes):
            raise ValueError(
                f"{self._owner()} requires inputs of equal rank. Received: shapes {shapes}")
        axis = _normalized_axis(self.axis, rank)
        if axis is None:
            raise ValueError(
                f"Invalid value for argument `axis` of {self._owner()}. Expected an axis of "
                f"inputs of rank {rank}, in [{-rank}, {rank}). Received: axis={self.axis}")
        for position in range(rank):
            known = {shape[position] for shape in shapes} - {None}
            if position != axis and len(known) > 1:
                raise ValueError(
                    f"{self._owner()} requires inputs whose sizes match on every axis except "
                    f"the concatenation axis (axis={self.axis}); they differ on axis "
                    f"{position}. Received: shapes {shapes}")
        return shapes

    def call(self, inputs: Sequence[jax.Array], mask: Any = None) -> jax.Array:
        return jnp.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shapes = self._check(input_shape)
        # Keras keeps the first input's sizes on the other axes, unknown ones included.
        result = list(shapes[0])
        axis = _normalized_axis(self.axis, len(result))
        sizes = [shape[axis] for shape in shapes]
        result[axis] = None if None in sizes else sum(sizes)
        return tuple(result)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Per-sample dot product of two tensors over one axis of each.

    Args:
        axes: an int (the same axis of both inputs) or a pair (axis of the first input,
            axis of the second). Negative axes count from the end; the batch axis, 0,
            cannot be used. The two axes must have the same size.
        normalize: L2-normalize both inputs along their axis first, so that the result is
            the cosine similarity of the two samples.
    """

    exact_inputs = 2

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if _is_int(axes):
            axes = int(axes)
        elif isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(
                    f"Invalid value for argument `axes` of {self._owner()}. Expected an int "
                    f"or a pair of ints. Received: axes={axes!r} ({len(axes)} entries)")
            if not all(_is_int(axis) for axis in axes):
                raise ValueError(
                    f"Invalid value for argument `axes` of {self._owner()}. Expected an int "
                    f"or a pair of ints. Received: axes={axes!r} (not all ints)")
            axes = type(axes)(int(axis) for axis in axes)
        else:
            raise TypeError(
                f"Invalid type for argument `axes` of {self._owner()}. Expected an int or a "
                f"pair of ints. Received: axes={axes!r} (of type {type(axes).__name__})")
        self.axes = axes
        self.normalize = normalize

    def _resolved_axes(self, first_rank: int, second_rank: int) -> tuple[int, int]:
        """The two axes as non-negative indices for inputs of these ranks (checked)."""
        # A non-negative int names the same axis of both inputs; a negative one counts
        # from the end of each input separately.
        wanted = (self.axes, self.axes) if _is_int(self.axes) else tuple(self.axes)
        resolved = []
        for axis, rank in zip(wanted, (first_rank, second_rank)):
            index = _normalized_axis(axis, rank)
            if index is None or index == 0:
                reason = "the batch axis, 0, cannot be used" if index == 0 else \
                    f"out of range for an input of rank {rank}"
                raise ValueError(
                    f"Invalid value for argument `axes` of {self._owner()}: axis {axis} is "
                    f"{reason}. Received: axes={self.axes!r}")
            resolved.append(index)
        return resolved[0], resolved[1]

    def _check(self, input_shape: Any) -> list[Shape]:
        first, second = super()._check(input_shape)
        if len(first) < 2 or len(second) < 2:
            raise ValueError(
                f"{self._owner()} requires inputs of rank 2 or more (a batch axis and at "
                f"least one more). Received: shapes {[first, second]}")
        first_axis, second_axis = self._resolved_axes(len(first), len(second))
        sizes = first[first_axis], second[second_axis]
        if None not in sizes and sizes[0] != sizes[1]:
            raise ValueError(
                f"{self._owner()} requires the dot product axes to have equal sizes: axis "
                f"{first_axis} of the first input has size {sizes[0]}, axis {second_axis} "
                f"of the second has size {sizes[1]}. Received: shapes {[first, second]}, "
                f"axes={self.axes!r}")
        batch_sizes = {first[0], second[0]} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"{self._owner()} cannot take the dot product of tensors with different "
                f"batch sizes. Received: shapes {[first, second]}")
        return [first, second]

    def call(self, inputs: Sequence[jax.Array], mask: Any = None) -> jax.Array:
        x, y = inputs
        x_axis, y_axis = self._resolved_axes(x.ndim, y.ndim)
        if self.normalize:
            x, y = _l2_normalize(x, x_axis), _l2_normalize(y, y_axis)
        return batch_dot(x, y, x_axis, y_axis)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        first, second = self._check(input_shape)
        first_axis, second_axis = self._resolved_axes(len(first), len(second))
        result = [d for i, d in enumerate(first) if i != first_axis] + [
            d for i, d in enumerate(second) if i not in (0, second_axis)]
        return tuple(result) if len(result) > 1 else tuple(result) + (1,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


# -- functional forms -------------------------------------------------------------------
def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Add(**kwargs)(inputs)`."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Subtract(**kwargs)(inputs)`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Multiply(**kwargs)(inputs)`."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Average(**kwargs)(inputs)`."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Maximum(**kwargs)(inputs)`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Minimum(**kwargs)(inputs)`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """`Concatenate(axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Sequence[Any], axes: int | Sequence[int] = -1, normalize: bool = False,
        **kwargs: Any) -> Any:
    """`Dot(axes, normalize, **kwargs)(inputs)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
