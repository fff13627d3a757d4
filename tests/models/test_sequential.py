"""Sequential models take automatic names as Keras's do (a build takes a "functional"
name too, since Keras wraps the built stack in a Functional)."""
import layerwise
from keras_oracle import keras


def _names(k):
    k.utils.clear_session()
    layers, names = k.layers, []

    def functional():
        inputs = layers.Input((3,))
        names.append(k.Model(inputs, layers.Dense(2)(inputs)).name)

    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.stack = k.Sequential([layers.Dense(2)])

        def call(self, x):
            return self.stack(x)

    functional()
    inputs = layers.Input((3,))
    names.append(k.Model(inputs, Block()(inputs)).name)
    stack = k.Sequential([layers.Input((3,)), layers.Dense(2)])
    stack.add(layers.Dense(1))
    stack.pop()
    functional()
    lazy = k.Sequential([layers.Dense(2)])
    lazy.build((None, 3))
    k.models.clone_model(lazy)
    functional()
    names.append(k.Sequential().name)
    return names


def test_automatic_model_names_follow_keras():
    assert _names(layerwise) == _names(keras)
