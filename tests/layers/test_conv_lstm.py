"""ConvLSTM1D/2D/3D vs real Keras: weights, outputs, configs, saving, training, dropout."""
import pytest

from keras_oracle import check_layer
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_outputs_match, assert_same, inputs, same_generated_names, twins)


@pytest.mark.parametrize("make, input_shape", [
    (lambda k: k.layers.ConvLSTM1D(2, 3, return_sequences=True), (4, 7, 3)),
    (lambda k: k.layers.ConvLSTM2D(3, 2, padding="same"), (3, 5, 5, 2)),
    pytest.param(lambda k: k.layers.ConvLSTM2D(2, 3, strides=2, data_format="channels_first",
                                               go_backwards=True), (3, 2, 6, 6),
                 marks=pytest.mark.slow),
    pytest.param(lambda k: k.layers.ConvLSTM3D(2, 2, dilation_rate=2), (2, 4, 4, 4, 1),
                 marks=pytest.mark.slow),
])
def test_conv_lstm_matches_keras(make, input_shape):
    check_layer(make, input_shape, batch=2)


def test_return_state_and_dropout_match_keras():
    # (Keras 3.15's ConvLSTM fails on a `mask`: its masked step cannot broadcast.)
    assert_outputs_match(lambda k: k.layers.ConvLSTM2D(
        2, 3, padding="same", return_sequences=True, return_state=True), (3, 5, 5, 2))
    ours, theirs = twins(lambda k: k.layers.ConvLSTM1D(
        2, 3, dropout=0.3, recurrent_dropout=0.2, seed=3), (3, 6, 2))
    x = inputs((3, 6, 2))
    for training in (True, False, True):
        assert_same(ours(x, training=training), theirs(x, training=training))


def test_bad_arguments():
    import layerwise

    with pytest.raises(ValueError, match="dilation_rate"):
        layerwise.layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expected ndim=5"):
        layerwise.layers.ConvLSTM2D(2, 3).build((None, 3, 4, 2))
