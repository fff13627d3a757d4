"""Sequential: names of the models made after it, as Keras's inner Functional takes them."""
import keras
import numpy as np

import layerwise


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
