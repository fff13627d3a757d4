"""Dice and Tversky (losses/overlap.py) against real Keras."""
import numpy as np
import pytest

from keras_oracle import keras, twins
from layerwise import losses

rng = np.random.default_rng(11)


def _masks(shape=(4, 5, 5, 1)):
    return (rng.uniform(size=shape) > 0.6).astype("float32"), \
        rng.uniform(size=shape).astype("float32")


CASES = [
    ("Dice", {}),
    ("Dice", {"axis": (1, 2, 3)}),
    ("Dice", {"axis": (1, 2), "reduction": "sum"}),
    ("Tversky", {}),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": (1, 2, 3)}),
    ("Tversky", {"alpha": 0.8, "beta": 0.1, "axis": (1, 2, 3), "reduction": "none"}),
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("class_name, kwargs", CASES)
def test_values_match_keras(class_name, kwargs, weighted):
    ours, theirs = twins(lambda library: getattr(library.losses, class_name)(**kwargs))
    y_true, y_pred = _masks()
    weight = rng.uniform(0, 2, (4,)).astype("float32") if weighted else None
    if weighted and "axis" not in kwargs:  # a scalar loss: Keras broadcasts a scalar weight
        weight = np.float32(1.7)
    np.testing.assert_allclose(ours(y_true, y_pred, sample_weight=weight),
                               theirs(y_true, y_pred, sample_weight=weight), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["dice", "tversky"])
def test_functions_match_keras(name):
    y_true, y_pred = _masks((3, 6))
    np.testing.assert_allclose(getattr(losses, name)(y_true, y_pred, axis=(1,)),
                               getattr(keras.losses, name)(y_true, y_pred, axis=(1,)),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(getattr(losses, name)(y_true, y_pred),
                               getattr(keras.losses, name)(y_true, y_pred), rtol=1e-6)


@pytest.mark.parametrize("class_name, kwargs", CASES)
def test_config_matches_keras_and_round_trips(class_name, kwargs):
    ours, theirs = twins(lambda library: getattr(library.losses, class_name)(**kwargs))
    assert ours.get_config() == theirs.get_config()
    assert losses.serialize(ours) == keras.losses.serialize(theirs)
    rebuilt = losses.deserialize(keras.losses.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    # A JSON round trip turns the axis tuple into a list; the loss still works.
    listed = type(ours)(**{**ours.get_config(), "axis": [1, 2, 3]})
    y_true, y_pred = _masks()
    np.testing.assert_allclose(listed(y_true, y_pred),
                               type(ours)(**{**ours.get_config(), "axis": (1, 2, 3)})(
                                   y_true, y_pred))


def test_fit_with_dice_matches_keras():
    x = rng.normal(size=(16, 6)).astype("float32")
    y = (rng.uniform(size=(16, 3)) > 0.5).astype("float32")

    def make(library):
        library.utils.set_random_seed(4)
        model = library.Sequential([library.Input((6,)),
                                    library.layers.Dense(3, activation="sigmoid")])
        model.compile(library.optimizers.SGD(0.5), loss=library.losses.Dice(axis=(1,)),
                      metrics=["binary_accuracy"])
        return model

    ours, theirs = twins(make)
    ours.set_weights(theirs.get_weights())
    arguments = dict(batch_size=4, epochs=2, shuffle=False, verbose=0)
    our_logs, their_logs = ours.fit(x, y, **arguments).history, theirs.fit(x, y, **arguments).history
    assert our_logs.keys() == their_logs.keys()
    for key in their_logs:
        np.testing.assert_allclose(our_logs[key], their_logs[key], rtol=1e-5, atol=1e-6)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=1e-5, atol=1e-6)
