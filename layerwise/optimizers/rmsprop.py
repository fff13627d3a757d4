"""RMSprop, optionally centered and with momentum."""
from __future__ import annotations

from typing import Any

import optax

from layerwise.optimizers.base import Optimizer, _Default

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Divide the gradient by a running root-mean-square of recent gradients.

        v ← ρ·v + (1 − ρ)·g²                 (centered: ḡ ← ρ·ḡ + (1 − ρ)·g)
        step = lr·g/√(v + ε)                 (centered: lr·g/√(v − ḡ² + ε))
        θ ← θ − step                         (momentum: m ← μ·m + step; θ ← θ − m)

    Other arguments: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = _Default(0.001),
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        # Keras adds one block per slot kind, so the saved order is all velocities first.
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def _transform(self, learning_rate):
        scale_by_rms = optax.scale_by_stddev if self.centered else optax.scale_by_rms
        parts = [
            scale_by_rms(decay=self.rho, eps=self.epsilon, eps_in_sqrt=True),
            optax.scale_by_learning_rate(learning_rate, flip_sign=False),
        ]
        # Momentum's use is read from its slots (made at build), so a traced value works.
        if self._momentums:
            # Keras keeps lr inside the momentum and subtracts it: trace, then flip the sign.
            parts.append(optax.trace(decay=self.momentum))
        parts.append(optax.scale(-1.0))
        return optax.chain(*parts)

    def _pack_state(self, slots, step):
        if self.centered:
            rms = optax.ScaleByRStdDevState(mu=slots["average_gradient"], nu=slots["velocity"])
        else:
            rms = optax.ScaleByRmsState(nu=slots["velocity"])
        state = [rms, optax.EmptyState()]
        if self._momentums:
            state.append(optax.TraceState(trace=slots["momentum"]))
        return tuple(state) + (optax.EmptyState(),)

    def _unpack_state(self, state):
        slots = {"velocity": list(state[0].nu)}
        if self.centered:
            slots["average_gradient"] = list(state[0].mu)
        if self._momentums:
            slots["momentum"] = list(state[2].trace)
        return slots

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
