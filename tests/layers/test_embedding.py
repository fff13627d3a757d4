"""Embedding vs real Keras: lookups, config, Keras 2 arguments, training in fit."""
import warnings

import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, check_layer, twins


@pytest.mark.filterwarnings("ignore:.*masks are not propagated:UserWarning")
@pytest.mark.parametrize("arguments, ids_shape, train", [
    (dict(input_dim=10, output_dim=3), (4,), True),
    # Keras would mask the loss in `fit`; ours does not propagate masks (it warns).
    (dict(input_dim=12, output_dim=2, mask_zero=True), (3, 5), False),
    (dict(input_dim=10, output_dim=4, embeddings_initializer="glorot_uniform",
          embeddings_regularizer="l2"), (2, 3, 2), True),
])
def test_layer_contract_matches_keras(arguments, ids_shape, train):
    layer = check_layer(lambda k: k.layers.Embedding(**arguments), ids_shape[1:],
                        input_dtype="int32", batch=ids_shape[0], train=train)
    # Float ids are converted to ints first, as in Keras.
    ids = np.random.default_rng(0).integers(0, arguments["input_dim"], size=ids_shape)
    np.testing.assert_array_equal(np.asarray(layer(ids.astype("float32"))),
                                  np.asarray(layer(ids)))


def test_mask_zero_is_saved_and_makes_the_layer_mask_aware():
    layer = layerwise.layers.Embedding(5, 2, mask_zero=True)
    assert layer.get_config()["mask_zero"] is True
    assert layer.supports_masking  # propagation itself: tests/layers/test_masking.py


def test_default_initializer_is_uniform_within_0_05():
    layer = layerwise.layers.Embedding(50, 8)
    layer.build_for_shape((None, 3))
    values = layer.embeddings.numpy()
    assert values.shape == (50, 8) and values.dtype == np.float32
    assert np.abs(values).max() <= 0.05 and values.std() > 0.01


def test_keras_2_arguments_weights_and_input_length():
    matrix = np.arange(12, dtype="float32").reshape(4, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layerwise.layers.Embedding(4, 3, weights=[matrix], input_length=2)
    assert any("input_length" in str(w.message) for w in caught)
    np.testing.assert_array_equal(np.asarray(layer(np.array([[3, 0]]))), matrix[[[3, 0]]])


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="input_dim.*Received: input_dim=0"):
        layerwise.layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim.*Received: output_dim=2.5"):
        layerwise.layers.Embedding(3, 2.5)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layerwise.layers.Embedding(3, 2, vocabulary=3)


def test_embedding_model_trains_in_fit_like_keras():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 20, size=(32, 6))
    labels = (ids.mean(axis=1, keepdims=True) > 10).astype("float32")

    def build(k):
        L = k.layers
        return k.Sequential([
            k.Input((6,), dtype="int32"), L.Embedding(20, 4),
            L.Conv1D(4, 3, padding="same", activation="relu"), L.GlobalAveragePooling1D(),
            L.Dense(1, activation="sigmoid")])

    ours, theirs = twins(build, optimizer="adam", loss="binary_crossentropy")
    before = ours.layers[0].embeddings.numpy().copy()
    kwargs = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    our_history, their_history = ours.fit(ids, labels, **kwargs), theirs.fit(ids, labels, **kwargs)
    np.testing.assert_allclose(our_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5)
    assert not np.array_equal(before, ours.layers[0].embeddings.numpy())
