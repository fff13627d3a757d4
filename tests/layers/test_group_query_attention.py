"""GroupQueryAttention against real Keras."""
import numpy as np
import pytest

import layerwise
from gradient_oracle import assert_gradients_match
from keras_oracle import check_layer, keras


def test_contract_matches_keras():
    # Keras's compute_output_shape wants the query's and value's features equal.
    check_layer(lambda k: k.layers.GroupQueryAttention(3, 4, 2), [(4, 6), (5, 6)],
                positional_inputs=True)


def test_output_shape_checks_like_keras():
    layer = layerwise.layers.GroupQueryAttention(3, 4, 2)
    with pytest.raises(ValueError, match="must be equal"):
        layer.compute_output_shape((None, 4, 6), (None, 5, 8))


def _pair(make):
    ours, theirs = make(layerwise), make(keras)
    ours.build((None, 4, 6), (None, 5, 8))
    theirs.build((None, 4, 6), (None, 5, 8))
    rng = np.random.default_rng(0)
    ours.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32")
                      for w in theirs.weights])
    theirs.set_weights(ours.get_weights())
    return ours, theirs, [rng.normal(size=(2, 4, 6)).astype("float32"),
                          rng.normal(size=(2, 5, 8)).astype("float32")]


@pytest.mark.parametrize("kwargs", [
    {}, {"use_causal_mask": True}, {"return_attention_scores": True},
    {"attention_mask": "random"}, {"attention_mask": "random", "use_causal_mask": True,
                                   "return_attention_scores": True}],
    ids=["plain", "causal", "scores", "mask", "mask-causal-scores"])
def test_outputs_match_keras(kwargs):
    ours, theirs, (query, value) = _pair(lambda k: k.layers.GroupQueryAttention(3, 4, 2))
    kwargs = dict(kwargs)
    if kwargs.get("attention_mask") == "random":
        mask = np.random.default_rng(1).random((2, 4, 5)) > 0.4
        mask[0, 0] = False
        kwargs["attention_mask"] = mask
    a, b = ours(query, value, **kwargs), theirs(query, value, **kwargs)
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-5, atol=1e-5)


def test_dropout_draws_and_gradients_match_keras():
    ours, theirs, (query, value) = _pair(
        lambda k: k.layers.GroupQueryAttention(3, 4, 1, dropout=0.3, seed=2))
    for _ in range(2):
        np.testing.assert_allclose(np.asarray(ours(query, value, training=True)),
                                   np.asarray(theirs(query, value, training=True)),
                                   rtol=1e-5, atol=1e-5)
    assert_gradients_match(ours, theirs, [query, value])


def test_heads_must_divide():
    with pytest.raises(ValueError, match="divisible"):
        layerwise.layers.GroupQueryAttention(3, 4, 3)
