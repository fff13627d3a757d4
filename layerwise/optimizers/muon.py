"""Muon: momentum steps orthogonalized by a Newton-Schulz iteration for 2D weights, AdamW
for the others."""
from __future__ import annotations

import re
from typing import Any

import jax.numpy as jnp

from layerwise.optimizers import transforms
from layerwise.optimizers.per_variable import PerVariableOptimizer

__all__ = ["Muon"]


def _swap_last_axes(x):
    return jnp.swapaxes(x, -1, -2)


def orthogonalize(x, steps: int, a: float, b: float, c: float):
    """Approximately the nearest semi-orthogonal matrix to `x`: the quintic Newton-Schulz
    iteration X ← aX + (bA + cA²)X with A = XXᵀ, on the wide orientation of `x`."""
    if x.ndim < 2:
        raise ValueError("Muon: expected a gradient or momentum of at least 2 dimensions. "
                         f"Received: shape={x.shape}")
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = _swap_last_axes(x)
    x = x / (jnp.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
    for _ in range(steps):
        gram = x @ _swap_last_axes(x)
        polynomial = b * gram + (c * gram) @ gram
        x = a * x + polynomial @ x
    return _swap_last_axes(x) if tall else x


class Muon(PerVariableOptimizer):
    """Muon (Jordan et al., 2024), as Keras 3 computes it.

    2D weights (not embeddings, nor matched by `exclude_layers`) take
        m ← momentum·m + g;  u = orthogonalize(g + momentum·m if nesterov else m)
        θ ← θ − lr·u·√max(rows, columns)·rms_rate   (no rescaling when rms_rate is None)
    with weight decay `weight_decay`; the other weights take AdamW with `adam_beta_1`,
    `adam_beta_2`, `epsilon`, learning rate lr·adam_lr_ratio and `adam_weight_decay`.
    Other arguments: see `Optimizer`.
    """

    _slot_names = ("momentum",)

    def __init__(
        self,
        learning_rate: Any = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float = 0.004,
        exclude_layers: Any = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.775,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _uses_adamw(self, variable) -> bool:
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", None) or variable.name
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        momentums = []
        # Only AdamW weights have a velocity; it follows their momentum, as Keras saves it.
        self._velocity_slots: dict[int, str] = {}
        for index, variable in enumerate(variables):
            momentums.append(self.add_variable_from_reference(variable, "momentum"))
            if self._uses_adamw(variable):
                name = f"velocity_{index}"
                self._slots[name] = self.add_variable_from_reference(variable, "velocity")
                self._velocity_slots[index] = name
        self._slots["momentum"] = momentums

    def _slots_of(self, slots, index):
        own = super()._slots_of(slots, index)
        if index in self._velocity_slots:
            own["velocity"] = slots[self._velocity_slots[index]]
        return own

    def _store_slots(self, slots, index, own):
        super()._store_slots(slots, index, own)
        if index in self._velocity_slots:
            slots[self._velocity_slots[index]] = own["velocity"]

    def _decay_weights(self, params, learning_rate):
        # Each weight decays with the rate of the rule it follows.
        mask = self._weight_decay_mask()
        decayed = []
        for index, (param, use) in enumerate(zip(params, mask)):
            rate = self.adam_weight_decay if index in self._velocity_slots else self.weight_decay
            if use and rate is not None:
                param = transforms.decay_weights([param], rate, learning_rate, [True])[0]
            decayed.append(param)
        return decayed

    def _update_variable(self, gradient, variable, slots, step, learning_rate):
        if "velocity" in slots:
            return self._adamw_step(gradient, variable, slots, step,
                                    learning_rate * self.adam_lr_ratio)
        momentum = slots["momentum"] + (gradient + slots["momentum"] * (self.momentum - 1))
        direction = gradient + self.momentum * momentum if self.nesterov else momentum
        update = learning_rate * orthogonalize(direction, self.ns_steps, self.muon_a,
                                               self.muon_b, self.muon_c)
        if self.rms_rate is not None:
            scale = jnp.sqrt(jnp.maximum(update.shape[0], update.shape[1]))
            update = update * scale * self.rms_rate
        return variable - update, {"momentum": momentum}

    def _adamw_step(self, gradient, variable, slots, step, learning_rate):
        dtype = variable.dtype
        learning_rate = learning_rate.astype(dtype)
        local_step = (step + 1).astype(dtype)
        beta_1_power = jnp.power(jnp.asarray(self.adam_beta_1, dtype), local_step)
        beta_2_power = jnp.power(jnp.asarray(self.adam_beta_2, dtype), local_step)
        alpha = learning_rate * jnp.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        momentum = slots["momentum"] + (gradient - slots["momentum"]) * (1 - self.adam_beta_1)
        velocity = slots["velocity"] + (jnp.square(gradient) - slots["velocity"]) * \
            (1 - self.adam_beta_2)
        new_variable = variable - (momentum * alpha) / (jnp.sqrt(velocity) + self.epsilon)
        return new_variable, {"momentum": momentum, "velocity": velocity}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "adam_beta_1": self.adam_beta_1,
            "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon,
            "exclude_layers": self.exclude_layers,
            "muon_a": self.muon_a,
            "muon_b": self.muon_b,
            "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum,
            "ns_steps": self.ns_steps,
            "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay,
            "rms_rate": self.rms_rate,
        }
