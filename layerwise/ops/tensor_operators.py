"""Python operators on symbolic tensors (`x + 1`, `x[:, 0]`, `-x`, ...), as ops.

Installed on `KerasTensor` when `layerwise.ops` is imported, so the engine's graph module
never depends on the ops above it. Each operator looks its op up at call time.
"""
from __future__ import annotations

from typing import Any

_BINARY = {
    "add": "add", "sub": "subtract", "mul": "multiply", "truediv": "true_divide",
    "floordiv": "floor_divide", "mod": "mod", "pow": "power", "matmul": "matmul",
    "and": "logical_and", "or": "logical_or", "xor": "logical_xor",
}
_COMPARISONS = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
                "eq": "equal", "ne": "not_equal"}
_UNARY = {"neg": "negative", "pos": "positive", "abs": "absolute", "invert": "logical_not"}


def _op(name: str) -> Any:
    from layerwise import ops

    function = getattr(ops, name, None)
    if function is None:
        raise TypeError(f"Symbolic tensors do not support this operator yet: "
                        f"`keras.ops.{name}` is missing.")
    return function


def _binary(op_name: str, reflected: bool):
    def operator(self, other):
        return _op(op_name)(other, self) if reflected else _op(op_name)(self, other)

    return operator


def _unary(op_name: str):
    def operator(self):
        return _op(op_name)(self)

    return operator


def _getitem(self, key):
    return _op("get_item")(self, key)


def install(tensor_class: type) -> None:
    """Give `tensor_class` the arithmetic, comparison and indexing operators."""
    for dunder, op_name in _BINARY.items():
        setattr(tensor_class, f"__{dunder}__", _binary(op_name, reflected=False))
        setattr(tensor_class, f"__r{dunder}__", _binary(op_name, reflected=True))
    for dunder, op_name in _COMPARISONS.items():
        setattr(tensor_class, f"__{dunder}__", _binary(op_name, reflected=False))
    for dunder, op_name in _UNARY.items():
        setattr(tensor_class, f"__{dunder}__", _unary(op_name))
    setattr(tensor_class, "__getitem__", _getitem)
    # Defining __eq__ removes hashing; symbolic tensors are looked up by identity.
    setattr(tensor_class, "__hash__", object.__hash__)
