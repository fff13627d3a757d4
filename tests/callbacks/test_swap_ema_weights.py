"""SwapEMAWeights against real Keras: evaluation on the moving average, weights after."""
import numpy as np
import pytest

import layerwise
from keras_oracle import copy_weights, keras, moons


def _pair():
    def build(library):
        model = library.Sequential([library.Input((2,)), library.layers.Dense(4, "tanh"),
                                    library.layers.Dense(1, "sigmoid")])
        model.compile(library.optimizers.Adam(0.05, use_ema=True, ema_momentum=0.9),
                      "binary_crossentropy")
        return model

    theirs, ours = build(keras), build(layerwise)
    copy_weights(theirs, ours)
    return ours, theirs


def _assert_weights(ours, theirs):
    for mine, reference in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


def test_evaluate_uses_the_average_then_restores_the_weights():
    x, y = moons(128)
    ours, theirs = _pair()
    # Steps without fit: fit ends by copying the average into the weights.
    for model in (ours, theirs):
        for start in range(0, 128, 16):
            model.train_on_batch(x[start:start + 16], y[start:start + 16])
    _assert_weights(ours, theirs)
    before = ours.get_weights()
    plain = ours.evaluate(x, y, verbose=0)
    averaged = ours.evaluate(x, y, verbose=0, callbacks=[layerwise.callbacks.SwapEMAWeights()])
    expected = theirs.evaluate(x, y, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])
    np.testing.assert_allclose(averaged, expected, rtol=1e-5)
    assert abs(averaged - plain) > 1e-4  # the average is not the weights
    # The weights are swapped back, as documented. (Keras 3.15 on JAX leaves the
    # average in the model: its evaluate writes its state back after on_test_end.)
    for mine, reference in zip(ours.get_weights(), before, strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_fit_ends_with_the_average_as_in_keras():
    x, y = moons(128)
    ours, theirs = _pair()
    for model in (ours, theirs):
        model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    _assert_weights(ours, theirs)


def test_swap_on_epoch_leaves_the_average_in_the_model():
    x, y = moons(128)
    ours, theirs = _pair()
    ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0,
             callbacks=[layerwise.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0,
               callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    _assert_weights(ours, theirs)


def test_needs_an_ema_optimizer():
    model = layerwise.Sequential([layerwise.Input((2,)), layerwise.layers.Dense(1)])
    model.compile("adam", "mse")
    x, y = moons(16)
    with pytest.raises(ValueError, match="use_ema=True"):
        model.evaluate(x, y, verbose=0, callbacks=[layerwise.callbacks.SwapEMAWeights()])
