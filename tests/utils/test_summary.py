"""summary() of Functional models prints Keras's table, "Connected to" column included."""
import pytest

import layerwise
from keras_oracle import keras


def _branching(k):
    a, b = k.Input((3,), name="a"), k.Input((2,), name="b")
    hidden = k.layers.Dense(4, name="h")(a)
    joined = k.layers.Concatenate(name="cat")([hidden, b])
    return k.Model([a, b], k.layers.Dense(1, name="o")(joined), name="branching")


def _chain(k):
    x = k.Input((3,), name="x")
    return k.Model(x, k.layers.Dense(2, name="d")(x), name="chain")


def _shared(k):
    shared = k.layers.Dense(2, name="sh")
    p, q = k.Input((3,), name="p"), k.Input((3,), name="q")
    return k.Model([p, q], k.layers.Add(name="add")([shared(p), shared(q)]), name="shared")


def _two_heads(k):
    inputs = k.Input((4,), name="i")
    trunk = k.layers.Dense(3, name="t")(inputs)
    return k.Model(inputs, [k.layers.Dense(1, name="u")(trunk),
                            k.layers.Dense(2, name="v")(trunk)], name="heads")


def _text(model, **kwargs):
    lines = []
    model.summary(print_fn=lambda line, *args, **options: lines.append(line), **kwargs)
    return "\n".join(lines).strip()


@pytest.mark.parametrize("make", [_branching, _chain, _shared, _two_heads])
def test_functional_summary_matches_keras_text(make):
    assert _text(make(layerwise)) == _text(make(keras))


def test_branching_summary_with_a_line_length_keeps_keras_column_widths():
    """Keras's rich table drops columns wider than the console (80 characters when not on
    a terminal), so only the widths of the first three columns are comparable."""
    def widths(model):
        header = next(line for line in _text(model, line_length=100).splitlines()
                      if line.startswith("┃"))
        return [len(cell) - 2 for cell in header.split("┃")[1:-1]]

    ours, theirs = widths(_branching(layerwise)), widths(_branching(keras))
    assert ours[:3] == theirs[:3] and len(ours) == 4


def _long_names(k):
    inputs = k.Input((28, 1), name="a_rather_long_input_name")
    outputs = k.layers.Conv1DTranspose(2, 3, name="conv1d_transpose_with_a_very_long_name")(
        inputs)
    return k.Model(inputs, outputs, name="long_names")


def _encoder_decoder(k):
    encoder_inputs, decoder_inputs = k.Input((None, 5), name="e"), k.Input((None, 3), name="d")
    _, state_h, state_c = k.layers.LSTM(4, return_state=True, name="encoder")(encoder_inputs)
    sequences, _, _ = k.layers.LSTM(4, return_sequences=True, return_state=True,
                                    name="decoder")(decoder_inputs,
                                                    initial_state=[state_h, state_c])
    return k.Model([encoder_inputs, decoder_inputs], sequences, name="seq2seq")


@pytest.mark.parametrize("make, sign", [(_long_names, "conv1d_transpose_with_a_very_l…"),
                                        (_encoder_decoder, "│ [(None, None, 4), │")])
def test_cells_wider_than_their_column_wrap_or_end_in_an_ellipsis_as_in_keras(make, sign):
    ours, theirs = [], []
    make(layerwise).summary(print_fn=ours.append)
    make(keras).summary(print_fn=theirs.append)
    assert len(ours) == len(theirs) == 1  # one call with the whole table, as Keras makes
    assert ours == theirs
    assert sign in ours[0]


def test_total_params_count_a_built_optimizer_as_in_keras():
    import numpy as np

    def trained_summary(library):
        model = _chain(library)
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
        return _text(model)

    ours, theirs = trained_summary(layerwise), trained_summary(keras)
    assert ours == theirs
    assert " Total params: 26 " in ours  # 8 weights, twice 8 moments, 2 optimizer scalars
