"""Real task: scikit-learn's handwritten digits read row by row (8 steps of 8 pixels),
classified by an LSTM and by a GRU trained with `fit`."""
import time

import numpy as np
import pytest

import layerwise


def _digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")  # (1797, 8, 8): rows are time steps
    y = digits.target.astype("int32")
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    return (x[:split], y[:split]), (x[split:], y[split:])


@pytest.mark.parametrize("recurrent", ["LSTM", "GRU"])
def test_recurrent_classifier_learns_digits(recurrent):
    layerwise.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = _digits()
    L = layerwise.layers
    model = layerwise.Sequential([
        layerwise.Input((8, 8)), getattr(L, recurrent)(32), L.Dense(10, activation="softmax")])
    model.compile(layerwise.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=8, batch_size=32,
                        validation_data=(x_test, y_test), verbose=0)
    seconds = time.perf_counter() - start
    accuracy = history.history["val_accuracy"][-1]
    print(f"{recurrent} digits: validation accuracy {accuracy:.3f} after 8 epochs "
          f"in {seconds:.1f} s")
    assert accuracy >= 0.9
