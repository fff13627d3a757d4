"""The model and data every distribution test trains: the seed's dropout model
(examples/seed_dropout_digits.py) on digits-shaped synthetic data."""
import numpy as np

import layerwise as keras

ROWS = 48
FEATURES = 64
CLASSES = 10


def training_data() -> tuple[np.ndarray, np.ndarray]:
    """48 rows of 64 features in [0, 1) and one-hot labels of 10 classes."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, CLASSES, ROWS)
    return (rng.random((ROWS, FEATURES)).astype("float32"),
            np.eye(CLASSES, dtype="float32")[labels])


def dropout_model() -> keras.Model:
    """Dense(32, sigmoid) / Dropout(0.2) / Dense(10, softmax), seeded; Adam, categorical
    crossentropy, accuracy, as the seed compiles it."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(32, activation="sigmoid", name="d1"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(CLASSES, activation="softmax", name="d2"),
    ])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model
