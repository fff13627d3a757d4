"""ReversibleEmbedding against real Keras, both directions."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, copy_weights, keras


@pytest.mark.parametrize("make", [
    lambda k: k.layers.ReversibleEmbedding(10, 4),
    lambda k: k.layers.ReversibleEmbedding(10, 4, tie_weights=False, logit_soft_cap=2.0),
], ids=["tied", "untied-capped"])
def test_forward_contract_matches_keras(make):
    check_layer(make, (3,), input_dtype="int32")


@pytest.mark.parametrize("make", [
    lambda k: k.layers.ReversibleEmbedding(10, 4),
    lambda k: k.layers.ReversibleEmbedding(10, 4, tie_weights=False, logit_soft_cap=2.0),
], ids=["tied", "untied-capped"])
def test_reverse_matches_keras(make):
    ours, theirs = make(layerwise), make(keras)
    ours.build((None, 3))
    theirs.build((None, 3))
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    copy_weights(theirs, ours)
    vectors = rng.normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(ours(vectors, reverse=True)),
                               np.asarray(theirs(vectors, reverse=True)), rtol=1e-5, atol=1e-6)


def test_language_model_head_in_a_functional_model():
    embedding = layerwise.layers.ReversibleEmbedding(10, 4)
    ids = layerwise.Input((3,), dtype="int32")
    logits = embedding(layerwise.layers.Dense(4)(embedding(ids)), reverse=True)
    model = layerwise.Model(ids, logits)
    assert model.outputs[0].shape == (None, 3, 10)
    assert np.shape(model.predict(np.ones((2, 3), "int32"), verbose=0)) == (2, 3, 10)
