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
