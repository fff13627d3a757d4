"""GroupNormalization against real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer


@pytest.mark.parametrize("make, shape", [
    (lambda k: k.layers.GroupNormalization(groups=2), (3, 4)),
    (lambda k: k.layers.GroupNormalization(groups=-1, gamma_initializer="random_normal",
                                           beta_initializer="random_normal"), (3, 3, 6)),
    (lambda k: k.layers.GroupNormalization(groups=1, center=False), (2, 2, 4)),
    (lambda k: k.layers.GroupNormalization(groups=3, axis=1, scale=False), (6, 5)),
], ids=["groups-2", "instance", "layer", "channels-first"])
def test_contract_matches_keras(make, shape):
    check_layer(make, shape)


@pytest.mark.parametrize("groups, message", [(3, "must be a multiple"), (8, "cannot be more")])
def test_bad_groups_raise_like_keras(groups, message):
    with pytest.raises(ValueError, match=message):
        layerwise.layers.GroupNormalization(groups=groups).build((None, 4))


def test_one_group_per_channel_normalizes_each_channel():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(2, 5, 5, 3)).astype("float32")
    y = np.asarray(layerwise.layers.GroupNormalization(groups=3, epsilon=0.0)(x))
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1.0, atol=1e-4)
