"""Symbolic op calls in Functional models: their names, and summary rows, as Keras's."""
import keras
import pytest

import layerwise


def _op_graph(library):
    library.backend.clear_session()
    x = library.Input((4, 3), name="x")
    summed = library.layers.Add()([x + x, x])
    row = (library.ops.relu(summed) * 2.0)[:, 0]
    widened = library.ops.expand_dims(row, 1)
    resized = library.ops.image.resize(library.ops.expand_dims(x, -1), (2, 2))
    return library.Model(x, [widened, resized, library.ops.top_k(row, 2)[0]], name="ops")


def test_op_calls_are_named_after_their_keras_class_and_uniquified():
    ours = [op.name for op in _op_graph(layerwise).operations]
    assert ours == [op.name for op in _op_graph(keras).operations]
    assert {"add", "add_1"} <= set(ours)


def test_summary_lists_op_calls_with_their_connections_as_keras():
    ours, theirs = [], []
    _op_graph(layerwise).summary(print_fn=ours.append)
    _op_graph(keras).summary(print_fn=theirs.append)
    assert ours == theirs
