"""LSTM and LSTMCell vs real Keras: weights, outputs, configs, saving, training, gradients."""
import numpy as np
import pytest

from keras_oracle import check_layer
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_gradients_match, assert_outputs_match, same_generated_names)


@pytest.mark.parametrize("arguments", [
    dict(units=4),
    dict(units=3, return_sequences=True, go_backwards=True),
    pytest.param(dict(units=3, unit_forget_bias=False, bias_initializer="ones"),
                 marks=pytest.mark.slow),
    pytest.param(dict(units=2, use_bias=False, activation="relu",
                      recurrent_activation="hard_sigmoid"), marks=pytest.mark.slow),
    pytest.param(dict(units=3, unroll=True, return_sequences=True), marks=pytest.mark.slow),
    pytest.param(dict(units=3, kernel_regularizer="l2", recurrent_constraint="non_neg"),
                 marks=pytest.mark.slow),
])
def test_lstm_matches_keras(arguments):
    check_layer(lambda k: k.layers.LSTM(**arguments), (5, 4))


def test_lstm_cell_in_rnn_matches_keras():
    check_layer(lambda k: k.layers.RNN(k.layers.LSTMCell(3), return_sequences=True), (6, 2))


def test_return_state_gives_output_h_and_c():
    outputs = assert_outputs_match(
        lambda k: k.layers.LSTM(3, return_state=True, return_sequences=True), (5, 4))
    assert len(outputs) == 3
    np.testing.assert_allclose(outputs[0][:, -1], outputs[1], rtol=1e-6)


def test_gradient_of_a_scalar_loss_matches_keras():
    assert_gradients_match(lambda k: k.layers.LSTM(4, return_sequences=True), (6, 3))
    mask = np.ones((4, 6), bool)
    mask[0, 4:] = mask[3, :2] = False
    assert_gradients_match(lambda k: k.layers.LSTM(4, go_backwards=True), (6, 3), mask=mask)
