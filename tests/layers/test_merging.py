"""Merge layers (Add, Subtract, ..., Concatenate, Dot) vs real Keras: outputs, shapes,
errors, training inside functional models, and `.keras` files both ways."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from layerwise.layers import merging
from keras_oracle import assert_weights_close, check_layer, keras, moons, twins

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


def _random(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-6)


def _check_against_keras(name, arguments, input_shapes):
    """The layer's contract vs Keras, on inputs of these shapes (batch first)."""
    check_layer(lambda k: getattr(k.layers, name)(**arguments),
                [tuple(shape[1:]) for shape in input_shapes], batch=input_shapes[0][0],
                rtol=1e-6, atol=1e-6)


# -- forward passes and shapes ----------------------------------------------------------
ELEMENTWISE_SHAPES = [
    [(4, 3), (4, 3)],
    [(4, 3, 5), (4, 3, 5), (4, 3, 5)],  # three inputs
    [(4, 1, 5), (4, 3, 1)],             # size-1 axes broadcast
    [(4, 5), (4, 3, 5)],                # lower rank: axes inserted after the batch axis
    [(4, 3, 1), (4, 5)],
    [(4,), (4, 2, 3)],                  # batch axis only
    [(4, 3)],                           # a single input passes through
]


@pytest.mark.parametrize("name, input_shapes", [
    (name, shapes) for name in ELEMENTWISE for shapes in ELEMENTWISE_SHAPES
    if name != "Subtract" or len(shapes) == 2])  # Subtract takes exactly 2 inputs
def test_elementwise_merges_match_keras(name, input_shapes):
    _check_against_keras(name, {}, input_shapes)


@pytest.mark.parametrize("axis, input_shapes", [
    (-1, [(4, 3), (4, 5)]),
    (-1, [(4, 2, 3), (4, 2, 1), (4, 2, 4)]),
    (1, [(4, 2, 3), (4, 5, 3)]),
    (-2, [(4, 2, 3), (4, 5, 3)]),
    (0, [(4, 3), (4, 3)]),  # the batch axis, as Keras allows
    (-1, [(4, 3)]),
])
def test_concatenate_matches_keras(axis, input_shapes):
    _check_against_keras("Concatenate", {"axis": axis}, input_shapes)


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("axes, input_shapes", [
    (1, [(4, 3), (4, 3)]),                   # rank 2 with rank 2: shape (batch, 1)
    ((1, 1), [(4, 3), (4, 3, 5)]),
    ((1, 1), [(4, 3, 5), (4, 3)]),
    (-1, [(4, 3, 5), (4, 2, 5)]),            # negative: counted per input
    ((1, 2), [(4, 5, 2), (4, 2, 5)]),
    ([2, -1], [(4, 3, 4, 5), (4, 6, 7, 4)]),
])
def test_dot_matches_keras(axes, normalize, input_shapes):
    _check_against_keras("Dot", {"axes": axes, "normalize": normalize}, input_shapes)


def test_predict_of_a_concatenation_over_the_batch_axis_matches_keras():
    inputs = [_random(4, 3), _random(4, 3, seed=1)]
    predictions = []
    for library in (keras, layerwise):
        first, second = library.Input((3,)), library.Input((3,))
        model = library.Model([first, second],
                              library.layers.Concatenate(axis=0)([first, second]))
        predictions.append(model.predict(inputs, verbose=0))
    _close(predictions[1], predictions[0])


def test_dot_normalize_of_zero_vectors_matches_keras():
    inputs = [np.zeros((2, 3), "float32"), _random(2, 3)]
    ours, theirs = twins(lambda k: k.layers.Dot(axes=1, normalize=True))
    _close(ours(inputs), theirs(inputs))
    assert np.all(np.isfinite(np.asarray(ours(inputs))))


@pytest.mark.parametrize("name, symbolic", [
    ("Add", [(None, None, 3), (None, 4, 1)]),
    ("Maximum", [(None, 3), (None, 4, 3)]),
    ("Multiply", [(None, 1), (None, None)]),
    ("Add", [(8, 3), (None, 3)]),  # one known batch size is kept
])
def test_elementwise_output_shape_with_unknown_sizes(name, symbolic):
    ours, theirs = twins(lambda k: getattr(k.layers, name)())
    assert ours.compute_output_shape(symbolic) == tuple(theirs.compute_output_shape(symbolic))


@pytest.mark.parametrize("arguments, symbolic", [
    ({}, [(None, None, 3), (None, 4, None)]),
    ({"axis": 1}, [(None, None, 3), (None, 4, 3)]),
    ({"axis": 1}, [(None, 2, None), (None, 4, 3)]),
])
def test_concatenate_output_shape_with_unknown_sizes(arguments, symbolic):
    ours, theirs = twins(lambda k: k.layers.Concatenate(**arguments))
    assert ours.compute_output_shape(symbolic) == tuple(theirs.compute_output_shape(symbolic))


_dim = st.sampled_from([None, 1, 2, 3])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_dim, max_size=3), min_size=1, max_size=3),
       st.sampled_from([None, 5]))
def test_elementwise_broadcast_rule_is_keras(dims, batch):
    shapes = [(batch,) + tuple(d) for d in dims]
    ours, theirs = layerwise.layers.Add(), keras.layers.Add()
    try:
        expected = tuple(theirs.compute_output_shape(shapes))
    except ValueError:
        with pytest.raises(ValueError, match="broadcast"):
            ours.compute_output_shape(shapes)
        return
    assert ours.compute_output_shape(shapes) == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3).flatmap(lambda rank: st.tuples(
    st.lists(st.lists(_dim, min_size=rank, max_size=rank), min_size=1, max_size=3),
    st.integers(-rank - 1, rank))))
def test_concatenate_shape_rule_is_keras(case):
    dims, axis = case
    shapes = [(None,) + tuple(d) for d in dims]
    ours, theirs = layerwise.layers.Concatenate(axis=axis), keras.layers.Concatenate(axis=axis)
    try:
        theirs.build(shapes)  # Keras checks shapes in `build`
        expected = tuple(theirs.compute_output_shape(shapes))
    except ValueError:
        with pytest.raises(ValueError, match="Concatenate"):
            ours.compute_output_shape(shapes)
        return
    assert ours.compute_output_shape(shapes) == expected


def test_functional_forms_equal_the_layers():
    a, b, c = _random(4, 3), _random(4, 3, seed=1), _random(4, 3, seed=2)
    L = layerwise.layers
    for function in ["add", "multiply", "average", "maximum", "minimum"]:
        _close(getattr(L, function)([a, b, c]), getattr(keras.layers, function)([a, b, c]))
    _close(L.subtract([a, b]), keras.layers.subtract([a, b]))
    _close(L.concatenate([a, b], axis=0), keras.layers.concatenate([a, b], axis=0))
    _close(L.dot([a, b], axes=1, normalize=True), keras.layers.dot([a, b], axes=1,
                                                                    normalize=True))
    assert L.add([a, b], name="total") is not None
    assert L.dot([a, b]).shape == (4, 1)
    for name in merging.__all__:
        assert hasattr(keras.layers, name), name
        assert getattr(layerwise.layers, name) is getattr(merging, name)


def test_inputs_may_be_a_tuple_and_mask_is_ignored():
    a, b = _random(4, 3), _random(4, 3, seed=1)
    _close(layerwise.layers.Add()((a, b)), a + b)
    _close(layerwise.layers.Concatenate()([a, b], mask=[None, None]), np.concatenate([a, b], 1))


# -- errors -----------------------------------------------------------------------------
def _raises_like_keras(call):
    """`call(library)` raises the same exception type for layerwise as for Keras."""
    with pytest.raises(Exception) as theirs:
        call(keras)
    with pytest.raises(Exception) as ours:
        call(layerwise)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    return str(ours.value)


A, B = _random(2, 3), _random(2, 4)


@pytest.mark.parametrize("call, words", [
    (lambda k: k.layers.Add()(A), ["inputs", "Add '", "list", "Received"]),
    (lambda k: k.layers.Concatenate()(A), ["inputs", "Concatenate '", "list"]),
    (lambda k: k.layers.Subtract()([A, A, A]), ["exactly 2", "Received: 3"]),
    (lambda k: k.layers.Subtract()([A]), ["exactly 2", "Received: 1"]),
    (lambda k: k.layers.Add()([A, B]), ["Add '", "broadcast", "(3,)", "(4,)"]),
    (lambda k: k.layers.Minimum()([A, _random(2, 3, 4)]), ["broadcast"]),
    (lambda k: k.layers.Average()([_random(1, 3), A]), ["batch sizes", "(1, 3)"]),
    (lambda k: k.layers.Concatenate()([_random(2, 3, 4), _random(2, 5, 4)]),
     ["Concatenate '", "axis 1", "(2, 5, 4)"]),
    (lambda k: k.layers.Concatenate()([_random(2, 3, 4), A]), ["equal rank"]),
    (lambda k: k.layers.Concatenate(axis=5)([A, A]), ["axis", "Received: axis=5"]),
    (lambda k: k.layers.Dot(axes="a"), ["axes", "int", "Received: axes='a'"]),
    (lambda k: k.layers.Dot(axes=1.0), ["axes", "Received: axes=1.0"]),
    (lambda k: k.layers.Dot(axes=(1, 2, 3)), ["axes", "pair", "3 entries"]),
    (lambda k: k.layers.Dot(axes=(1, 2.0)), ["axes", "not all ints"]),
    (lambda k: k.layers.Dot(axes=1)([A, A, A]), ["exactly 2"]),
    (lambda k: k.layers.Dot(axes=1)([A, B]), ["Dot '", "size 3", "size 4"]),
    (lambda k: k.layers.Dot(axes=0)([A, A]), ["batch axis"]),
    (lambda k: k.layers.Dot(axes=-1)([np.ones(3), np.ones(3)]), ["rank 2"]),
    (lambda k: k.layers.Add()([k.Input((3,)), k.Input((4,))]), ["broadcast"]),
    (lambda k: k.layers.Subtract()([k.Input((3,))] * 3), ["exactly 2"]),
    (lambda k: k.layers.Concatenate(axis=1)([k.Input((2, 3)), k.Input((2, 4))]),
     ["axis 2"]),
    (lambda k: k.layers.Dot(axes=(1, 2))([k.Input((3,)), k.Input((3, 4))]), ["size"]),
    (lambda k: k.layers.Add()([k.Input((3,), batch_size=2), k.Input((3,), batch_size=4)]),
     ["batch sizes"]),
])
def test_errors_have_keras_types_and_say_what_was_received(call, words):
    message = _raises_like_keras(call)
    for word in words:
        assert word in message, (word, message)


def test_errors_where_keras_crashes_or_accepts_nonsense():
    # Keras fails here with a TypeError / IndexError from inside its own code, or (the
    # symbolic Dot over the batch axis) returns a wrong shape; ours says what is wrong.
    L = layerwise.layers
    with pytest.raises(ValueError, match="at least 1"):
        L.Add()([])
    with pytest.raises(ValueError, match="out of range"):
        L.Dot(axes=5)([A, A])
    with pytest.raises(ValueError, match="batch axis"):
        L.Dot(axes=0)([layerwise.Input((3,)), layerwise.Input((3,))])
    with pytest.raises(TypeError, match="axis"):
        L.Concatenate(axis="last")
    # A layer built on a list still refuses a single tensor later.
    layer = L.Add()
    layer([A, A])
    with pytest.raises(ValueError, match="list"):
        layer(A)


# -- training in functional models ------------------------------------------------------
def _two_input_model(k):
    """Every merge layer, fed by two Dense branches of two inputs."""
    L = k.layers
    first, second = k.Input((2,), name="first"), k.Input((2,), name="second")
    a = L.Dense(4, activation="tanh")(first)
    b = L.Dense(4, activation="tanh")(second)
    merged = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]),
              L.Average()([a, b]), L.Maximum()([a, b]), L.Minimum()([a, b]),
              L.Dot(axes=1)([a, b]), L.Dot(axes=1, normalize=True)([a, b])]
    outputs = L.Dense(1, activation="sigmoid")(L.Concatenate()(merged))
    return k.Model([first, second], outputs)


def _branched_model(k):
    """One input, branches of different ranks merged with broadcasting."""
    L = k.layers
    inputs = k.Input((2,))
    wide = L.Reshape((3, 2))(L.Dense(6)(inputs))          # (None, 3, 2)
    narrow = L.Dense(2, activation="tanh")(inputs)         # (None, 2): lower rank
    column = L.Reshape((3, 1))(L.Dense(3)(inputs))         # (None, 3, 1): size-1 axis
    summed = L.add([wide, narrow, column])
    product = L.multiply([wide, column])
    stacked = L.concatenate([summed, product], axis=1)     # (None, 6, 2)
    scores = L.dot([stacked, wide], axes=(2, 2))           # (None, 6, 3)
    outputs = L.Dense(1, activation="sigmoid")(L.Flatten()(scores))
    return k.Model(inputs, outputs)


@pytest.mark.parametrize("build", [_two_input_model, _branched_model])
def test_functional_models_train_like_keras(build):
    x, y = moons(64)
    inputs = [x, np.stack([x[:, 0] * x[:, 1], x[:, 0] - x[:, 1]], 1)] \
        if build is _two_input_model else x
    ours, theirs = twins(build, optimizer=lambda k: k.optimizers.Adam(0.05),
                         loss="binary_crossentropy")
    assert ours.output_shape == theirs.output_shape
    _close(ours.predict(inputs, verbose=0), theirs.predict(inputs, verbose=0))
    their_history = theirs.fit(inputs, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    our_history = ours.fit(inputs, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(our_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    assert_weights_close(ours, theirs)
    _close(ours.predict(inputs, verbose=0), theirs.predict(inputs, verbose=0))


# -- saving -----------------------------------------------------------------------------
def _concat_add_model(k):
    L = k.layers
    first, second = k.Input((3,), name="first"), k.Input((3,), name="second")
    a = L.Dense(4, name="a")(first)
    b = L.Dense(4, activation="relu", name="b")(second)
    joined = L.Concatenate(name="join")([L.Add(name="sum")([a, b]), a, second])
    return k.Model([first, second], L.Dense(2, name="out")(joined), name="merges")


SAVE_INPUTS = [_random(5, 3), _random(5, 3, seed=1)]


def test_layerwise_merge_model_saves_and_loads_both_ways(tmp_path):
    model = _concat_add_model(layerwise)
    path = tmp_path / "ours.keras"
    model.save(path)
    expected = model.predict(SAVE_INPUTS, verbose=0)
    again = layerwise.models.load_model(path)
    assert [type(layer).__name__ for layer in again.layers] == \
        [type(layer).__name__ for layer in model.layers]
    _close(again.predict(SAVE_INPUTS, verbose=0), expected)
    _close(keras.models.load_model(path).predict(SAVE_INPUTS, verbose=0), expected)


def test_keras_merge_model_loads_in_layerwise(tmp_path):
    model = _concat_add_model(keras)
    path = tmp_path / "theirs.keras"
    model.save(path)
    loaded = layerwise.models.load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert type(loaded.get_layer("join")).__name__ == "Concatenate"
    assert type(loaded.get_layer("sum")).__name__ == "Add"
    _close(loaded.predict(SAVE_INPUTS, verbose=0), model.predict(SAVE_INPUTS, verbose=0))
    # The graph config (layers, calls on lists of tensors, build shapes) is Keras's own.
    rebuilt = layerwise.models.model_from_json(model.to_json())
    assert json.loads(json.dumps(rebuilt.get_config())) == json.loads(model.to_json())["config"]
