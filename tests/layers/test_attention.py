"""Attention and AdditiveAttention against real Keras: scores, masks, dropout, gradients."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras

CASES = {
    "dot": (lambda k: k.layers.Attention(), [(3, 4), (5, 4)]),
    "dot-scale-key": (lambda k: k.layers.Attention(use_scale=True), [(3, 4), (5, 6), (5, 4)]),
    "concat": (lambda k: k.layers.Attention(score_mode="concat"), [(3, 4), (5, 4)]),
    "concat-scale": (lambda k: k.layers.Attention(use_scale=True, score_mode="concat"),
                     [(3, 4), (5, 4)]),
    "additive": (lambda k: k.layers.AdditiveAttention(), [(3, 4), (5, 4)]),
    "additive-no-scale": (lambda k: k.layers.AdditiveAttention(use_scale=False),
                          [(3, 4), (5, 6), (5, 4)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_contract_matches_keras(name):
    make, shapes = CASES[name]
    check_layer(make, shapes)


def _pair(make, shapes):
    ours, theirs = make(layerwise), make(keras)
    batch_shapes = [(None,) + s for s in shapes]
    ours.build(batch_shapes)
    theirs.build(batch_shapes)
    rng = np.random.default_rng(0)
    ours.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    theirs.set_weights(ours.get_weights())
    return ours, theirs, [rng.normal(size=(2,) + s).astype("float32") for s in shapes]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("kwargs", [
    {"return_attention_scores": True},
    {"use_causal_mask": True, "return_attention_scores": True},
    {"mask": "random"},
    {"mask": "random", "use_causal_mask": True},
], ids=["scores", "causal", "masks", "masks-causal"])
def test_masks_and_scores_match_keras(name, kwargs):
    make, shapes = CASES[name]
    ours, theirs, inputs = _pair(make, shapes)
    kwargs = dict(kwargs)
    if kwargs.get("mask") == "random":
        rng = np.random.default_rng(1)
        kwargs["mask"] = [rng.random((2, 3)) > 0.3, rng.random((2, 5)) > 0.3]
    a, b = ours(inputs, **kwargs), theirs(inputs, **kwargs)
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [lambda k: k.layers.Attention(dropout=0.5, seed=4),
                                  lambda k: k.layers.AdditiveAttention(dropout=0.5, seed=4)])
def test_dropout_draws_equal_keras(make):
    ours, theirs, inputs = _pair(make, [(3, 4), (5, 4)])
    for _ in range(2):
        np.testing.assert_allclose(np.asarray(ours(inputs, training=True)),
                                   np.asarray(theirs(inputs, training=True)), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("name", ["dot-scale-key", "concat-scale", "additive"])
def test_gradients_match_keras(name):
    import jax
    import jax.numpy as jnp

    from layerwise.engine.variables import StatelessScope

    make, shapes = CASES[name]
    ours, theirs, inputs = _pair(make, shapes)
    weights = np.random.default_rng(2).normal(size=(2, 3, shapes[1][-1])).astype("float32")

    def our_loss(values, xs):
        with StatelessScope(zip(ours.trainable_weights, values)):
            return jnp.sum(ours(xs) * weights)

    def their_loss(values, xs):
        return jnp.sum(theirs.stateless_call(values, [], xs)[0] * weights)

    a = jax.grad(our_loss, (0, 1))([w.value for w in ours.trainable_weights],
                                   [jnp.asarray(x) for x in inputs])
    b = jax.grad(their_loss, (0, 1))([w.value for w in theirs.trainable_weights],
                                     [jnp.asarray(x) for x in inputs])
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-4, atol=1e-6)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="score_mode"):
        layerwise.layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="list of 2 or 3 inputs"):
        layerwise.layers.Attention()(np.ones((2, 3, 4), "float32"))
