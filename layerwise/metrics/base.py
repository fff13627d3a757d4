"""The `Metric` base class: a pure core (`initial_state`, `update`, `compute`) plus
Keras's stateful API (`update_state`, `result`, `reset_state`, `variables`) on top."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import initializers
from layerwise.engine import naming
from layerwise.engine.variables import StatelessScope, Variable

__all__ = ["Metric", "State"]


State = dict[str, jax.Array]


class Metric:
    """Base class: a pure core (`initial_state`, `update`, `compute`) plus Keras's API.

    Subclasses implement the three pure methods; `update_state`, `result`,
    `reset_state` and `variables` come from this class.

    Args:
        name: the metric's name (its log key); snake_case of the class by default.
        dtype: dtype of the state and the result (float32 by default).
    """

    # "up" when larger is better, "down" when smaller is; read by callbacks' mode="auto".
    _direction: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype = jnp.dtype(dtype or "float32").name
        # Built from `initial_state()` on first use, or declared with `add_variable`.
        self._variables: dict[str, Variable] | None = None
        self._declared_variables: dict[str, Variable] = {}

    @property
    def dtype(self) -> str:
        return self._dtype

    # -- the pure core ------------------------------------------------------------------
    # Built-in metrics implement these three. A Keras-style subclass that declares its
    # state with `add_variable` and overrides `update_state`/`result` gets them for free:
    # its methods are replayed inside a StatelessScope.
    def initial_state(self) -> State:
        """Fresh state (zeros); pure."""
        if self._declared_variables:
            return {key: jnp.zeros(v.shape, v.dtype) for key, v in self._declared_variables.items()}
        raise NotImplementedError(
            f"{type(self).__name__} must implement `initial_state()` or declare its state "
            "with `add_variable` in `__init__`."
        )

    def update(self, state: State, *args, **kwargs) -> State:
        """The state after one more batch; pure and jittable.

        Most metrics take `(state, y_true, y_pred, sample_weight=None)`; Mean and Sum
        take `(state, values, sample_weight=None)`.
        """
        if type(self).update_state is Metric.update_state:
            raise NotImplementedError(
                f"{type(self).__name__} must implement `update(...)` or `update_state(...)`."
            )
        variables = self._state_variables()
        with StatelessScope([(variables[key], state[key]) for key in variables]) as scope:
            self.update_state(*args, **kwargs)
            return {key: scope.new_value(variable) for key, variable in variables.items()}

    def compute(self, state: State) -> jax.Array:
        """The metric's value for a state; pure."""
        if type(self).result is Metric.result:
            raise NotImplementedError(
                f"{type(self).__name__} must implement `compute(state)` or `result()`."
            )
        variables = self._state_variables()
        with StatelessScope([(variables[key], state[key]) for key in variables]):
            return jnp.asarray(self.result())

    def add_variable(
        self,
        shape: tuple = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """Declare a state variable, as a Keras-style subclass does in `__init__`.

        (`aggregation` is accepted for compatibility; state is not sharded across devices.)
        """
        if not hasattr(self, "_declared_variables"):
            raise RuntimeError(
                "You forgot to call `super().__init__()` in the `__init__()` method. Go add it!"
            )
        key = name or "variable"
        suffix = 1
        while key in self._declared_variables:
            key, suffix = f"{name or 'variable'}_{suffix}", suffix + 1
        variable = Variable(
            initializers.get(initializer),
            shape=tuple(shape),
            dtype=dtype or self.dtype,
            trainable=False,
            name=key,
        )
        variable.path = f"{self.name}/{key}"
        self._declared_variables[key] = variable
        return variable

    def add_weight(
        self,
        shape: tuple = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Keras's older name for `add_variable`."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        """Fix shape-dependent configuration before the first update (most metrics need none)."""

    @property
    def built(self) -> bool:
        return True

    # -- Keras's stateful API -----------------------------------------------------------
    def _state_variables(self) -> dict[str, Variable]:
        if self._declared_variables:
            return self._declared_variables
        if self._variables is None:
            self._variables = {}
            for key, value in self.initial_state().items():
                variable = Variable(value, dtype=value.dtype, trainable=False, name=key)
                variable.path = f"{self.name}/{key}"
                self._variables[key] = variable
        return self._variables

    @property
    def variables(self) -> list[Variable]:
        return list(self._state_variables().values()) if self.built else []

    def _current_state(self) -> State:
        return {key: variable.value for key, variable in self._state_variables().items()}

    def _assign_state(self, state: State) -> None:
        for key, variable in self._state_variables().items():
            variable.assign(state[key])

    def update_state(self, *args, **kwargs) -> None:
        """Accumulate a batch into the metric's variables."""
        self._assign_state(self.update(self._current_state(), *args, **kwargs))

    def result(self) -> jax.Array:
        return self.compute(self._current_state())

    def reset_state(self) -> None:
        if self.built:
            self._assign_state(self.initial_state())

    def __call__(self, *args, **kwargs) -> jax.Array:
        self.update_state(*args, **kwargs)
        return self.result()

    # Keras's list-based stateless API, for code written against `keras.Metric`.
    def stateless_update_state(self, metric_variables: list, *args, **kwargs) -> list:
        keys = list(self._state_variables())
        self._check_length(metric_variables, keys)
        new_state = self.update(dict(zip(keys, metric_variables)), *args, **kwargs)
        return [new_state[key] for key in keys]

    def stateless_result(self, metric_variables: list) -> jax.Array:
        keys = list(self._state_variables())
        self._check_length(metric_variables, keys)
        return self.compute(dict(zip(keys, metric_variables)))

    def stateless_reset_state(self) -> list:
        return list(self.initial_state().values())

    def _check_length(self, metric_variables: list, keys: list) -> None:
        if len(metric_variables) != len(keys):
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length "
                f"{len(metric_variables)}, but expected {len(keys)} variables."
            )

    # -- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
