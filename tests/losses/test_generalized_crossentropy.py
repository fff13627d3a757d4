"""CategoricalGeneralizedCrossEntropy (losses/crossentropy.py) against real Keras."""
import numpy as np
import pytest

from keras_oracle import keras, twins
from layerwise import losses

rng = np.random.default_rng(13)


def _labels_and_probabilities(batch=6, classes=4):
    return rng.integers(0, classes, batch), rng.dirichlet(np.ones(classes), batch).astype(
        "float32")


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kwargs", [{}, {"q": 0.1}, {"q": 0.9, "reduction": "sum"},
                                    {"q": 0.3, "reduction": "none"}])
def test_values_match_keras(kwargs, weighted):
    ours, theirs = twins(
        lambda library: library.losses.CategoricalGeneralizedCrossEntropy(**kwargs))
    y_true, y_pred = _labels_and_probabilities()
    weight = rng.uniform(0, 2, (6,)).astype("float32") if weighted else None
    np.testing.assert_allclose(ours(y_true, y_pred, sample_weight=weight),
                               theirs(y_true, y_pred, sample_weight=weight), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        losses.categorical_generalized_cross_entropy(y_true, y_pred, q=0.4),
        keras.losses.categorical_generalized_cross_entropy(y_true, y_pred, q=0.4), rtol=1e-6)


@pytest.mark.parametrize("q", [0, 1, -0.5, 1.5])
def test_q_outside_the_open_unit_interval_is_rejected(q):
    with pytest.raises(ValueError, match=f"Received: q={q}"):
        losses.CategoricalGeneralizedCrossEntropy(q=q)


def test_config_matches_keras_and_round_trips():
    ours, theirs = twins(
        lambda library: library.losses.CategoricalGeneralizedCrossEntropy(q=0.7, name="g"))
    assert ours.get_config() == theirs.get_config()
    assert losses.serialize(ours) == keras.losses.serialize(theirs)
    rebuilt = losses.deserialize(keras.losses.serialize(theirs))
    assert type(rebuilt) is losses.CategoricalGeneralizedCrossEntropy
    assert rebuilt.get_config() == ours.get_config()


def test_fit_matches_keras():
    y, _ = _labels_and_probabilities(12)
    x = rng.normal(size=(12, 5)).astype("float32")

    def make(library):
        library.utils.set_random_seed(4)
        model = library.Sequential([library.Input((5,)),
                                    library.layers.Dense(4, activation="softmax")])
        model.compile(library.optimizers.SGD(0.5),
                      loss=library.losses.CategoricalGeneralizedCrossEntropy(q=0.6),
                      metrics=["accuracy"])
        return model

    ours, theirs = twins(make)
    ours.set_weights(theirs.get_weights())
    arguments = dict(batch_size=4, epochs=2, shuffle=False, verbose=0)
    our_logs, their_logs = ours.fit(x, y, **arguments).history, theirs.fit(x, y, **arguments).history
    assert our_logs.keys() == their_logs.keys()
    for key in their_logs:
        np.testing.assert_allclose(our_logs[key], their_logs[key], rtol=1e-5, atol=1e-6)
