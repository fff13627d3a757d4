"""SGD, with optional (Nesterov) momentum."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.optimizers.base import Optimizer, _Default, _is_real_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent with optional momentum.

        no momentum: θ ← θ − lr·g
        momentum:    m ← μ·m − lr·g;  θ ← θ + m          (nesterov: θ ← θ + μ·m − lr·g)

    The learning rate sits inside the momentum, so changing it mid-training only scales
    new gradients. Other arguments: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.01),
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not _is_real_scalar(momentum) or not 0 <= momentum <= 1:
            raise ValueError(
                "Invalid value for argument `momentum`. Expected a float between 0 and 1. "
                f"Received: momentum={momentum!r}"
            )
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _transform(self, learning_rate):
        # Scaling by -lr first makes optax's trace exactly Keras's momentum slot.
        # Whether momentum is used is read from the slots (made at build), not from the
        # value, so a traced momentum can be an argument of the step (layerwise.sweep).
        if not self.momentums:
            return optax.scale_by_learning_rate(learning_rate)
        return optax.chain(
            optax.scale_by_learning_rate(learning_rate),
            optax.trace(decay=self.momentum, nesterov=self.nesterov),
        )

    def _pack_state(self, slots, step):
        if not self.momentums:
            return optax.EmptyState()
        return (optax.EmptyState(), optax.TraceState(trace=slots["momentum"]))

    def _unpack_state(self, state):
        if not self.momentums:
            return {}
        return {"momentum": list(state[1].trace)}

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
