"""SpectralNormalization against real Keras: weights, inference, training-mode updates."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, copy_weights, keras


@pytest.mark.parametrize("make, shape", [
    # Inner layers are named: the two libraries' name counters differ after other tests.
    (lambda k: k.layers.SpectralNormalization(k.layers.Dense(3, name="inner")), (4,)),
    (lambda k: k.layers.SpectralNormalization(k.layers.Conv2D(2, 2, name="inner"),
                                              power_iterations=2), (4, 4, 3)),
], ids=["dense", "conv"])
def test_contract_matches_keras(make, shape):
    check_layer(make, shape)


def test_training_calls_normalize_the_kernel_like_keras():
    ours, theirs = [library.layers.SpectralNormalization(
        library.layers.Dense(3, kernel_initializer=library.initializers.GlorotUniform(seed=1)),
        power_iterations=3) for library in (layerwise, keras)]
    ours.build((None, 4))
    theirs.build((None, 4))
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    for _ in range(3):
        np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                                   np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # Repeated training calls drive the kernel's largest singular value to 1.
    for _ in range(20):
        ours(x, training=True)
    assert abs(np.linalg.svd(np.asarray(ours.kernel.value), compute_uv=False)[0] - 1) < 1e-3


def test_fit_with_same_weights_equals_keras():
    def build(library):
        return library.Sequential([library.Input((4,)), library.layers.SpectralNormalization(
            library.layers.Dense(3, activation="tanh")), library.layers.Dense(1)])

    ours, theirs = build(layerwise), build(keras)
    copy_weights(theirs, ours)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    for model, library in ((ours, layerwise), (theirs, keras)):
        model.compile(library.optimizers.SGD(0.1), "mse")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_layer_without_kernel_raises():
    with pytest.raises(ValueError, match="no attribute 'kernel'"):
        layerwise.layers.SpectralNormalization(layerwise.layers.Flatten()).build((None, 4))
