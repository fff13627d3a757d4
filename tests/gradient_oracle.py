"""Gradient of a scalar loss through one layer, in layerwise and in real Keras (JAX)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.variables import StatelessScope


def _loss(outputs: Any, weights: list) -> jax.Array:
    leaves = jax.tree_util.tree_leaves(outputs)
    return sum(jnp.sum(leaf * weight) for leaf, weight in zip(leaves, weights))


def _loss_weights(layer_outputs: Any, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=np.shape(leaf)).astype("float32")
            for leaf in jax.tree_util.tree_leaves(layer_outputs)]


def assert_gradients_match(ours: Any, theirs: Any, inputs: list, call_kwargs: dict | None = None,
                           rtol: float = 1e-4, atol: float = 1e-6, seed: int = 5) -> None:
    """d(sum(outputs * fixed random weights)) / d(weights and inputs) agree (`ours` and
    `theirs` already hold equal weights; `inputs` are the layer's positional inputs)."""
    call_kwargs = call_kwargs or {}
    inputs = [jnp.asarray(x) for x in inputs]
    loss_weights = _loss_weights(theirs(*inputs, **call_kwargs), seed)
    our_variables = ours.trainable_weights

    def our_loss(values, inputs):
        with StatelessScope(zip(our_variables, values)):
            return _loss(ours(*inputs, **call_kwargs), loss_weights)

    def their_loss(values, inputs):
        outputs, _ = theirs.stateless_call(
            values, [v.value for v in theirs.non_trainable_variables], *inputs, **call_kwargs)
        return _loss(outputs, loss_weights)

    our_grads = jax.grad(our_loss, argnums=(0, 1))([v.value for v in our_variables], inputs)
    their_grads = jax.grad(their_loss, argnums=(0, 1))(
        [v.value for v in theirs.trainable_variables], inputs)
    ours_flat, theirs_flat = jax.tree_util.tree_leaves(our_grads), \
        jax.tree_util.tree_leaves(their_grads)
    assert len(ours_flat) == len(theirs_flat)
    # Rounding noise is judged against the whole gradient: some leaves are zero in exact
    # arithmetic (attention's key bias: softmax ignores a shift shared by every key) and
    # hold only noise, which differs with the order of any summation.
    largest = max(float(jnp.max(jnp.abs(b))) for b in theirs_flat)
    for a, b in zip(ours_flat, theirs_flat):
        assert float(jnp.max(jnp.abs(b))) > 0  # a gradient that is all zeros checks nothing
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol,
                                   atol=atol * largest + 1e-7)
