"""Adaptive pooling layers against real Keras."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_oracle import check_layer
from layerwise.layers.adaptive_pooling import adaptive_pool


@pytest.mark.parametrize("make, shape", [
    (lambda k: k.layers.AdaptiveAveragePooling1D(3), (7, 2)),
    (lambda k: k.layers.AdaptiveMaxPooling1D(4), (10, 2)),
    (lambda k: k.layers.AdaptiveAveragePooling2D((2, 3), data_format="channels_first"),
     (2, 5, 7)),
    (lambda k: k.layers.AdaptiveMaxPooling2D(3), (5, 4, 2)),
    (lambda k: k.layers.AdaptiveAveragePooling3D((1, 2, 3)), (3, 5, 4, 2)),
    (lambda k: k.layers.AdaptiveMaxPooling3D(2), (3, 5, 4, 2)),
], ids=["avg1d", "max1d", "avg2d-first", "max2d", "avg3d", "max3d"])
def test_contract_matches_keras(make, shape):
    check_layer(make, shape)


@settings(max_examples=12, deadline=None)
@given(size=st.integers(1, 9), output=st.integers(1, 9))
def test_windows_cover_every_cell_and_divisible_sizes_pool_evenly(size, output):
    x = np.random.default_rng(size).normal(size=(1, size, 1)).astype("float32")
    pooled = np.asarray(adaptive_pool(x, (output,), "average"))
    assert pooled.shape == (1, output, 1)
    if size % output == 0:
        expected = x.reshape(1, output, size // output, 1).mean(axis=2)
        np.testing.assert_allclose(pooled, expected, rtol=1e-5, atol=1e-6)
    assert np.asarray(adaptive_pool(x, (output,), "max")).max() == x.max()
