"""End to end: a one-block Transformer encoder learns a token task that needs attention."""
import numpy as np
import pytest

import layerwise as keras_like


def _first_token_repeats(n, length=10, vocabulary=8, seed=0):
    """Label 1 when the first token occurs again later in the sequence (about half)."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocabulary, size=(n, length))
    labels = (tokens[:, 1:] == tokens[:, :1]).any(axis=1)
    # Balance the classes: half the sequences get the first token removed from the rest.
    for row in np.flatnonzero(labels)[: n // 4]:
        rest = tokens[row, 1:]
        rest[rest == tokens[row, 0]] = (tokens[row, 0] + 1) % vocabulary
    labels = (tokens[:, 1:] == tokens[:, :1]).any(axis=1)
    return tokens.astype("int32"), labels.astype("float32")


class AddPositions(keras_like.layers.Layer):
    """Adds a learned vector per position."""

    def build(self, input_shape):
        self.positions = self.add_weight(shape=input_shape[1:], name="positions",
                                         initializer="random_normal")

    def call(self, inputs):
        return inputs + self.positions.value


def _encoder(layers, length, vocabulary, width=32):
    tokens = keras_like.Input((length,), dtype="int32")
    x = AddPositions()(layers.Embedding(vocabulary, width)(tokens))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    feed_forward = layers.Dense(width)(layers.Dense(64, activation="relu")(x))
    x = layers.LayerNormalization()(layers.Add()([x, feed_forward]))
    x = layers.Flatten()(x)
    return keras_like.Model(tokens, layers.Dense(1, activation="sigmoid")(x))


@pytest.mark.slow
def test_one_block_encoder_learns_first_token_repeats():
    keras_like.utils.set_random_seed(0)
    x, y = _first_token_repeats(3000)
    x_val, y_val = _first_token_repeats(1000, seed=1)
    assert 0.35 < y.mean() < 0.65
    model = _encoder(keras_like.layers, 10, 8)
    model.compile(keras_like.optimizers.Adam(2e-3), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=64, epochs=15, verbose=0)
    _, accuracy = model.evaluate(x_val, y_val, verbose=0)
    print(f"validation accuracy {accuracy:.3f}")
    assert accuracy >= 0.9, accuracy
