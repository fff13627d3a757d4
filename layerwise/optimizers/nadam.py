"""Nadam: Adam with Nesterov momentum and Dozat's momentum schedule."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.engine import naming
from layerwise.optimizers import transforms
from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Nadam as Keras 3 computes it (see `transforms.scale_by_keras_nadam`).

    Besides the per-variable momentum and velocity it keeps one float32 scalar, the
    product of the momentum schedule, saved last (Keras names it "variable").
    Other arguments: see `Optimizer`.
    """

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
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )
        # Keras creates this one without a name, so it gets the generic "variable" name.
        self._u_product = self.add_variable((), initializer=1.0, name=naming.unique_name("variable"))
        self._slots["u_product"] = self._u_product

    def _transform(self, learning_rate):
        return optax.chain(
            transforms.scale_by_keras_nadam(self.beta_1, self.beta_2, self.epsilon),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _pack_state(self, slots, step):
        nadam = transforms.KerasNadamState(
            count=step,
            momentum=slots["momentum"],
            velocity=slots["velocity"],
            u_product=slots["u_product"],
        )
        return (nadam, optax.EmptyState())

    def _unpack_state(self, state):
        nadam = state[0]
        return {
            "momentum": list(nadam.momentum),
            "velocity": list(nadam.velocity),
            "u_product": nadam.u_product,
        }

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
