"""Bidirectional and TimeDistributed vs real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_outputs_match, assert_same, inputs, twins, same_generated_names)


@pytest.mark.parametrize("merge_mode", ["concat", pytest.param("sum", marks=pytest.mark.slow),
                                        "mul", pytest.param("ave", marks=pytest.mark.slow)])
def test_bidirectional_merge_modes_match_keras(merge_mode):
    check_layer(lambda k: k.layers.Bidirectional(k.layers.LSTM(3, return_sequences=True),
                                                 merge_mode=merge_mode), (5, 2))


def test_bidirectional_without_merging_returns_both_directions():
    # Models with two outputs cannot be trained by the engine yet: no training step here.
    check_layer(lambda k: k.layers.Bidirectional(k.layers.GRU(2), merge_mode=None), (5, 2),
                train=False)


@pytest.mark.slow
def test_bidirectional_with_its_own_backward_layer():
    check_layer(lambda k: k.layers.Bidirectional(
        k.layers.GRU(3, return_sequences=True),
        backward_layer=k.layers.SimpleRNN(3, return_sequences=True, go_backwards=True)),
        (4, 2))


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_bidirectional_return_state_and_mask(merge_mode):
    mask = np.ones((4, 5), bool)
    mask[0, 3:] = mask[2, :1] = False
    for return_sequences in (False, True):
        assert_outputs_match(lambda k: k.layers.Bidirectional(
            k.layers.LSTM(3, return_state=True, return_sequences=return_sequences),
            merge_mode=merge_mode), (5, 2), mask=mask)


def test_bidirectional_initial_state_is_split_between_directions():
    rng = np.random.default_rng(3)
    states = [rng.normal(size=(4, 3)).astype("float32") for _ in range(4)]
    assert_outputs_match(lambda k: k.layers.Bidirectional(k.layers.LSTM(3)), (5, 2),
                         initial_state=states)


def test_bidirectional_errors():
    L = layerwise.layers
    with pytest.raises(ValueError, match="merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))
    with pytest.raises(ValueError, match="Layer"):
        L.Bidirectional("lstm")


def test_time_distributed_dense_matches_keras():
    check_layer(lambda k: k.layers.TimeDistributed(k.layers.Dense(3, activation="relu")),
                (4, 5))


def test_time_distributed_conv_and_shapes():
    assert_outputs_match(lambda k: k.layers.TimeDistributed(
        k.layers.Conv2D(2, 3, padding="same")), (3, 6, 6, 2))
    ours, theirs = twins(lambda k: k.layers.TimeDistributed(k.layers.Conv2D(2, 3)),
                         (3, 6, 6, 2))
    assert ours.compute_output_shape((None, 3, 6, 6, 2)) == tuple(
        theirs.compute_output_shape((None, 3, 6, 6, 2)))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layerwise.layers.TimeDistributed(layerwise.layers.Dense(2)).build((None, 4))


def test_time_distributed_dropout_draws_one_mask_per_step_as_keras():
    ours, theirs = twins(lambda k: k.layers.TimeDistributed(k.layers.Dropout(0.5, seed=4)),
                         (3, 6))
    x = inputs((3, 6))
    for _ in range(2):
        assert_same(ours(x, training=True), theirs(x, training=True))
    assert_same(ours(x), theirs(x))
