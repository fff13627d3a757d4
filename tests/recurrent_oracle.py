"""Comparisons with real Keras that `check_layer` does not make: several outputs (return
states), call arguments (masks, initial states, training), gradients, and call sequences."""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import layerwise
from layerwise.engine.variables import StatelessScope
from keras_oracle import keras


@pytest.fixture(autouse=True)
def same_generated_names():
    """Restart both libraries' generated names ("lstm", "lstm_1", ...) before each test, so
    that configs compared with Keras's do not depend on what earlier tests created."""
    layerwise.utils.clear_session()
    keras.utils.clear_session()
    yield


def inputs(shape: tuple, batch: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(batch,) + tuple(shape)).astype("float32")


def twins(make: Callable[[Any], Any], input_shape: tuple) -> tuple[Any, Any]:
    """The layer built in both libraries, ours holding Keras's weights."""
    ours, theirs = make(layerwise), make(keras)
    ours.build((None,) + tuple(input_shape))
    theirs.build((None,) + tuple(input_shape))
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    return ours, theirs


def leaves(value: Any) -> list[np.ndarray]:
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(value)]


def assert_same(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Equal nesting (lists and tuples alike), shapes and values."""
    def structure(value):
        if isinstance(value, (list, tuple)):
            return [structure(item) for item in value]
        return tuple(np.shape(value))

    assert structure(ours) == structure(theirs)
    for a, b in zip(leaves(ours), leaves(theirs)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def assert_outputs_match(make: Callable[[Any], Any], input_shape: tuple, x: Any = None,
                         **call_kwargs: Any) -> list[np.ndarray]:
    """Outputs of one call in both libraries (all of them, nested as Keras nests them)."""
    ours, theirs = twins(make, input_shape)
    x = inputs(input_shape) if x is None else x
    our_outputs = ours(x, **call_kwargs)
    assert_same(our_outputs, theirs(x, **call_kwargs))
    return leaves(our_outputs)


def _weighted_sum(outputs: Any, seed: int = 5) -> Any:
    rng = np.random.default_rng(seed)
    total = 0.0
    for leaf in jax.tree_util.tree_leaves(outputs):
        total = total + jnp.sum(leaf * rng.normal(size=leaf.shape).astype("float32"))
    return total


def assert_gradients_match(make: Callable[[Any], Any], input_shape: tuple,
                           rtol: float = 1e-4, **call_kwargs: Any) -> None:
    """d(sum of outputs * fixed weights)/d(weights and inputs) equal to Keras's (relative)."""
    ours, theirs = twins(make, input_shape)
    x = inputs(input_shape)

    def our_loss(weights, x):
        with StatelessScope(list(zip(ours.trainable_weights, weights))):
            return _weighted_sum(ours(x, **call_kwargs))

    def their_loss(weights, x):
        outputs, _ = theirs.stateless_call(
            weights, [v.value for v in theirs.non_trainable_variables], x, **call_kwargs)
        return _weighted_sum(outputs)

    our_grads = jax.jit(jax.grad(our_loss, argnums=(0, 1)))(
        [w.value for w in ours.trainable_weights], jnp.asarray(x))
    their_grads = jax.jit(jax.grad(their_loss, argnums=(0, 1)))(
        [v.value for v in theirs.trainable_variables], jnp.asarray(x))
    for a, b in zip(leaves(our_grads), leaves(their_grads)):
        scale = max(float(np.abs(b).max()), 1e-6)
        np.testing.assert_allclose(a / scale, b / scale, rtol=0, atol=rtol)
