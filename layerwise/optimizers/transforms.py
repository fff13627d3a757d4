"""The pieces of Keras's update rules that optax does not have in the same form.

Optax's `scale_by_adam`, `nadam` and `scale_by_adamax` are close to Keras's but not equal
(epsilon placement, Nadam's momentum schedule, where Adamax adds epsilon), so those three
are written here as small optax `GradientTransformation`s whose state fields are named as
Keras names the optimizer's slots. `count` is Keras's `iterations` before the step, so
the step number in the formulas is `t = count + 1`. Each returns the *ascent* direction;
the optimizer chains `optax.scale_by_learning_rate` after it.

Clipping and decoupled weight decay are plain functions: Keras applies them to the
gradients and to the weights before the update rule, with its own formulas.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import optax

__all__ = [
    "KerasAdamState",
    "scale_by_keras_adam",
    "KerasNadamState",
    "scale_by_keras_nadam",
    "KerasAdamaxState",
    "scale_by_keras_adamax",
    "clip_by_norm_per_variable",
    "clip_by_global_norm",
    "clip_by_value",
    "decay_weights",
]

Arrays = Sequence[jax.Array]


def _step_number(count: jax.Array, dtype: Any) -> jax.Array:
    return (count + 1).astype(dtype)


class KerasAdamState(NamedTuple):
    count: jax.Array  # int32 scalar: steps taken so far
    momentum: Any
    velocity: Any
    velocity_hat: Any  # () unless amsgrad


def scale_by_keras_adam(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False
) -> optax.GradientTransformation:
    """Adam with Keras's "epsilon hat" (epsilon added to √v, not to √v̂).

        m ← m + (g − m)(1 − β1)
        v ← v + (g² − v)(1 − β2)
        v̂ ← max(v̂, v)                          (amsgrad; then v̂ replaces v below)
        update = m · √(1 − β2ᵗ)/(1 − β1ᵗ) / (√v + ε)
    """

    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return KerasAdamState(
            jnp.zeros([], jnp.int32), zeros, zeros, zeros if amsgrad else ()
        )

    def update(grads, state, params=None):
        del params
        momentum = jax.tree.map(lambda g, m: m + (g - m) * (1 - beta_1), grads, state.momentum)
        velocity = jax.tree.map(lambda g, v: v + (g * g - v) * (1 - beta_2), grads, state.velocity)
        velocity_hat = state.velocity_hat
        denominator_source = velocity
        if amsgrad:
            velocity_hat = jax.tree.map(jnp.maximum, velocity_hat, velocity)
            denominator_source = velocity_hat

        def scaled(m, v):
            t = _step_number(state.count, m.dtype)
            correction = jnp.sqrt(1 - jnp.power(jnp.asarray(beta_2, m.dtype), t)) / (
                1 - jnp.power(jnp.asarray(beta_1, m.dtype), t)
            )
            return m * correction / (jnp.sqrt(v) + epsilon)

        updates = jax.tree.map(scaled, momentum, denominator_source)
        return updates, KerasAdamState(state.count + 1, momentum, velocity, velocity_hat)

    return optax.GradientTransformation(init, update)


class KerasNadamState(NamedTuple):
    count: jax.Array
    momentum: Any
    velocity: Any
    u_product: jax.Array  # float32 scalar: the product of the momentum schedule so far


def scale_by_keras_nadam(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7
) -> optax.GradientTransformation:
    """Nadam with Dozat's momentum schedule, as Keras 3 computes it.

        uₜ = β1·(1 − ½·0.96ᵗ),   Πu ← Πu·uₜ   (kept in the state, starts at 1)
        m ← m + (g − m)(1 − β1);  v ← v + (g² − v)(1 − β2)
        m̂ = u_{t+1}·m/(1 − Πu·u_{t+1}) + (1 − uₜ)·g/(1 − Πu)
        update = m̂ / (√(v/(1 − β2ᵗ)) + ε)
    """

    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return KerasNadamState(jnp.zeros([], jnp.int32), zeros, zeros, jnp.ones([], jnp.float32))

    def update(grads, state, params=None):
        del params
        # Keras's Nadam (unlike its Adam) casts the betas to float32 before `1 - beta`.
        b1, b2 = jnp.float32(beta_1), jnp.float32(beta_2)
        t = _step_number(state.count, jnp.float32)
        u_t = beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), t))
        u_next = beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), t + 1))
        # Keras updates the product once per step, before any variable is updated.
        u_product = state.u_product * beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), t))
        u_product_next = u_product * u_next
        momentum = jax.tree.map(lambda g, m: m + (g - m) * (1 - b1), grads, state.momentum)
        velocity = jax.tree.map(lambda g, v: v + (g * g - v) * (1 - b2), grads, state.velocity)

        def scaled(g, m, v):
            m_hat = u_next * m / (1 - u_product_next) + (1 - u_t) * g / (1 - u_product)
            v_hat = v / (1 - jnp.power(b2, t))
            return m_hat / (jnp.sqrt(v_hat) + epsilon)

        updates = jax.tree.map(scaled, grads, momentum, velocity)
        return updates, KerasNadamState(state.count + 1, momentum, velocity, u_product)

    return optax.GradientTransformation(init, update)


class KerasAdamaxState(NamedTuple):
    count: jax.Array
    momentum: Any
    norm: Any


def scale_by_keras_adamax(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7
) -> optax.GradientTransformation:
    """Adamax with epsilon added to the infinity norm (optax adds it to |g| inside the max).

        m ← m + (g − m)(1 − β1);  u ← max(β2·u, |g|)
        update = m / ((1 − β1ᵗ)·(u + ε))
    """

    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return KerasAdamaxState(jnp.zeros([], jnp.int32), zeros, zeros)

    def update(grads, state, params=None):
        del params
        momentum = jax.tree.map(lambda g, m: m + (g - m) * (1 - beta_1), grads, state.momentum)
        norm = jax.tree.map(lambda g, u: jnp.maximum(beta_2 * u, jnp.abs(g)), grads, state.norm)

        def scaled(m, u):
            t = _step_number(state.count, m.dtype)
            return m / ((1 - jnp.power(jnp.asarray(beta_1, m.dtype), t)) * (u + epsilon))

        updates = jax.tree.map(scaled, momentum, norm)
        return updates, KerasAdamaxState(state.count + 1, momentum, norm)

    return optax.GradientTransformation(init, update)


def clip_by_norm_per_variable(grads: Arrays, clipnorm: float) -> list[jax.Array]:
    """Rescale each gradient whose L2 norm exceeds `clipnorm` to norm `clipnorm` (Keras's formula)."""

    def clip(g):
        sum_of_squares = jnp.sum(jnp.square(g), keepdims=True)
        positive = sum_of_squares > 0
        # Take the sqrt of 1 where the sum is 0 so a zero gradient has no NaN derivative.
        norm = jnp.where(positive, jnp.sqrt(jnp.where(positive, sum_of_squares, 1.0)), sum_of_squares)
        return g * clipnorm / jnp.maximum(norm, clipnorm)

    return [clip(g) for g in grads]


def clip_by_global_norm(grads: Arrays, clipnorm: float) -> list[jax.Array]:
    """Scale all gradients together so their joint L2 norm is at most `clipnorm`.

    A non-finite norm makes every gradient NaN, as in Keras.
    """
    norm = jnp.sqrt(jnp.sum(jnp.stack([jnp.sum(jnp.square(g)) for g in grads])))
    scale = clipnorm * jnp.minimum(1.0 / norm, 1.0 / clipnorm) + (norm - norm)
    return [g * scale for g in grads]


def clip_by_value(grads: Arrays, clipvalue: float) -> list[jax.Array]:
    """Clip every gradient element to [-clipvalue, clipvalue]."""
    return [jnp.clip(g, -clipvalue, clipvalue) for g in grads]


def decay_weights(
    params: Arrays, weight_decay: float, learning_rate: jax.Array, decayed: Sequence[bool]
) -> list[jax.Array]:
    """Keras's decoupled weight decay, applied before the update: θ ← θ − θ·wd·lr."""
    return [
        p - p * jnp.asarray(weight_decay, p.dtype) * learning_rate.astype(p.dtype) if use else p
        for p, use in zip(params, decayed)
    ]
