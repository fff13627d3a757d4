"""Weight paths name every layer whose build or call created the weight, as in Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def _block_class(k):
    class Block(k.layers.Layer):
        """Sublayers made in __init__ and in build, a weight made in each."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = k.layers.Dense(3)
            self.attention = k.layers.MultiHeadAttention(1, 2)
            self.early = self.add_weight(shape=(1,), name="early")

        def build(self, input_shape):
            self.late = self.add_weight(shape=(1,), name="late")
            self.inner = k.layers.Dense(2)
            self.inner.build(input_shape)

        def call(self, x):
            return self.dense(self.attention(x, x)) + self.inner(x)[..., :1]

    return Block


def _token_and_position_class(k):
    class TokenAndPosition(k.layers.Layer):
        """No build: its sublayers are built when its call first runs."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tokens = k.layers.Embedding(10, 4)
            self.positions = k.layers.Embedding(5, 4)

        def call(self, x):
            return self.tokens(x) + self.positions(k.ops.arange(k.ops.shape(x)[-1]))

    return TokenAndPosition


def _lazy_sequential(k):
    model = k.Sequential([k.layers.Dense(2), k.layers.LSTM(2, return_sequences=True),
                          _block_class(k)()])
    model.build((None, 4, 3))
    return model


def _functional(k):
    inputs = k.Input((5,), dtype="int32")
    x = _token_and_position_class(k)(name="embed")(inputs)
    x = _block_class(k)(name="blk")(x)
    return k.Model(inputs, k.layers.Bidirectional(k.layers.GRU(2))(x))


def _eager_block(k):
    block = _block_class(k)(name="eager")
    block(np.zeros((1, 4, 3), "float32"))
    return block


def _subclassed_model(k):
    class Net(k.Model):
        def __init__(self):
            super().__init__()
            self.dense = k.layers.Dense(2)
            self.recurrent = k.layers.Bidirectional(k.layers.LSTM(2))

        def call(self, x):
            return self.dense(self.recurrent(x))

    model = Net()
    model(np.zeros((1, 3, 2), "float32"))
    return model


def _nested_sequential(k):
    model = k.Sequential([k.layers.Dense(2), k.Sequential([k.layers.Dense(1)])])
    model(np.zeros((1, 3), "float32"))
    return model


def _prebuilt_spectral(k):
    dense = k.layers.Dense(2)
    dense.build((None, 3))
    wrapper = k.layers.SpectralNormalization(dense)
    wrapper.build((None, 3))
    return wrapper


@pytest.mark.parametrize("make", [_lazy_sequential, _functional, _eager_block,
                                  _subclassed_model, _nested_sequential, _prebuilt_spectral])
def test_weight_paths_match_keras(make):
    layerwise.utils.clear_session()
    keras.utils.clear_session()
    ours, theirs = make(layerwise), make(keras)
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
