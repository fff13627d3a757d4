"""The recurrent loop with a written-out backward pass (layers/rnn_scan.py) against JAX's
own gradient of the same layer unrolled, and against Keras for the options it routes."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import layerwise
from layerwise.engine.variables import StatelessScope
from layerwise.layers import rnn_scan
from keras_oracle import check_layer
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_gradients_match, same_generated_names)


def _gradients(layer, x, training, mask=None):
    variables = layer.trainable_weights

    def loss(values, inputs):
        with StatelessScope(zip(variables, values)):
            outputs = layer(inputs, training=training, mask=mask)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        weights = [np.random.default_rng(i).normal(size=o.shape).astype("float32")
                   for i, o in enumerate(outputs)]
        return sum(jnp.sum(o * w) for o, w in zip(outputs, weights))

    return jax.grad(loss, argnums=(0, 1))([v.value for v in variables], jnp.asarray(x))


@settings(max_examples=10, deadline=None)
@given(kind=st.sampled_from(["LSTM", "GRU", "SimpleRNN"]),
       return_sequences=st.booleans(), go_backwards=st.booleans(), return_state=st.booleans(),
       dropout=st.sampled_from([0.0, 0.3]), recurrent_dropout=st.sampled_from([0.0, 0.2]),
       steps=st.integers(1, 6), masked=st.booleans())
def test_written_out_backward_equals_jax_gradient_of_the_unrolled_loop(
        kind, return_sequences, go_backwards, return_state, dropout, recurrent_dropout,
        steps, masked):
    generator = np.random.default_rng(steps)
    x = generator.normal(size=(3, steps, 5)).astype("float32")
    # Masked steps anywhere, a row with none left; initial states are zeros, where the
    # scan's "repeat the state" and the unrolled loop's "repeat the output" agree.
    mask = generator.random((3, steps)) < 0.7 if masked else None
    if masked:
        mask[0] = False
    arguments = dict(return_sequences=return_sequences, go_backwards=go_backwards,
                     return_state=return_state, dropout=dropout,
                     recurrent_dropout=recurrent_dropout, seed=3)
    scanned = getattr(layerwise.layers, kind)(4, **arguments)
    unrolled = getattr(layerwise.layers, kind)(4, unroll=True, **arguments)
    scanned(x), unrolled(x)
    unrolled.set_weights(scanned.get_weights())
    training = bool(dropout or recurrent_dropout)
    ours = _gradients(scanned, x, training, mask)
    reference = _gradients(unrolled, x, training, mask)
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(reference)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * float(jnp.max(jnp.abs(b))))
    for a, b in zip(jax.tree_util.tree_leaves(scanned(x, mask=mask)),
                    jax.tree_util.tree_leaves(unrolled(x, mask=mask))):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_steps_read_ahead_see_every_slice_once_in_order():
    sequence = jnp.arange(5.0)
    for reverse in (False, True):
        total, seen = rnn_scan.scan_steps(lambda carry, x: (carry * 10 + x, x), 0.0,
                                          sequence, reverse=reverse)
        order = sequence[::-1] if reverse else sequence
        assert float(total) == float(sum(v * 10 ** i for i, v in enumerate(order[::-1])))
        np.testing.assert_array_equal(seen, sequence)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_routed_options_match_keras(kind):
    check_layer(lambda k: getattr(k.layers, kind)(3, return_sequences=True, go_backwards=True),
                (6, 4))
    assert_gradients_match(lambda k: getattr(k.layers, kind)(3, return_sequences=True,
                                                             go_backwards=True,
                                                             return_state=True), (6, 4))
