"""InputSpec: what a layer accepts (rank, axis sizes, shape), checked before each call."""
from __future__ import annotations

from typing import Any

import jax

from layerwise.engine.keras_tensor import is_shape


class InputSpec:
    """The rank, sizes and dtype a layer expects of one input.

    Args:
        dtype: expected dtype (recorded; the check is on shapes).
        shape: expected shape, None for any size along an axis.
        ndim / max_ndim / min_ndim: expected rank, or its bounds.
        axes: {axis: size} that must hold.
        allow_last_axis_squeeze: a trailing axis of size 1 may be missing on either side.
        name: the input's name. optional: the input may be None.
    """

    def __init__(self, dtype: Any = None, shape: Any = None, ndim: int | None = None,
                 max_ndim: int | None = None, min_ndim: int | None = None,
                 axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(axis): size for axis, size in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            rank = self.ndim if self.ndim is not None else self.max_ndim
            if max(self.axes) >= rank:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed "
                                 f"value: {rank - 1}")

    def __repr__(self) -> str:
        parts = [f"{key}={value}" for key, value in (
            ("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
            ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim), ("axes", self.axes))
            if value]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "InputSpec":
        return cls(**config)


def check_input_spec(input_spec: Any, input_shape: Any, layer_name: str) -> None:
    """Raise Keras's ValueError when the input shapes break the layer's `input_spec`."""
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    shapes = [input_shape] if is_shape(input_shape) else jax.tree_util.tree_leaves(
        input_shape, is_leaf=is_shape)
    if len(shapes) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it '
                         f"received {len(shapes)} input tensors.")
    for index, (shape, spec) in enumerate(zip(shapes, specs)):
        if spec is not None:
            _check_one(spec, tuple(shape), index, layer_name)


def _check_one(spec: InputSpec, shape: tuple, index: int, layer_name: str) -> None:
    prefix = (f"Input {index} with name '{spec.name}' of layer '{layer_name}' is "
              "incompatible with the layer:")
    ndim = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{prefix} expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                         f"received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{prefix} expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{prefix} expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    for axis, size in spec.axes.items():
        if size is not None and shape[axis] not in (size, None):
            raise ValueError(f"{prefix} expected axis {axis} of input shape to have value "
                             f"{size}, but received input with shape {shape}")
    if spec.shape is not None:
        expected, received = spec.shape, shape
        if spec.allow_last_axis_squeeze:
            received = received[:-1] if received and received[-1] == 1 else received
            expected = expected[:-1] if expected and expected[-1] == 1 else expected
        for want, got in zip(expected, received):
            if want is not None and got is not None and want != got:
                raise ValueError(f"{prefix} expected shape={spec.shape}, found shape={shape}")
