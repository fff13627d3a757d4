"""Circle (losses/circle.py) against real Keras."""
import numpy as np
import pytest

from keras_oracle import keras, twins
from layerwise import losses

rng = np.random.default_rng(5)


def _embeddings(batch=8, dim=4, classes=3):
    vectors = rng.normal(size=(batch, dim)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return rng.integers(0, classes, batch).astype("float32"), vectors


CASES = [
    {},
    {"gamma": 10.0, "margin": 0.25},
    {"gamma": 2.0, "remove_diagonal": False},
    {"gamma": 5.0, "reduction": "sum"},
    {"gamma": 3.0, "reduction": "none"},
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kwargs", CASES)
def test_values_match_keras(kwargs, weighted):
    ours, theirs = twins(lambda library: library.losses.Circle(**kwargs))
    y_true, y_pred = _embeddings()
    weight = rng.uniform(0, 2, (8,)).astype("float32") if weighted else None
    np.testing.assert_allclose(ours(y_true, y_pred, sample_weight=weight),
                               theirs(y_true, y_pred, sample_weight=weight), rtol=1e-6, atol=1e-6)


def test_only_samples_with_a_positive_loss_are_averaged():
    # One sample alone in its class and far from the rest has no positive pair: loss 0,
    # left out of the mean as Keras's mask leaves it out.
    y_true = np.array([0, 0, 1, 1, 2], "float32")
    y_pred = np.eye(5, 3, dtype="float32")
    y_pred[4] = [0.0, 0.0, 1.0]
    ours, theirs = twins(lambda library: library.losses.Circle(gamma=4.0))
    np.testing.assert_allclose(ours(y_true, y_pred), theirs(y_true, y_pred), rtol=1e-6)


def test_function_with_reference_embeddings_matches_keras():
    y_true, y_pred = _embeddings()
    ref_labels, ref_embeddings = _embeddings(batch=6)
    arguments = dict(ref_labels=ref_labels, ref_embeddings=ref_embeddings,
                     remove_diagonal=False, gamma=7.0)
    np.testing.assert_allclose(losses.circle(y_true, y_pred, **arguments),
                               keras.losses.circle(y_true, y_pred, **arguments), rtol=1e-6)


def test_config_matches_keras_and_round_trips():
    ours, theirs = twins(lambda library: library.losses.Circle(gamma=3.0, margin=0.1,
                                                               remove_diagonal=False))
    assert ours.get_config() == theirs.get_config()
    assert losses.serialize(ours) == keras.losses.serialize(theirs)
    rebuilt = losses.deserialize(keras.losses.serialize(theirs))
    assert type(rebuilt) is losses.Circle and rebuilt.get_config() == ours.get_config()
    assert losses.get("circle") is losses.circle


def test_fit_with_circle_matches_keras():
    labels = rng.integers(0, 3, 16).astype("float32")
    x = rng.normal(size=(16, 5)).astype("float32") + labels[:, None]

    def make(library):
        library.utils.set_random_seed(4)
        model = library.Sequential([
            library.Input((5,)), library.layers.Dense(4),
            library.layers.UnitNormalization()])
        model.compile(library.optimizers.SGD(0.05), loss=library.losses.Circle(gamma=8.0))
        return model

    ours, theirs = twins(make)
    ours.set_weights(theirs.get_weights())
    arguments = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)
    our_logs = ours.fit(x, labels, **arguments).history
    their_logs = theirs.fit(x, labels, **arguments).history
    assert our_logs.keys() == their_logs.keys()
    np.testing.assert_allclose(our_logs["loss"], their_logs["loss"], rtol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=1e-5, atol=1e-6)
