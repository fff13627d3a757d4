"""SimpleRNN and SimpleRNNCell vs real Keras."""
import pytest

from keras_oracle import check_layer
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_gradients_match, same_generated_names)


@pytest.mark.parametrize("arguments", [
    dict(units=4),
    dict(units=3, return_sequences=True, go_backwards=True, activation="relu"),
    pytest.param(dict(units=3, use_bias=False, unroll=True, seed=3), marks=pytest.mark.slow),
])
def test_simple_rnn_matches_keras(arguments):
    check_layer(lambda k: k.layers.SimpleRNN(**arguments), (5, 4))


def test_simple_rnn_cell_in_rnn_matches_keras():
    check_layer(lambda k: k.layers.RNN(k.layers.SimpleRNNCell(2), go_backwards=True), (4, 3))


def test_gradient_of_a_scalar_loss_matches_keras():
    assert_gradients_match(lambda k: k.layers.SimpleRNN(4, return_sequences=True), (6, 3))
