"""The workloads written once against the Keras API; run with layerwise or with Keras-JAX.

The same code runs on both engines (`keras` below is either module): that is layerwise's
promise, and it keeps the comparison honest.
"""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

import workloads

__all__ = [
    "build_w1", "build_w2", "build_w3", "build_w4", "build_w5", "epoch_timer", "load",
    "predictors", "train_w1", "train_w2", "train_w3", "train_w4", "train_w5",
]


def load(engine: str) -> Any:
    """Import the engine as `keras`."""
    if engine == "layerwise":
        import layerwise as keras
    elif engine == "keras":
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
    else:
        raise ValueError(f"not a Keras-API engine: {engine}")
    return keras


def epoch_timer(keras: Any) -> Any:
    """A callback stamping the clock at the start of training and after each epoch."""

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.stamps = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            self.stamps.append(time.perf_counter())

    return EpochTimer()


def build_w1(keras: Any) -> Any:
    model = keras.Sequential()
    model.add(keras.layers.Dense(4, input_shape=(2,), activation="tanh"))
    model.add(keras.layers.Dense(2, activation="tanh"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


def build_w2(keras: Any) -> Any:
    model = keras.Sequential()
    model.add(keras.layers.Dense(workloads.W2_HIDDEN, activation="sigmoid",
                                 input_shape=(workloads.W2_FEATURES,)))
    model.add(keras.layers.Dropout(workloads.W2_DROPOUT))
    model.add(keras.layers.Dense(workloads.W2_CLASSES, activation="softmax"))
    return model


def build_w3(keras: Any) -> Any:
    """keras.io's simple MNIST convnet, written as its example writes it."""
    layers = keras.layers
    first, second = workloads.W3_FILTERS
    kernel = (workloads.W3_KERNEL, workloads.W3_KERNEL)
    pool = (workloads.W3_POOL, workloads.W3_POOL)
    return keras.Sequential([
        keras.Input(shape=workloads.W3_IMAGE_SHAPE),
        layers.Conv2D(first, kernel_size=kernel, activation="relu"),
        layers.MaxPooling2D(pool_size=pool),
        layers.Conv2D(second, kernel_size=kernel, activation="relu"),
        layers.MaxPooling2D(pool_size=pool),
        layers.Flatten(),
        layers.Dropout(workloads.W3_DROPOUT),
        layers.Dense(workloads.W3_CLASSES, activation="softmax"),
    ])


def build_w4(keras: Any) -> Any:
    """The text classifier: embedding, one LSTM, a sigmoid unit."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(workloads.W4_LENGTH,), dtype="int32"),
        layers.Embedding(workloads.W4_VOCABULARY, workloads.W4_WIDTH),
        layers.LSTM(workloads.W4_UNITS),
        layers.Dense(1, activation="sigmoid"),
    ])


def position_embedding(keras: Any) -> Any:
    """A layer adding a learned vector per position: a (length, width) table, as
    `Embedding` initialises its own (uniform in [-0.05, 0.05]).

    Equal to an `Embedding(length, width)` looked up at `arange(length)` and added, written
    as a weight so that it needs nothing beyond `Layer` and `add_weight`.
    """

    class PositionEmbedding(keras.layers.Layer):
        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=tuple(input_shape[1:]),
                                              initializer="uniform", name="embeddings")

        def call(self, inputs):
            return inputs + self.embeddings.value

    return PositionEmbedding()


def build_w5(keras: Any) -> Any:
    """The 2-block Transformer encoder classifier (post-norm blocks, as PyTorch's default)."""
    layers = keras.layers
    epsilon = workloads.W5_NORM_EPSILON
    tokens = keras.Input(shape=(workloads.W5_LENGTH,), dtype="int32")
    x = layers.Embedding(workloads.W5_VOCABULARY, workloads.W5_WIDTH)(tokens)
    x = position_embedding(keras)(x)
    for _ in range(workloads.W5_BLOCKS):
        attended = layers.MultiHeadAttention(num_heads=workloads.W5_HEADS,
                                             key_dim=workloads.W5_KEY_DIM)(x, x)
        x = layers.LayerNormalization(epsilon=epsilon)(layers.Add()([x, attended]))
        feed_forward = layers.Dense(workloads.W5_FEED_FORWARD, activation="relu")(x)
        feed_forward = layers.Dense(workloads.W5_WIDTH)(feed_forward)
        x = layers.LayerNormalization(epsilon=epsilon)(layers.Add()([x, feed_forward]))
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(workloads.W5_CLASSES, activation="softmax")(x)
    return keras.Model(tokens, outputs)


def _fit(model: Any, keras: Any, x, y, **fit_arguments) -> dict[str, Any]:
    timer = epoch_timer(keras)
    start = time.perf_counter()
    history = model.fit(x, y, verbose=0, callbacks=[timer], **fit_arguments)
    first_fit_s = time.perf_counter() - start
    final = {key: float(values[-1]) for key, values in history.history.items()}
    return {"first_fit_s": first_fit_s, "epoch_stamps": timer.stamps, "final": final}


def train_w1(keras: Any, epochs: int) -> dict[str, Any]:
    x, y = workloads.w1_data()
    keras.utils.set_random_seed(0)
    model = build_w1(keras)
    model.compile(keras.optimizers.Adam(learning_rate=workloads.W1_LEARNING_RATE),
                  "binary_crossentropy", metrics=["accuracy"])
    return _fit(model, keras, x, y, epochs=epochs, batch_size=workloads.W1_BATCH)


def train_w2(keras: Any, optimizer: str, epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w2_data(rows)
    keras.utils.set_random_seed(0)
    model = build_w2(keras)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return _fit(model, keras, x, y, epochs=epochs, batch_size=workloads.W2_BATCH,
                validation_split=workloads.W2_VALIDATION_SPLIT)


def train_w3(keras: Any, epochs: int, rows: int) -> dict[str, Any]:
    # keras.io's example passes validation_split=0.1; W3 trains on every row, no validation.
    x, y = workloads.w3_data(rows)
    keras.utils.set_random_seed(0)
    model = build_w3(keras)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return _fit(model, keras, x, y, epochs=epochs, batch_size=workloads.W3_BATCH)


def train_w4(keras: Any, epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w4_data(rows)
    keras.utils.set_random_seed(0)
    model = build_w4(keras)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return _fit(model, keras, x, y, epochs=epochs, batch_size=workloads.W4_BATCH)


def train_w5(keras: Any, epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w5_data(rows)
    keras.utils.set_random_seed(0)
    model = build_w5(keras)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return _fit(model, keras, x, y, epochs=epochs, batch_size=workloads.W5_BATCH)


def predictors(keras: Any, which: str) -> tuple[Any, Any, np.ndarray]:
    """(predict(x), call(x), inputs): the model's `predict` and `model(x)`, results as numpy."""
    keras.utils.set_random_seed(0)
    if which == "w1":
        model = build_w1(keras)
        inputs = workloads.w1_data()[0].astype(np.float32)
        inputs = np.tile(inputs, (10, 1))  # 10000 rows
    else:
        model = build_w2(keras)
        inputs = workloads.w2_data(10000)[0]

    def predict(x):
        return model.predict(x, verbose=0)

    def call(x):
        return np.asarray(model(x))

    return predict, call, inputs
