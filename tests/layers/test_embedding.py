"""Embedding vs real Keras: lookups, config, Keras 2 arguments, training in fit."""
import warnings

import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def _without_name(config: dict) -> dict:
    return {key: value for key, value in config.items() if key != "name"}


@pytest.mark.parametrize("arguments, ids_shape", [
    (dict(input_dim=10, output_dim=3), (4,)),
    (dict(input_dim=7, output_dim=2, mask_zero=True), (3, 5)),
    (dict(input_dim=5, output_dim=4, embeddings_initializer="glorot_uniform",
          embeddings_regularizer="l2"), (2, 3, 2)),
])
def test_lookup_config_and_shape_match_keras(arguments, ids_shape):
    ids = np.random.default_rng(0).integers(0, arguments["input_dim"], size=ids_shape)
    theirs = keras.layers.Embedding(**arguments)
    their_y = np.asarray(theirs(ids))
    ours = layerwise.layers.Embedding(**arguments)
    ours.build_for_shape((None,) + ids_shape[1:])
    ours.set_weights(theirs.get_weights())
    np.testing.assert_array_equal(np.asarray(ours(ids)), their_y)
    # Float ids are converted to ints first, as in Keras.
    np.testing.assert_array_equal(np.asarray(ours(ids.astype("float32"))), their_y)
    assert ours.weights[0].name == "embeddings"
    assert _without_name(ours.get_config()) == _without_name(theirs.get_config())
    assert ours.compute_output_shape((None,) + ids_shape[1:]) == tuple(
        theirs.compute_output_shape((None,) + ids_shape[1:]))
    rebuilt = layerwise.layers.Embedding.from_config(ours.get_config())
    assert rebuilt.get_config() == ours.get_config()


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


def test_embedding_model_trains_in_fit():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 20, size=(32, 6))
    labels = (ids.mean(axis=1, keepdims=True) > 10).astype("float32")
    L = layerwise.layers
    model = layerwise.Sequential([
        layerwise.Input((6,), dtype="int32"), L.Embedding(20, 4),
        L.Conv1D(4, 3, padding="same", activation="relu"), L.GlobalAveragePooling1D(),
        L.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    before = model.layers[0].embeddings.numpy().copy()
    history = model.fit(ids, labels, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert not np.array_equal(before, model.layers[0].embeddings.numpy())
