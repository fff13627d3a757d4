"""Adam and AdamW (Adam with decoupled weight decay on by default)."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.optimizers import transforms
from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam with Keras's "epsilon hat" (see `transforms.scale_by_keras_adam`).

        θ ← θ − lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε)

    Other arguments: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def _transform(self, learning_rate):
        return optax.chain(
            transforms.scale_by_keras_adam(self.beta_1, self.beta_2, self.epsilon, self.amsgrad),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _pack_state(self, slots, step):
        adam = transforms.KerasAdamState(
            count=step,
            momentum=slots["momentum"],
            velocity=slots["velocity"],
            velocity_hat=slots["velocity_hat"] if self.amsgrad else (),
        )
        return (adam, optax.EmptyState())

    def _unpack_state(self, state):
        adam = state[0]
        slots = {"momentum": list(adam.momentum), "velocity": list(adam.velocity)}
        if self.amsgrad:
            slots["velocity_hat"] = list(adam.velocity_hat)
        return slots

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), applied before the update:

        θ ← θ − θ·weight_decay·lr, then the Adam step.

    `weight_decay` defaults to 0.004 and must not be None. Other arguments: see `Adam`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ):
        if weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
