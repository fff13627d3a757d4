"""EinsumDense against real Keras: shapes from equations, weights, outputs, gradients."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from gradient_oracle import assert_gradients_match
from keras_oracle import check_layer, keras
from layerwise.layers.einsum_dense import analyze_einsum

CASES = {
    "dense": (lambda k: k.layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"),
              (6,)),
    "heads": (lambda k: k.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 5),
                                             bias_axes="de", activation="relu"), (3, 6)),
    "partial-bias": (lambda k: k.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 5),
                                                    bias_axes="d"), (3, 6)),
    "contract-two": (lambda k: k.layers.EinsumDense("abcd,cde->abe", output_shape=(None, 5),
                                                    bias_axes="e"), (3, 2, 6)),
    "ellipsis": (lambda k: k.layers.EinsumDense("...b,bc->...c", output_shape=4,
                                                bias_axes="c"), (2, 6)),
    "no-bias": (lambda k: k.layers.EinsumDense("abc,cd->abd", output_shape=(None, 4),
                                               kernel_initializer="he_normal"), (3, 6)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_contract_matches_keras(name):
    make, shape = CASES[name]
    check_layer(make, shape)


@pytest.mark.parametrize("name", ["heads", "contract-two", "ellipsis"])
def test_gradients_match_keras(name):
    make, shape = CASES[name]
    ours, theirs = make(layerwise), make(keras)
    ours.build((None,) + shape)
    theirs.build((None,) + shape)
    rng = np.random.default_rng(0)
    ours.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    theirs.set_weights(ours.get_weights())
    x = rng.normal(size=(3,) + shape).astype("float32")
    assert_gradients_match(ours, theirs, [x])


@pytest.mark.parametrize("initializer", ["glorot_uniform", "he_normal", "lecun_uniform"])
def test_seeded_initial_weights_equal_keras(initializer):
    """Keras tells a variance-scaling initializer the kernel's fan axes: the same here."""
    weights = []
    for library in (layerwise, keras):
        library.utils.set_random_seed(11)
        layer = library.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 5),
                                           kernel_initializer=initializer)
        layer.build((None, 3, 6))
        weights.append(np.asarray(layer.get_weights()[0]))
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-6, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 3), steps=st.integers(1, 5), features=st.integers(1, 6),
       heads=st.integers(1, 4), size=st.integers(1, 4))
def test_shapes_follow_the_equation(batch, steps, features, heads, size):
    shapes = analyze_einsum("abc,cde->abde", "de", (batch, steps, features),
                            (steps, heads, size))
    assert shapes.kernel == (features, heads, size)
    assert shapes.bias == (heads, size)
    assert shapes.output == (batch, steps, heads, size)
    assert shapes.kernel_input_axes == [0] and shapes.kernel_output_axes == [1, 2]


@pytest.mark.parametrize("equation, bias_axes, message", [
    ("ab,bc", None, "Invalid einsum equation"),
    ("ab,bx->ac", None, "neither the input"),
    ("ab,bc->ac", "z", "bias_axes"),
])
def test_bad_equations_raise(equation, bias_axes, message):
    layer = layerwise.layers.EinsumDense(equation, output_shape=4, bias_axes=bias_axes)
    with pytest.raises(ValueError, match=message):
        layer.build((None, 6))
