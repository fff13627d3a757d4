"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.optimizers import transforms
from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax as Keras computes it (see `transforms.scale_by_keras_adamax`).

        m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g|);  θ ← θ − lr·m/((1 − β1ᵗ)(u + ε))

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
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def _transform(self, learning_rate):
        return optax.chain(
            transforms.scale_by_keras_adamax(self.beta_1, self.beta_2, self.epsilon),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _pack_state(self, slots, step):
        adamax = transforms.KerasAdamaxState(
            count=step, momentum=slots["momentum"], norm=slots["norm"]
        )
        return (adamax, optax.EmptyState())

    def _unpack_state(self, state):
        return {"momentum": list(state[0].momentum), "norm": list(state[0].norm)}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
