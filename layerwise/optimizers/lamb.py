"""LAMB: Adam steps rescaled per variable by the trust ratio ‖θ‖ / ‖step‖."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from layerwise.optimizers.base import _Default
from layerwise.optimizers.per_variable import PerVariableOptimizer

__all__ = ["Lamb"]


class Lamb(PerVariableOptimizer):
    """LAMB (You et al., 2019), as Keras 3 computes it:

        m ← m + (g − m)(1 − β1);  v ← v + (g² − v)(1 − β2)
        r = (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
        θ ← θ − (‖θ‖ / ‖r‖)·lr·r   (ratio 1 when either norm is 0)

    Other arguments: see `Optimizer`.
    """

    _slot_names = ("momentum", "velocity")

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "velocity"])

    def _update_variable(self, gradient, variable, slots, step, learning_rate):
        dtype = variable.dtype
        learning_rate = learning_rate.astype(dtype)
        local_step = (step + 1).astype(dtype)
        beta_1_power = jnp.power(jnp.asarray(self.beta_1, dtype), local_step)
        beta_2_power = jnp.power(jnp.asarray(self.beta_2, dtype), local_step)
        momentum = slots["momentum"] + (gradient - slots["momentum"]) * (1 - self.beta_1)
        velocity = slots["velocity"] + (jnp.square(gradient) - slots["velocity"]) * \
            (1 - self.beta_2)
        step_direction = (momentum / (1.0 - beta_1_power)) / (
            jnp.sqrt(velocity / (1.0 - beta_2_power)) + self.epsilon)
        weight_norm = jnp.sqrt(jnp.sum(jnp.power(variable, 2)))
        step_norm = jnp.sqrt(jnp.sum(jnp.power(step_direction, 2)))
        ratio = jnp.where(weight_norm > 0,
                          jnp.where(step_norm > 0, weight_norm / step_norm, 1.0), 1.0)
        return variable - ratio * learning_rate * step_direction, {"momentum": momentum,
                                                                   "velocity": velocity}

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
