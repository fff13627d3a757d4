"""Variables: named, mutable holders of one array, and the scope that makes them pure.

Layers, optimizers and metrics keep their state in `Variable`s so that user code can
read and assign it as in Keras. The training engine never mutates them step by step:
it reads every value once, runs compiled pure functions over those arrays, and writes
the results back. Inside a `StatelessScope` a variable reads the value the scope maps it
to and records assignments instead of applying them; that is what lets a layer's
ordinary `call` be traced as a pure function of its weights.
"""
from __future__ import annotations

import contextvars
from typing import Any, Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np

_active_scope: contextvars.ContextVar["StatelessScope | None"] = contextvars.ContextVar(
    "layerwise_stateless_scope", default=None
)
# Mixed precision: while a layer with a mixed policy runs, its floating variables are read
# in its compute dtype (Keras's AutocastScope). None: read as stored.
_autocast_dtype: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "layerwise_autocast_dtype", default=None
)


def autocast_dtype() -> str | None:
    """The dtype floating variables are read in now, or None."""
    return _autocast_dtype.get()


class AutocastScope:
    """Read floating, autocast variables in `dtype` (None: as stored) inside the scope."""

    def __init__(self, dtype: str | None):
        self.dtype = dtype
        self._token = None

    def __enter__(self) -> "AutocastScope":
        self._token = _autocast_dtype.set(self.dtype)
        return self

    def __exit__(self, *exc_info) -> None:
        _autocast_dtype.reset(self._token)


class StatelessScope:
    """Maps variables to values for reads, and collects assignments instead of applying them.

    Args:
        mapping: (variable, value) pairs that reads inside the scope return.
    """

    def __init__(self, mapping: Iterable[tuple["Variable", Any]] = ()):
        self._values: dict[int, Any] = {id(variable): value for variable, value in mapping}
        self._assigned: dict[int, Any] = {}
        self._token = None

    def __enter__(self) -> "StatelessScope":
        self._token = _active_scope.set(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _active_scope.reset(self._token)

    def read(self, variable: "Variable") -> Any:
        key = id(variable)
        if key in self._assigned:
            return self._assigned[key]
        if key in self._values:
            return self._values[key]
        return variable._value

    def assign(self, variable: "Variable", value: Any) -> None:
        self._assigned[id(variable)] = value

    def new_value(self, variable: "Variable") -> Any:
        """The value the variable has at the end of the scope (assigned, mapped or own)."""
        return self.read(variable)


def to_device(value: Any, dtype: Any = None) -> jax.Array:
    """`value` as a device array; host (numpy) values are copied over without compiling.

    `jnp.asarray` on a numpy array compiles and runs a small program per shape and dtype,
    ~10-20 ms each the first time: a dozen of them were a third of a warm `fit`'s start.
    """
    if isinstance(value, (np.ndarray, np.generic)):
        return jax.device_put(value if dtype is None else np.asarray(value, dtype))
    return jnp.asarray(value, dtype)


class ShapeScope(StatelessScope):
    """A stateless scope for tracing that only works out shapes: what is assigned in it
    is dropped, and layers may skip state checks that need real values."""


def current_scope() -> StatelessScope | None:
    return _active_scope.get()


def tracing_shapes_only(value: Any) -> bool:
    """Whether `value` is a tracer of a trace made only for shapes (outside any scope, or
    in a ShapeScope), not of a program that runs."""
    scope = current_scope()
    return isinstance(value, jax.core.Tracer) and (scope is None or
                                                   isinstance(scope, ShapeScope))


class Variable:
    """A named array that layers, optimizers and metrics own.

    Args:
        initializer: an array-like value, or a callable `(shape, dtype) -> array`.
        shape: required when `initializer` is a callable.
        dtype: the variable's dtype (float32 unless told otherwise).
        trainable: whether the optimizer updates it.
        name: short name, e.g. "kernel".
        regularizer: callable `(value) -> scalar` added to the loss, or None.
        constraint: callable `(value) -> value` applied after each update, or None.
        autocast: whether reads inside a mixed-precision layer give the layer's compute
            dtype (floating variables only).
    """

    def __init__(
        self,
        initializer: Any,
        shape: tuple[int, ...] | None = None,
        dtype: Any = "float32",
        trainable: bool = True,
        name: str = "variable",
        regularizer: Callable | None = None,
        constraint: Callable | None = None,
        autocast: bool = True,
    ):
        self.name = name
        self.autocast = autocast
        self.path = name
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
        self.dtype = jnp.dtype(dtype)
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable '{name}': a `shape` is required when the initializer is a "
                    f"callable. Received: initializer={initializer!r}, shape=None"
                )
            # A layer may be built while the engine traces a function; the initial value
            # must still be a concrete array, never a tracer.
            with jax.ensure_compile_time_eval():
                value = initializer(tuple(shape), dtype=self.dtype)
        else:
            value = initializer
        with jax.ensure_compile_time_eval():
            self._value = to_device(value, self.dtype)
        if shape is not None and tuple(self._value.shape) != tuple(shape):
            raise ValueError(
                f"Variable '{name}': initial value has shape {tuple(self._value.shape)}, "
                f"expected {tuple(shape)}"
            )

    # -- reading -------------------------------------------------------------------------
    @property
    def value(self) -> jnp.ndarray:
        scope = current_scope()
        value = scope.read(self) if scope is not None else self._value
        cast_to = _autocast_dtype.get()
        if cast_to is not None and self.autocast and value.dtype != cast_to and \
                jnp.issubdtype(value.dtype, jnp.floating):
            value = value.astype(cast_to)
        return value

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._value.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numpy(self) -> np.ndarray:
        return np.asarray(self.value)

    def __array__(self, dtype=None, copy=None):
        array = np.asarray(self.value)
        return array.astype(dtype) if dtype is not None else array

    def __jax_array__(self):
        return self.value

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index):
        return self.value[index]

    # -- writing -------------------------------------------------------------------------
    def assign(self, value: Any) -> "Variable":
        value = to_device(value, self.dtype)
        if tuple(value.shape) != self.shape:
            raise ValueError(
                f"Variable '{self.path}': cannot assign a value of shape {tuple(value.shape)} "
                f"to a variable of shape {self.shape}"
            )
        scope = current_scope()
        if scope is not None:
            scope.assign(self, value)
        else:
            self._value = value
        return self

    def assign_add(self, delta: Any) -> "Variable":
        return self.assign(self.value + delta)

    def assign_sub(self, delta: Any) -> "Variable":
        return self.assign(self.value - delta)

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype.name}, "
            f"value={np.asarray(self._value)!r}>"
        )

    # Arithmetic reads the current value, so `variable * 2` works as with Keras variables.
    def __neg__(self):
        return -self.value

    def __add__(self, other):
        return self.value + other

    def __radd__(self, other):
        return other + self.value

    def __sub__(self, other):
        return self.value - other

    def __rsub__(self, other):
        return other - self.value

    def __mul__(self, other):
        return self.value * other

    def __rmul__(self, other):
        return other * self.value

    def __truediv__(self, other):
        return self.value / other

    def __rtruediv__(self, other):
        return other / self.value

    def __pow__(self, other):
        return self.value**other

    def __matmul__(self, other):
        return self.value @ other

    def __rmatmul__(self, other):
        return other @ self.value

    def __lt__(self, other):
        return self.value < other

    def __le__(self, other):
        return self.value <= other

    def __gt__(self, other):
        return self.value > other

    def __ge__(self, other):
        return self.value >= other
