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


def test_total_params_count_a_built_optimizer_as_in_keras():
    texts = []
    for library in (layerwise, keras):
        model = _chain(library)
        model.compile(library.optimizers.Adam(), "mse")
        model.optimizer.build(model.trainable_variables)
        texts.append(_text(model))
    assert texts[0] == texts[1]
    assert "Total params: 26 " in texts[0]  # 8 weights, 16 Adam slots, iteration, rate
