"""Lion: the sign of an interpolated momentum."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import optax

from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion (Chen et al., 2023); this is `optax.scale_by_lion` exactly.

        θ ← θ − lr·sign(β1·m + (1 − β1)·g);  m ← β2·m + (1 − β2)·g

    Other arguments: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def _transform(self, learning_rate):
        return optax.chain(
            # float32 betas: Keras computes `1 - beta` after casting them.
            optax.scale_by_lion(b1=jnp.float32(self.beta_1), b2=jnp.float32(self.beta_2)),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _pack_state(self, slots, step):
        return (optax.ScaleByLionState(count=step, mu=slots["momentum"]), optax.EmptyState())

    def _unpack_state(self, state):
        return {"momentum": list(state[0].mu)}

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
