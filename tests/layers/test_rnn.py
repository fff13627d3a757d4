"""RNN and StackedRNNCells vs real Keras: any cell, masks, initial and final states,
backward processing, unrolling, stateful batches and dropout masks from the same seed."""
import jax
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras
from recurrent_oracle import (  # noqa: F401 (an autouse fixture)
    assert_outputs_match, assert_same, inputs, twins, same_generated_names)


def _minimal_cell(library):
    """The same user cell (a state_size and call(inputs, states)) on either library's Layer."""
    ops = getattr(library, "ops", jax.numpy)  # layerwise.ops is another issue's work

    @library.saving.register_keras_serializable(package="test_rnn", name="MinimalCell")
    class MinimalCell(library.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            previous = states[0]
            output = ops.tanh(ops.matmul(inputs, self.kernel.value) +
                                      ops.matmul(previous, self.recurrent_kernel.value))
            return output, [output]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return MinimalCell


def test_rnn_runs_a_user_cell_like_keras():
    check_layer(lambda k: k.layers.RNN(_minimal_cell(k)(3), return_sequences=True), (5, 2))


def test_stacked_cells_match_keras():
    check_layer(lambda k: k.layers.RNN([k.layers.LSTMCell(3), k.layers.GRUCell(2),
                                        k.layers.SimpleRNNCell(2)]), (4, 3))


@pytest.mark.parametrize("layer, go_backwards, unroll", [
    ("LSTM", False, False), ("GRU", True, False), ("SimpleRNN", False, True),
    ("LSTM", True, True),
    *[pytest.param(layer, backwards, unroll, marks=pytest.mark.slow)
      for layer in ("LSTM", "GRU", "SimpleRNN") for backwards in (False, True)
      for unroll in (False, True)
      if (layer, backwards, unroll) not in {("LSTM", False, False), ("GRU", True, False),
                                            ("SimpleRNN", False, True), ("LSTM", True, True)}],
])
def test_masked_steps_keep_states_and_repeat_outputs_as_keras(layer, go_backwards, unroll):
    # Sample 0 skips its first steps, sample 1 its last ones, sample 2 a middle one,
    # sample 3 every step.
    mask = np.ones((4, 6), bool)
    mask[0, :2] = mask[1, 4:] = mask[2, 3] = mask[3, :] = False
    for zero_output in (False, True):
        def make(k):
            rnn = getattr(k.layers, layer)(3, return_sequences=True, return_state=True,
                                           go_backwards=go_backwards, unroll=unroll)
            rnn.zero_output_for_mask = zero_output
            return rnn

        assert_outputs_match(make, (6, 2), mask=mask)


def test_mask_with_stacked_cells_and_a_user_cell():
    mask = np.ones((4, 5), bool)
    mask[1, 1:3] = mask[2, 0] = False
    assert_outputs_match(lambda k: k.layers.RNN(
        [k.layers.GRUCell(3), k.layers.LSTMCell(2)], return_sequences=True,
        return_state=True), (5, 2), mask=mask)
    assert_outputs_match(lambda k: k.layers.RNN(_minimal_cell(k)(3), return_sequences=True),
                         (5, 2), mask=mask)


def test_return_state_of_stacked_cells_nests_states_per_cell():
    outputs = layerwise.layers.RNN(
        [layerwise.layers.LSTMCell(3), layerwise.layers.GRUCell(2)], return_state=True)(
        inputs((5, 2)))
    theirs = keras.layers.RNN([keras.layers.LSTMCell(3), keras.layers.GRUCell(2)],
                              return_state=True)(inputs((5, 2)))
    assert [type(o) for o in outputs[1:]] == [type(o) for o in theirs[1:]] == [list, list]
    assert [len(o) for o in outputs[1:]] == [2, 1]


def test_initial_state_is_used():
    x = inputs((5, 3))
    rng = np.random.default_rng(2)
    h, c = (rng.normal(size=(4, 2)).astype("float32") for _ in range(2))
    assert_outputs_match(lambda k: k.layers.LSTM(2, return_state=True), (5, 3), x=x,
                         initial_state=[h, c])
    assert_outputs_match(lambda k: k.layers.GRU(2, return_sequences=True), (5, 3), x=x,
                         initial_state=h)
    assert_outputs_match(lambda k: k.layers.SimpleRNN(2, go_backwards=True), (5, 3), x=x,
                         initial_state=[h])


def test_stateful_layer_carries_states_between_calls_and_resets():
    def make(k):
        return k.layers.LSTM(3, stateful=True, return_sequences=True)

    ours, theirs = make(layerwise), make(keras)
    ours.build((2, 4, 3))
    theirs.build((2, 4, 3))
    ours.set_weights(theirs.get_weights())
    batches = [inputs((4, 3), batch=2, seed=seed) for seed in range(3)]
    for x in batches[:2]:
        assert_same(ours(x), theirs(x))
    assert_same([s.value for s in ours.states], [s.value for s in theirs.states])
    ours.reset_states()
    theirs.reset_states()
    assert not np.any(np.asarray(ours.states[0].value))
    assert_same(ours(batches[2]), theirs(batches[2]))
    with pytest.raises(ValueError, match="batch size"):
        ours(inputs((4, 3), batch=3))


def test_stateful_states_travel_through_fit_but_are_not_saved(tmp_path):
    L = layerwise.layers
    model = layerwise.Sequential([layerwise.Input((4, 3), batch_size=2),
                                  L.GRU(3, stateful=True)])
    model.compile(layerwise.optimizers.SGD(0.0), "mse")
    x = inputs((4, 3), batch=6)
    model.fit(x, np.zeros((6, 3), "float32"), batch_size=2, shuffle=False, verbose=0)
    layer = model.layers[-1]
    fitted_states = np.asarray(layer.states[0].value)
    layer.reset_states()
    for start in range(0, 6, 2):
        layer(x[start:start + 2])
    np.testing.assert_allclose(fitted_states, np.asarray(layer.states[0].value), rtol=1e-5,
                               atol=1e-6)
    assert len(model.weights) == 3
    model.save(tmp_path / "stateful.keras")
    loaded = keras.saving.load_model(tmp_path / "stateful.keras")
    assert len(loaded.weights) == 3


@pytest.mark.parametrize("make", [
    lambda k: k.layers.LSTM(3, dropout=0.3, seed=3, return_sequences=True),
    lambda k: k.layers.LSTM(3, dropout=0.3, recurrent_dropout=0.4, seed=4),
    # (Keras 3.15 fails on LSTM(dropout>0, implementation=1) without recurrent dropout.)
    lambda k: k.layers.LSTM(3, dropout=0.5, recurrent_dropout=0.1, seed=5, unroll=True),
    lambda k: k.layers.GRU(3, dropout=0.3, recurrent_dropout=0.4, seed=6,
                           return_sequences=True),
    lambda k: k.layers.GRU(3, recurrent_dropout=0.4, reset_after=False, seed=7),
    lambda k: k.layers.GRU(3, dropout=0.2, seed=8),
    lambda k: k.layers.SimpleRNN(3, dropout=0.3, recurrent_dropout=0.4, seed=9),
    lambda k: k.layers.RNN([k.layers.LSTMCell(3, dropout=0.5, seed=1),
                            k.layers.GRUCell(2, recurrent_dropout=0.5, seed=2)]),
])
def test_dropout_masks_equal_keras_for_the_same_seed(make):
    ours, theirs = twins(make, (5, 4))
    x = inputs((5, 4))
    # Two calls in training, then one in inference (which still draws, as in Keras).
    for training in (True, True, False, True):
        assert_same(ours(x, training=training), theirs(x, training=training))
    no_dropout = make(layerwise)
    no_dropout.build((None, 5, 4))
    no_dropout.set_weights(ours.get_weights())
    assert not np.allclose(np.asarray(ours(x, training=True)), np.asarray(no_dropout(x)))


def test_config_and_errors():
    rnn = layerwise.layers.RNN(layerwise.layers.GRUCell(2), stateful=False)
    assert rnn.get_config()["cell"]["class_name"] == "GRUCell"
    with pytest.raises(ValueError, match="units"):
        layerwise.layers.LSTM(0)
    with pytest.raises(ValueError, match="state_size"):
        layerwise.layers.RNN(layerwise.layers.Dense(2))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layerwise.layers.GRU(2)(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="use_cudnn"):
        layerwise.layers.GRU(2, use_cudnn="yes")


@pytest.mark.parametrize("make", [
    lambda k: k.layers.LSTM(3),
    lambda k: k.layers.GRU(2, dropout=0.2),
    lambda k: k.layers.Bidirectional(k.layers.SimpleRNN(3)),
    lambda k: k.layers.RNN([k.layers.LSTMCell(2), k.layers.GRUCell(3)]),
])
def test_seeded_program_initializes_weights_as_keras(make):
    layers = []
    for library in (layerwise, keras):
        library.utils.set_random_seed(11)
        layer = make(library)
        layer.build((None, 4, 3))
        layers.append(layer)
    ours, theirs = layers
    assert_same(ours.get_weights(), theirs.get_weights(), rtol=1e-6, atol=1e-6)


def test_encoder_decoder_with_initial_state_from_return_state():
    def build(k):
        encoder_inputs, decoder_inputs = k.Input((5, 3)), k.Input((4, 2))
        _, h, c = k.layers.LSTM(6, return_state=True)(encoder_inputs)
        decoded = k.layers.LSTM(6, return_sequences=True)(decoder_inputs, initial_state=[h, c])
        outputs = k.layers.TimeDistributed(k.layers.Dense(2))(decoded)
        return k.Model([encoder_inputs, decoder_inputs], outputs)

    ours, theirs = build(layerwise), build(keras)
    ours.set_weights(theirs.get_weights())
    x = [inputs((5, 3)), inputs((4, 2), seed=1)]
    assert_same(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))
