"""pad_sequences and the (x, y, sample_weight) packing helpers against real Keras."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import layerwise
from keras_oracle import keras

SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 2, 6])
def test_pad_sequences_matches_keras(padding, truncating, maxlen):
    ours = layerwise.utils.pad_sequences(SEQUENCES, maxlen=maxlen, padding=padding,
                                         truncating=truncating, value=-1)
    theirs = keras.utils.pad_sequences(SEQUENCES, maxlen=maxlen, padding=padding,
                                       truncating=truncating, value=-1)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_float_items_and_strings_match_keras():
    items = [np.ones((2, 3)), np.zeros((1, 3))]
    np.testing.assert_array_equal(layerwise.utils.pad_sequences(items, dtype="float32"),
                                  keras.utils.pad_sequences(items, dtype="float32"))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(
        layerwise.utils.pad_sequences(words, dtype=object, value="<pad>"),
        keras.utils.pad_sequences(words, dtype=object, value="<pad>"))
    with pytest.raises(ValueError, match="padding"):
        layerwise.utils.pad_sequences(SEQUENCES, padding="middle")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(0, 99), max_size=6), min_size=1, max_size=5),
       st.one_of(st.none(), st.integers(1, 7)))
def test_pad_sequences_shape_property(sequences, maxlen):
    out = layerwise.utils.pad_sequences(sequences, maxlen=maxlen)
    np.testing.assert_array_equal(out, keras.utils.pad_sequences(sequences, maxlen=maxlen))


@pytest.mark.parametrize("args", [((np.ones(2),), {}), ((np.ones(2), 1), {}),
                                  ((np.ones(2), 1, 0.5), {}), (([1, 2],), {}),
                                  (((1, 2),), {})])
def test_pack_and_unpack_match_keras(args):
    positional, _ = args
    ours = layerwise.utils.pack_x_y_sample_weight(*positional)
    theirs = keras.utils.pack_x_y_sample_weight(*positional)
    assert type(ours) is type(theirs)
    assert len(layerwise.utils.unpack_x_y_sample_weight(ours)) == 3
    for a, b in zip(layerwise.utils.unpack_x_y_sample_weight(ours),
                    keras.utils.unpack_x_y_sample_weight(theirs)):
        assert (a is None and b is None) or np.array_equal(np.asarray(a, dtype=object),
                                                            np.asarray(b, dtype=object))
