"""Schedule-free AdamW: AdamW without a learning-rate schedule, averaging its iterates."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from layerwise.optimizers.per_variable import PerVariableOptimizer

__all__ = ["ScheduleFreeAdamW"]


class ScheduleFreeAdamW(PerVariableOptimizer):
    """Schedule-free AdamW (Defazio et al., 2024), as Keras 3 computes it.

    The `momentum` slot holds the fast iterate z (it starts as a copy of the weights),
    the weights hold y, an interpolation of z and the running average x:

        v ← v + (g² − v)(1 − β2);  z ← z − lr·g / (√(v / (1 − β2ᵗ)) + ε)
        x_old = (y − (1 − β1)·z_old) / β1;  x = (1 − 1/t)·x_old + z/t
        y ← (1 − β1)·z + β1·x

    `warmup_steps` ramps the learning rate linearly over the first steps.
    Other arguments: see `Optimizer`.
    """

    _slot_names = ("momentum", "velocity")

    def __init__(
        self,
        learning_rate: Any = 0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        momentums, _ = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        for momentum, variable in zip(momentums, variables):
            # A copy: sharing the weight's buffer would donate it twice in a compiled step.
            momentum.assign(jnp.copy(variable.value))

    def _update_variable(self, gradient, variable, slots, step, learning_rate):
        dtype = variable.dtype
        learning_rate = learning_rate.astype(dtype)
        local_step = (step + 1).astype(dtype)
        beta_1 = jnp.asarray(self.beta_1, dtype)
        beta_2 = jnp.asarray(self.beta_2, dtype)
        epsilon = jnp.asarray(self.epsilon, dtype)
        if self.warmup_steps > 0:
            warmup = jnp.minimum(local_step / jnp.asarray(self.warmup_steps, dtype), 1.0)
            learning_rate = learning_rate * warmup
        old_momentum = slots["momentum"]
        bias_correction = 1 - jnp.power(beta_2, local_step)
        velocity = slots["velocity"] + (jnp.square(gradient) - slots["velocity"]) * (1 - beta_2)
        denominator = jnp.sqrt(velocity / bias_correction) + epsilon
        momentum = old_momentum - (learning_rate * gradient) / denominator
        weight = 1.0 / local_step
        average = (variable - (1 - beta_1) * old_momentum) / beta_1
        average = (1 - weight) * average + weight * momentum
        new_variable = (1 - beta_1) * momentum + beta_1 * average
        return new_variable, {"momentum": momentum, "velocity": velocity}

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "warmup_steps": self.warmup_steps}
