"""Adafactor: Adam-like steps with the second moment of a matrix kept as row and column
averages, and steps sized relative to the weights' scale."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from layerwise.optimizers.base import _Default
from layerwise.optimizers.per_variable import PerVariableOptimizer

__all__ = ["Adafactor"]


def _rms(x):
    return jnp.sqrt(jnp.mean(jnp.square(x)))


class Adafactor(PerVariableOptimizer):
    """Adafactor (Shazeer & Stern, 2018), as Keras 3 computes it.

    With ρ = min(lr, 1/√t), α = max(ε2, rms(θ))·ρ and β2ₜ = 1 − t^beta_2_decay:
    variables of rank >= 2 keep row and column means `r`, `c` of g² + ε1 (their product,
    normalized, is the second moment v); others keep v itself. The step is
    u = g/√v, clipped to rms(u) <= clip_threshold, times α.
    `relative_step=True` also caps a constant learning rate at 1/√t.

    Slot variables, in Keras's order per variable: `r`, `c` (named like the variable;
    scalar int32 zeros, unused, for variables of rank < 2) and `velocity`.
    Other arguments: see `Optimizer`.
    """

    _slot_names = ("factored_rows", "factored_columns", "velocity")

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        rows, columns, velocities = [], [], []
        for variable in variables:
            if len(variable.shape) < 2:
                # Keras keeps (and saves) unused scalar placeholders here.
                rows.append(self.add_variable((), "zeros", "int32", variable.name))
                columns.append(self.add_variable((), "zeros", "int32", variable.name))
            else:
                shape = tuple(variable.shape)
                rows.append(self.add_variable(shape[:-1], "zeros", variable.dtype, variable.name))
                columns.append(self.add_variable(shape[:-2] + shape[-1:], "zeros",
                                                 variable.dtype, variable.name))
            velocities.append(self.add_variable_from_reference(variable, "velocity"))
        self._slots.update(factored_rows=rows, factored_columns=columns, velocity=velocities)

    def _update_variable(self, gradient, variable, slots, step, learning_rate):
        dtype = variable.dtype
        learning_rate = learning_rate.astype(dtype)
        local_step = (step + 1).astype(dtype)
        if self.relative_step and not callable(self._learning_rate):
            learning_rate = jnp.minimum(learning_rate, 1 / jnp.sqrt(local_step))
        relative_step_size = jnp.minimum(learning_rate, 1 / jnp.sqrt(local_step))
        step_size = jnp.maximum(jnp.asarray(self.epsilon_2, dtype), _rms(variable)) * \
            relative_step_size
        squared = jnp.square(gradient) + self.epsilon_1
        beta_2 = 1 - jnp.power(local_step, self.beta_2_decay)
        rows, columns = slots["factored_rows"], slots["factored_columns"]
        if variable.ndim >= 2:
            rows = beta_2 * rows + (1 - beta_2) * jnp.mean(squared, axis=-1)
            columns = beta_2 * columns + (1 - beta_2) * jnp.mean(squared, axis=-2)
            velocity = jnp.expand_dims(rows / jnp.mean(rows, axis=-1, keepdims=True), -1) * \
                jnp.expand_dims(columns, -2)
        else:
            velocity = beta_2 * slots["velocity"] + (1 - beta_2) * squared
        scaled = gradient / jnp.sqrt(velocity)
        clipped = scaled / jnp.maximum(jnp.asarray(1.0, dtype), _rms(scaled) / self.clip_threshold)
        return variable - step_size * clipped, {"factored_rows": rows,
                                                "factored_columns": columns,
                                                "velocity": velocity}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_2_decay": self.beta_2_decay,
            "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2,
            "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        }
