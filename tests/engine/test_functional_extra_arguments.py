"""Layers called on symbolic tensors with more than one tensor argument, or with flags."""
import numpy as np

import layerwise


class WeightedSum(layerwise.layers.Layer):
    """inputs * weights (a second tensor), optionally also returning the weights; counts
    its calls in a non-trainable variable."""

    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="calls")

    def call(self, inputs, weights, return_weights=False):
        self.calls.assign(self.calls.value + 1)
        outputs = inputs * weights[..., None]
        return (outputs, weights) if return_weights else outputs


def test_output_structure_follows_the_flags_and_tracing_leaves_state_alone():
    values = layerwise.Input((4, 3))
    weights = layerwise.Input((4,))
    layer = WeightedSum()
    outputs, returned = layer(values, weights=weights, return_weights=True)
    assert outputs.shape == (None, 4, 3) and returned.shape == (None, 4)
    assert float(layer.calls.value) == 0.0  # shape inference did not count as a call
    model = layerwise.Model([values, weights], [outputs, returned])
    x = [np.ones((2, 4, 3), "float32"), np.arange(8, dtype="float32").reshape(2, 4)]
    predicted = model.predict(x, verbose=0)
    np.testing.assert_allclose(predicted[0], x[0] * x[1][..., None])
    np.testing.assert_allclose(predicted[1], x[1])


def _unknown_length_shapes(library):
    """Output shapes of layers called with extra tensors on inputs of unknown length."""
    encoder_inputs = library.Input((None, 5))
    decoder_inputs = library.Input((None, 3))
    _, state_h, state_c = library.layers.LSTM(4, return_state=True)(encoder_inputs)
    sequences, final_h, _ = library.layers.LSTM(4, return_sequences=True, return_state=True)(
        decoder_inputs, initial_state=[state_h, state_c])
    attended = library.layers.MultiHeadAttention(2, 3)(decoder_inputs, encoder_inputs)

    class RepeatTime(library.layers.Layer):
        def call(self, inputs, gate):
            return library.ops.concatenate([inputs, inputs], axis=1) * gate[:, None, :3]

    doubled = RepeatTime()(decoder_inputs, gate=final_h)
    return [tuple(t.shape) for t in (sequences, final_h, attended, doubled)]


def test_unknown_non_batch_dimensions_stay_unknown_like_keras():
    import keras

    ours = _unknown_length_shapes(layerwise)
    assert ours == _unknown_length_shapes(keras)
    assert ours[0] == (None, None, 4) and ours[2] == (None, None, 3)



class WeeklyWindows(layerwise.layers.Layer):
    """Folds the time axis into windows of 7 steps, so it accepts only multiples of 7."""

    def call(self, inputs, scale):
        batch, length, channels = inputs.shape
        if length % 7:
            raise ValueError(f"Expected a multiple of 7 steps. Received: length={length}")
        return inputs.reshape(batch, length // 7, 7, channels) * scale[:, None, None, :]


def test_a_layer_refusing_the_second_stand_in_keeps_its_first_trace():
    inputs = layerwise.Input((None, 2))
    scale = layerwise.Input((2,))
    assert WeeklyWindows()(inputs, scale=scale).shape == (None, 1, 7, 2)
