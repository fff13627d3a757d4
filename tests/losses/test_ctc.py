"""CTC (losses/ctc.py) against real Keras."""
import numpy as np
import pytest

from keras_oracle import keras, twins
from layerwise import losses

rng = np.random.default_rng(9)
BATCH, TIME, CLASSES, MAX_LABEL = 4, 10, 5, 4


def _labels_and_logits():
    lengths = rng.integers(1, MAX_LABEL + 1, BATCH)
    labels = np.zeros((BATCH, MAX_LABEL), "int32")
    for row, length in enumerate(lengths):
        labels[row, :length] = rng.integers(1, CLASSES, length)
    return labels, rng.normal(size=(BATCH, TIME, CLASSES)).astype("float32")


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_values_match_keras(reduction, weighted):
    ours, theirs = twins(lambda library: library.losses.CTC(reduction=reduction))
    y_true, y_pred = _labels_and_logits()
    weight = rng.uniform(0, 2, (BATCH,)).astype("float32") if weighted else None
    np.testing.assert_allclose(ours(y_true, y_pred, sample_weight=weight),
                               theirs(y_true, y_pred, sample_weight=weight), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(losses.ctc(y_true, y_pred), keras.losses.ctc(y_true, y_pred),
                               rtol=1e-5, atol=1e-5)


def test_bad_shapes_say_what_is_expected():
    with pytest.raises(ValueError, match="y_true.shape"):
        losses.ctc(np.zeros((2, 3, 1)), np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="y_pred.shape"):
        losses.ctc(np.zeros((2, 3)), np.zeros((2, 4)))


def test_config_matches_keras_and_round_trips():
    ours, theirs = twins(lambda library: library.losses.CTC(name="c"))
    assert ours.get_config() == theirs.get_config()
    assert losses.serialize(ours) == keras.losses.serialize(theirs)
    assert type(losses.deserialize(keras.losses.serialize(theirs))) is losses.CTC


def test_fit_with_ctc_matches_keras():
    y, _ = _labels_and_logits()
    x = rng.normal(size=(BATCH, TIME, 3)).astype("float32")

    def make(library):
        library.utils.set_random_seed(4)
        model = library.Sequential([library.Input((TIME, 3)), library.layers.Dense(CLASSES)])
        model.compile(library.optimizers.Adam(0.01), loss="ctc")
        return model

    ours, theirs = twins(make)
    ours.set_weights(theirs.get_weights())
    arguments = dict(batch_size=2, epochs=2, shuffle=False, verbose=0)
    our_logs, their_logs = ours.fit(x, y, **arguments).history, theirs.fit(x, y, **arguments).history
    np.testing.assert_allclose(our_logs["loss"], their_logs["loss"], rtol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=1e-5, atol=1e-6)
