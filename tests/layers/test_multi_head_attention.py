"""MultiHeadAttention against real Keras: weights, masks, scores, gradients, files, training."""
import numpy as np
import pytest

import layerwise
from gradient_oracle import assert_gradients_match
from keras_oracle import check_layer, copy_weights, keras

CASES = {
    "self-shapes": (lambda k: k.layers.MultiHeadAttention(2, 3), [(4, 5), (4, 5)], {}),
    "cross": (lambda k: k.layers.MultiHeadAttention(2, 3), [(4, 5), (6, 7)], {}),
    # Keras-JAX fails on value_dim != key_dim unless it leaves the fused route.
    "value-dim": (lambda k: k.layers.MultiHeadAttention(2, 3, value_dim=4), [(4, 5), (6, 7)],
                  {"return_attention_scores": True}),
    "output-shape": (lambda k: k.layers.MultiHeadAttention(3, 2, output_shape=(2, 3),
                                                            use_bias=False),
                     [(4, 5), (6, 7)], {}),
    "causal": (lambda k: k.layers.MultiHeadAttention(2, 4), [(5, 6), (5, 6)],
               {"use_causal_mask": True}),
    "with-key": (lambda k: k.layers.MultiHeadAttention(2, 3), [(4, 5), (6, 7), (6, 3)], {}),
    "2d-axes": (lambda k: k.layers.MultiHeadAttention(2, 3, attention_axes=(1, 2)),
                [(3, 2, 5), (4, 2, 5)], {}),
    "one-of-two-axes": (lambda k: k.layers.MultiHeadAttention(2, 3, attention_axes=-2),
                        [(3, 2, 5), (3, 4, 5)], {}),
}


# Each case builds and trains models in both libraries (~6 s): the rest run with -m slow.
FAST_CASES = ("cross", "causal", "value-dim")


@pytest.mark.parametrize("name", [
    name if name in FAST_CASES else pytest.param(name, marks=pytest.mark.slow)
    for name in sorted(CASES)])
def test_contract_matches_keras(name):
    make, shapes, kwargs = CASES[name]
    # Our fit trains single-output models only: the scores output leaves training out.
    check_layer(make, shapes, call_kwargs=kwargs, model_call_kwargs=kwargs,
                positional_inputs=True, train=not kwargs.get("return_attention_scores"))


def _pair(make, shapes, seed=0):
    ours, theirs = make(layerwise), make(keras)
    batch_shapes = [(None,) + s for s in shapes]
    ours.build(*batch_shapes)
    theirs.build(*batch_shapes)
    rng = np.random.default_rng(seed)
    ours.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32")
                      for w in theirs.weights])
    theirs.set_weights(ours.get_weights())
    inputs = [rng.normal(size=(3,) + s).astype("float32") for s in shapes]
    return ours, theirs, inputs


def _close(a, b, tol=1e-5):
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        assert np.shape(x) == np.shape(y)
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=tol, atol=tol)


@pytest.mark.parametrize("kwargs", [
    {"return_attention_scores": True},
    {"return_attention_scores": True, "use_causal_mask": True},
    {"use_causal_mask": True, "attention_mask": "random"},
    {"attention_mask": "random"},
    {"attention_mask": "random", "return_attention_scores": True},
], ids=["scores", "scores-causal", "causal-and-mask", "mask", "mask-scores"])
def test_masks_and_scores_match_keras(kwargs):
    ours, theirs, (query, value) = _pair(lambda k: k.layers.MultiHeadAttention(2, 3),
                                         [(4, 5), (6, 7)])
    kwargs = dict(kwargs)
    if kwargs.get("attention_mask") == "random":
        mask = np.random.default_rng(3).random((3, 4, 6)) > 0.4
        mask[0, 1] = False  # a query that may attend to nothing: Keras's two routes differ
        kwargs["attention_mask"] = mask
    _close(ours(query, value, **kwargs), theirs(query, value, **kwargs))


def test_scores_over_two_axes_match_keras():
    ours, theirs, (query, value) = _pair(
        lambda k: k.layers.MultiHeadAttention(2, 3, attention_axes=(1, 2)),
        [(3, 2, 5), (4, 2, 5)])
    mask = np.random.default_rng(4).random((3, 3, 2, 4, 2)) > 0.3
    _close(ours(query, value, attention_mask=mask, return_attention_scores=True),
           theirs(query, value, attention_mask=mask, return_attention_scores=True))


def test_attention_dropout_draws_equal_keras():
    ours, theirs, (query, value) = _pair(
        lambda k: k.layers.MultiHeadAttention(2, 3, dropout=0.4, seed=9), [(4, 5), (6, 7)])
    for _ in range(2):
        a = ours(query, value, training=True, return_attention_scores=True)
        b = theirs(query, value, training=True, return_attention_scores=True)
        _close(a, b)
    _close(ours(query, value, training=False), theirs(query, value, training=False))


@pytest.mark.parametrize("kwargs", [{}, {"use_causal_mask": True},
                                    {"return_attention_scores": True}])
def test_gradients_match_keras(kwargs):
    value_dim = 4 if kwargs.get("return_attention_scores") else None
    ours, theirs, inputs = _pair(
        lambda k: k.layers.MultiHeadAttention(2, 3, value_dim=value_dim), [(4, 5), (6, 7)],
        seed=1)
    assert_gradients_match(ours, theirs, inputs, kwargs)


def test_value_dim_differing_from_key_dim_works_on_both_routes():
    """Keras-JAX 3.15 raises here (jax.nn.dot_product_attention wants equal sizes)."""
    ours, theirs, (query, value) = _pair(
        lambda k: k.layers.MultiHeadAttention(2, 3, value_dim=4), [(4, 5), (6, 7)])
    mask = np.random.default_rng(2).random((3, 4, 6)) > 0.3
    fused = ours(query, value, attention_mask=mask)
    explicit, _ = ours(query, value, attention_mask=mask, return_attention_scores=True)
    _close(fused, explicit)
    _close(explicit, theirs(query, value, attention_mask=mask, return_attention_scores=True)[0])


def test_functional_model_with_mask_input_saves_and_loads_in_keras(tmp_path):
    def build(library):
        query = library.Input((4, 5))
        value = library.Input((6, 5))
        mask = library.Input((4, 6), dtype="bool")
        output, scores = library.layers.MultiHeadAttention(2, 3)(
            query, value, attention_mask=mask, return_attention_scores=True)
        return library.Model([query, value, mask], [output, scores])

    ours, theirs = build(layerwise), build(keras)
    assert [tuple(o.shape) for o in ours.outputs] == [(None, 4, 5), (None, 2, 4, 6)]
    copy_weights(theirs, ours)
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(2, 4, 5)).astype("float32"),
         rng.normal(size=(2, 6, 5)).astype("float32"), rng.random((2, 4, 6)) > 0.3]
    _close(tuple(ours.predict(x, verbose=0)), tuple(theirs.predict(x, verbose=0)))
    ours.save(tmp_path / "mha.keras")
    loaded = keras.saving.load_model(tmp_path / "mha.keras")
    _close(tuple(loaded.predict(x, verbose=0)), tuple(theirs.predict(x, verbose=0)))
    theirs.save(tmp_path / "theirs.keras")
    back = layerwise.saving.load_model(tmp_path / "theirs.keras")
    _close(tuple(back.predict(x, verbose=0)), tuple(theirs.predict(x, verbose=0)))


def test_weight_paths_are_keras():
    ours, theirs, _ = _pair(lambda k: k.layers.MultiHeadAttention(2, 3, name="mha"),
                            [(4, 5), (6, 7)])
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]


@pytest.mark.parametrize("kwargs, message", [
    ({"num_heads": 0, "key_dim": 2}, "num_heads"),
    ({"num_heads": 2, "key_dim": -1}, "key_dim"),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": "x"}, "attention_axes"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layerwise.layers.MultiHeadAttention(**kwargs)
