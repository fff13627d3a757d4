"""Sequential: names of the models made after it, as Keras's inner Functional takes them."""
import numpy as np

import layerwise
from keras_oracle import keras


def _model_names(library):
    library.backend.clear_session()
    built = library.Sequential([library.Input((3,)), library.layers.Dense(2)])
    deferred = library.Sequential([library.layers.Dense(2)])
    inputs = library.Input((3,))
    first = library.Model(inputs, library.layers.Dense(1)(inputs))
    deferred.build((None, 3))
    grown = library.Sequential()
    grown.add(library.Input((3,)))
    grown.add(library.layers.Dense(2))
    grown.add(library.layers.Dense(2))
    grown.pop()
    called = library.Sequential([library.layers.Dense(2)])
    called(np.ones((2, 3), "float32"))
    last = library.Model(inputs, library.layers.Dense(1)(inputs))
    return [model.name for model in (built, deferred, first, grown, called, last)]


def test_each_build_takes_a_functional_name_as_in_keras():
    ours = _model_names(layerwise)
    assert ours == _model_names(keras)
    assert ours[2] == "functional_1"



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
