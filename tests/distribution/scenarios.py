"""The model and data every distribution test trains: the seed's dropout model."""
import numpy as np

import layerwise as keras

ROWS = 48


def training_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return (rng.random((ROWS, 8)).astype("float32"),
            rng.random((ROWS, 1)).astype("float32"))


def dropout_model() -> keras.Model:
    """Dense / Dropout / Dense, seeded, compiled with Adam, MSE and MAE."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation="relu", name="d1"),
        keras.layers.Dropout(0.3, seed=3),
        keras.layers.Dense(1, name="d2"),
    ])
    model.compile("adam", "mse", metrics=["mae"])
    return model
