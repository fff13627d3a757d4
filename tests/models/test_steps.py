"""StepFunctions: the padded last batch of an epoch with per-step (sequence) outputs."""
import keras
import numpy as np
import pytest

import layerwise
from tests.keras_oracle import copy_weights


def _sequence_model(library, two_outputs: bool):
    inputs = library.Input((12, 1))
    values = library.layers.Conv1D(1, 3, padding="same", name="values")(inputs)
    classes = library.layers.Conv1D(3, 3, padding="same", activation="softmax",
                                    name="classes")(inputs)
    model = library.Model(inputs, [values, classes] if two_outputs else values)
    if two_outputs:
        model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"],
                      metrics=[["mae"], ["accuracy"]])
    else:
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


@pytest.mark.parametrize("two_outputs", [False, True])
def test_a_partial_last_batch_of_sequence_outputs_trains_like_keras(two_outputs):
    # 22 rows in batches of 8: the last batch has 6 rows and is padded to 8.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(22, 12, 1)).astype("float32")
    y = [x, rng.integers(0, 3, (22, 12))] if two_outputs else x
    theirs = _sequence_model(keras, two_outputs)
    ours = _sequence_model(layerwise, two_outputs)
    copy_weights(theirs, ours)
    history = {}
    for name, model in (("ours", ours), ("theirs", theirs)):
        fitted = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                           validation_split=0.3)
        history[name] = fitted.history
        history[name]["evaluate"] = model.evaluate(x, y, batch_size=8, verbose=0)
    assert sorted(history["ours"]) == sorted(history["theirs"])
    for key, values in history["theirs"].items():
        np.testing.assert_allclose(history["ours"][key], values, rtol=1e-5, err_msg=key)
