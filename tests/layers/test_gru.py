"""GRU and GRUCell vs real Keras, both `reset_after` variants: weights, outputs, configs,
saving, training and gradients."""
import numpy as np
import pytest

from keras_oracle import check_layer
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_gradients_match, assert_outputs_match, same_generated_names)


@pytest.mark.parametrize("arguments", [
    dict(units=4),
    dict(units=3, reset_after=False, return_sequences=True),
    pytest.param(dict(units=3, use_bias=False, go_backwards=True, bias_regularizer="l1"),
                 marks=pytest.mark.slow),
    pytest.param(dict(units=2, reset_after=False, unroll=True, activation="relu"),
                 marks=pytest.mark.slow),
])
def test_gru_matches_keras(arguments):
    check_layer(lambda k: k.layers.GRU(**arguments), (5, 4))


def test_gru_cell_in_rnn_matches_keras():
    check_layer(lambda k: k.layers.RNN(k.layers.GRUCell(3, reset_after=False),
                                       return_sequences=True), (4, 2))


def test_return_state_gives_output_and_h():
    outputs = assert_outputs_match(lambda k: k.layers.GRU(3, return_state=True), (5, 4))
    assert len(outputs) == 2
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-6)


@pytest.mark.parametrize("reset_after", [True, pytest.param(False, marks=pytest.mark.slow)])
def test_gradient_of_a_scalar_loss_matches_keras(reset_after):
    mask = np.ones((4, 6), bool)
    mask[1, 3:] = mask[2, 0] = False
    assert_gradients_match(lambda k: k.layers.GRU(4, return_sequences=True,
                                                  reset_after=reset_after), (6, 3))
    assert_gradients_match(lambda k: k.layers.GRU(3, reset_after=reset_after), (6, 3),
                           mask=mask)
