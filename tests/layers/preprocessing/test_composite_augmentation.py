"""RandAugment and AugMix give Keras-JAX's images for the same seed (and, for AugMix's
choice of operations, the same Python random state)."""
import random as python_random

import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras

RAND_AUGMENT = {
    "default": (lambda k: k.layers.RandAugment(seed=3), (6, 5, 3)),
    "three-ops-nearest-first": (lambda k: k.layers.RandAugment(
        value_range=(0, 300), num_ops=3, factor=0.3, interpolation="nearest", seed=3,
        data_format="channels_first"), (3, 6, 5)),
}
AUG_MIX = {
    "default": (lambda k: k.layers.AugMix(seed=3), (6, 5, 3)),
    "geometric-only": (lambda k: k.layers.AugMix(
        value_range=(0, 300), num_chains=2, chain_depth=4, factor=(0.1, 0.5), alpha=0.5,
        all_ops=False, seed=3), (6, 5, 3)),
}


def _plain(config):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()
            if k != "name"}


@pytest.mark.parametrize("name, policy", [(n, "rand") for n in RAND_AUGMENT] +
                         [(n, "mix") for n in AUG_MIX])
def test_training_draws_equal_keras(name, policy):
    make, shape = (RAND_AUGMENT if policy == "rand" else AUG_MIX)[name]
    x = np.random.default_rng(0).uniform(0, 255, size=(4,) + shape).astype("float32")
    ours, theirs = make(layerwise), make(keras)
    for call in range(4):
        outputs = []
        for layer in (ours, theirs):
            python_random.seed(call)  # AugMix picks its operations with random.choice
            outputs.append(np.asarray(layer(x if call < 3 else x[0], training=True)))
        np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(np.asarray(ours(x, training=False)), x)
    assert _plain(ours.get_config()) == _plain(theirs.get_config())


@pytest.mark.parametrize("name", sorted(RAND_AUGMENT))
def test_rand_augment_contract_matches_keras(name):
    make, shape = RAND_AUGMENT[name]
    check_layer(make, shape, train=False)


def test_aug_mix_config_round_trips_and_keras_reads_our_model(tmp_path):
    make, shape = AUG_MIX["geometric-only"]
    layer = make(layerwise)
    rebuilt = layerwise.layers.AugMix.from_config(layer.get_config())
    assert rebuilt.get_config() == layer.get_config()
    inputs = layerwise.Input(shape)
    model = layerwise.Model(inputs, layer(inputs))
    model.save(tmp_path / "augmix.keras")
    loaded = keras.saving.load_model(tmp_path / "augmix.keras")
    x = np.random.default_rng(1).uniform(0, 255, size=(2,) + shape).astype("float32")
    python_random.seed(5)
    expected = np.asarray(make(layerwise)(x, training=True))
    for library_model in (model, loaded):  # fresh generators, as the fresh layer's
        python_random.seed(5)
        np.testing.assert_allclose(np.asarray(library_model(x, training=True)), expected,
                                   rtol=1e-5, atol=1e-4)


@pytest.mark.slow
def test_fit_with_rand_augment_matches_keras():
    def build(library):
        library.utils.set_random_seed(3)
        return library.Sequential([
            library.Input((6, 5, 3)),
            library.layers.RandAugment(value_range=(0, 1), num_ops=2, factor=0.4, seed=1),
            library.layers.Flatten(), library.layers.Dense(1)])
    x = np.random.default_rng(0).uniform(size=(16, 6, 5, 3)).astype("float32")
    y = np.random.default_rng(1).normal(size=(16, 1)).astype("float32")
    ours, theirs = build(layerwise), build(keras)
    theirs.set_weights(ours.get_weights())
    losses = []
    for model, library in ((ours, layerwise), (theirs, keras)):
        model.compile(library.optimizers.SGD(0.01), "mse")
        losses.append(model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
                                verbose=0).history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
