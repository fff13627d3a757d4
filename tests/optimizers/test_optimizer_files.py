"""Models compiled with Adafactor, Ftrl, Lamb, Muon and ScheduleFreeAdamW survive a .keras
file both ways: saved by us and loaded by Keras, saved by Keras and loaded by us, with the
optimizer's state (every slot, in Keras's order) and the next step alike."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

RNG = np.random.default_rng(2)
X = RNG.normal(size=(12, 3)).astype("float32")
Y = RNG.normal(size=(12, 2)).astype("float32")
# Lamb is missing from Keras 3.15's lookup table, so Keras cannot load a file that holds it.
NAMES = ["Adafactor", "Ftrl", "Muon", "ScheduleFreeAdamW"]


def _model(library, name):
    library.utils.set_random_seed(5)
    model = library.Sequential([library.Input((3,)), library.layers.Dense(4, activation="tanh"),
                                library.layers.Dense(2)])
    model.compile(getattr(library.optimizers, name)(learning_rate=0.01), "mse")
    return model


def _assert_same_state(first, second):
    assert len(first.optimizer.variables) == len(second.optimizer.variables)
    for a, b in zip(first.optimizer.variables, second.optimizer.variables):
        np.testing.assert_allclose(np.asarray(a.numpy()), np.asarray(b.numpy()), rtol=1e-6,
                                   atol=1e-7, err_msg=a.path)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_our_file_loads_in_keras_and_trains_on_alike(tmp_path, name):
    ours = _model(layerwise, name)
    for _ in range(2):
        ours.train_on_batch(X, Y)
    ours.save(tmp_path / "m.keras")
    theirs = keras.models.load_model(tmp_path / "m.keras")
    assert type(theirs.optimizer).__name__ == name
    _assert_same_state(ours, theirs)
    ours.train_on_batch(X, Y)
    theirs.train_on_batch(X, Y)
    _assert_same_state(ours, theirs)


@pytest.mark.parametrize("name", NAMES + ["Lamb"])
def test_keras_file_loads_here_and_trains_on_alike(tmp_path, name):
    theirs = _model(keras, name)
    for _ in range(2):
        theirs.train_on_batch(X, Y)
    theirs.save(tmp_path / "m.keras")
    ours = layerwise.models.load_model(tmp_path / "m.keras")
    assert type(ours.optimizer).__name__ == name
    _assert_same_state(ours, theirs)
    ours.train_on_batch(X, Y)
    theirs.train_on_batch(X, Y)
    _assert_same_state(ours, theirs)
