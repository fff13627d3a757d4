"""Adadelta."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), with Keras 3's defaults (lr=0.001, ρ=0.95, ε=1e-7).

        E[g²] ← ρ·E[g²] + (1 − ρ)·g²
        Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g;   E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
        θ ← θ − lr·Δ

    This is `optax.scale_by_adadelta` exactly. Other arguments: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        rho: float = 0.95,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"]
        )

    def _transform(self, learning_rate):
        return optax.chain(
            optax.scale_by_adadelta(rho=self.rho, eps=self.epsilon),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _pack_state(self, slots, step):
        adadelta = optax.ScaleByAdaDeltaState(
            e_g=slots["accumulated_grad"], e_x=slots["accumulated_delta_var"]
        )
        return (adadelta, optax.EmptyState())

    def _unpack_state(self, state):
        return {
            "accumulated_grad": list(state[0].e_g),
            "accumulated_delta_var": list(state[0].e_x),
        }

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
