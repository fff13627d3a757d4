"""Helpers for tests that compare layerwise with real Keras (JAX backend), the oracle."""
from __future__ import annotations

import numpy as np

import keras


def moons(n: int = 1000, noise: float = 0.05, seed: int = 0):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype("float32"), y.astype("float32")


def copy_weights(source, target) -> None:
    """Give `target` the weights of `source` (either library), layer by layer."""
    target.set_weights([np.asarray(w) for w in source.get_weights()])


def assert_weights_close(ours, theirs, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    ours_weights, their_weights = ours.get_weights(), theirs.get_weights()
    assert len(ours_weights) == len(their_weights)
    for a, b in zip(ours_weights, their_weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


__all__ = ["assert_weights_close", "copy_weights", "keras", "moons"]
