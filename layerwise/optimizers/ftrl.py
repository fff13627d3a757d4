"""FTRL-proximal ("follow the regularized leader"), as Keras 3 computes it."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from layerwise.optimizers.base import _Default
from layerwise.optimizers.per_variable import PerVariableOptimizer

__all__ = ["Ftrl"]


class Ftrl(PerVariableOptimizer):
    """FTRL-proximal (McMahan et al., 2013) with L1, L2 and L2-shrinkage regularization.

        n' = n + g²;  z += g + 2·l2_shrinkage·θ − (n'^(−p) − n^(−p))/lr·θ
        θ  = (clip(z, ±l1) − z) / (n'^(−p)/lr + 2·(l2 + beta/(2·lr)))

    with p = `learning_rate_power`. Other arguments: see `Optimizer`.
    """

    _slot_names = ("accumulator", "linear")

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for argument, value, wanted in [
            ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
            ("learning_rate_power", -learning_rate_power, "negative or zero"),
            ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
            ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
             "positive or zero"),
        ]:
            if value < 0.0:
                received = -value if argument == "learning_rate_power" else value
                raise ValueError(f"Ftrl: `{argument}` needs to be {wanted}. Received: "
                                 f"{argument}={received}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        accumulators, linears = [], []
        for variable in variables:  # interleaved per variable, as Keras saves them
            accumulators.append(self.add_variable_from_reference(
                variable, "accumulator", initializer=self.initial_accumulator_value))
            linears.append(self.add_variable_from_reference(variable, "linear"))
        self._slots["accumulator"], self._slots["linear"] = accumulators, linears

    def _update_variable(self, gradient, variable, slots, step, learning_rate):
        learning_rate = learning_rate.astype(variable.dtype)
        accumulator, linear = slots["accumulator"], slots["linear"]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        shrunk_gradient = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accumulator = accumulator + jnp.square(gradient)
        sigma = (jnp.power(new_accumulator, power) - jnp.power(accumulator, power)) / learning_rate
        linear = linear + (shrunk_gradient - sigma * variable)
        quadratic = jnp.power(new_accumulator, power) / learning_rate + 2 * l2
        l1 = self.l1_regularization_strength
        new_variable = (jnp.clip(linear, -l1, l1) - linear) / quadratic
        return new_variable, {"accumulator": new_accumulator, "linear": linear}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }
