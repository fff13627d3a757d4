"""`.keras` files with every recurrent layer, both ways between real Keras and layerwise."""
import numpy as np

import layerwise
from keras_oracle import copy_weights, keras
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    inputs, same_generated_names)


def _sequence_model(k):
    L = k.layers
    sequences = k.Input((6, 3))
    x = L.LSTM(4, return_sequences=True, dropout=0.1, seed=2)(sequences)
    x = L.Bidirectional(L.GRU(3, return_sequences=True, reset_after=False), merge_mode="sum")(x)
    x = L.TimeDistributed(L.Dense(2, activation="tanh"))(x)
    x = L.RNN([L.SimpleRNNCell(3), L.LSTMCell(2)], return_sequences=True, go_backwards=True)(x)
    x = L.GRU(2)(x)
    return k.Model(sequences, L.Dense(1)(x))


def test_keras_file_loads_in_layerwise_with_equal_predictions(tmp_path):
    theirs = _sequence_model(keras)
    x = inputs((6, 3), batch=5)
    theirs.save(tmp_path / "theirs.keras")
    ours = layerwise.saving.load_model(tmp_path / "theirs.keras")
    # Inner layers rebuilt from their saved build shapes are named without their wrapper,
    # in Keras's loaded model as in ours.
    reloaded = keras.saving.load_model(tmp_path / "theirs.keras")
    assert [w.path for w in ours.weights] == [w.path for w in reloaded.weights]
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_layerwise_file_loads_in_keras_with_equal_predictions(tmp_path):
    ours, reference = _sequence_model(layerwise), _sequence_model(keras)
    copy_weights(reference, ours)
    x = inputs((6, 3), batch=5)
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)
    assert [type(layer).__name__ for layer in theirs.layers] == [
        type(layer).__name__ for layer in reference.layers]
