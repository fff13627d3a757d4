"""A user loss that averages over the batch itself: fit and evaluate on a partial last
batch give Keras's numbers (the batch is not padded, as padding would count in it)."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def _masked_mean_loss(k):
    class NonPaddingTokenLoss(k.losses.Loss):
        """Mean cross-entropy over the tokens whose label is not 0 (one value per batch)."""

        def call(self, y_true, y_pred):
            per_token = k.losses.SparseCategoricalCrossentropy(reduction=None)(y_true, y_pred)
            mask = k.ops.cast(y_true > 0, "float32")
            return k.ops.sum(per_token * mask) / k.ops.sum(mask)

    return NonPaddingTokenLoss()


def _tagger(k):
    inputs = k.Input((6,), dtype="int32")
    x = k.layers.Embedding(12, 4)(inputs)
    return k.Model(inputs, k.layers.Dense(5, activation="softmax")(x))


def _data(rows=70):
    rng = np.random.default_rng(0)
    x = rng.integers(1, 12, size=(rows, 6))
    x[:, 4:] *= rng.integers(0, 2, size=(rows, 1))  # some rows padded with 0
    return x.astype("int32"), np.where(x > 0, x % 4 + 1, 0).astype("int32")


def test_gives_per_sample_values_tells_reduced_losses_apart():
    labels = np.zeros((8, 6), "int32")
    scores = np.zeros((8, 6, 5), "float32")
    assert layerwise.losses.base.gives_per_sample_values(
        layerwise.losses.SparseCategoricalCrossentropy(), labels, scores)
    assert not layerwise.losses.base.gives_per_sample_values(
        _masked_mean_loss(layerwise), labels, scores)


@pytest.mark.parametrize("batch_size", [16, 32])
def test_batch_averaged_user_loss_matches_keras_on_a_partial_last_batch(batch_size):
    x, y = _data()
    ours, theirs = _tagger(layerwise), _tagger(keras)
    theirs.set_weights(ours.get_weights())
    results = []
    for library, model in ((layerwise, ours), (keras, theirs)):
        model.compile("adam", loss=_masked_mean_loss(library))
        history = model.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0)
        results.append(history.history["loss"] + [model.evaluate(x, y, verbose=0)])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)
