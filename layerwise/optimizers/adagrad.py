"""Adagrad."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Per-parameter learning rates from the sum of all squared gradients so far.

        A ← A + g²   (A starts at `initial_accumulator_value`)
        θ ← θ − lr·g/√(A + ε)

    This is `optax.scale_by_rss`. Other arguments: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", initializer=self.initial_accumulator_value
        )

    def _transform(self, learning_rate):
        return optax.chain(
            optax.scale_by_rss(
                initial_accumulator_value=self.initial_accumulator_value, eps=self.epsilon
            ),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _pack_state(self, slots, step):
        return (optax.ScaleByRssState(sum_of_squares=slots["accumulator"]), optax.EmptyState())

    def _unpack_state(self, state):
        return {"accumulator": list(state[0].sum_of_squares)}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
