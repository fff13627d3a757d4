import numpy as np
import pytest

import layerwise as keras
from layerwise import backend as K


def test_clear_session_resets_names():
    K.clear_session()
    assert keras.layers.Dense(2).name == "dense"
    assert keras.layers.Dense(2).name == "dense_1"
    keras.utils.clear_session()
    assert keras.layers.Dense(2).name == "dense"


def test_set_and_get_value_on_the_learning_rate():
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    K.set_value(optimizer.learning_rate, 0.5)
    assert np.isclose(K.get_value(optimizer.learning_rate), 0.5)
    with pytest.raises(TypeError, match="Variable"):
        K.set_value(0.1, 0.2)


def test_constants():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7 and K.backend() == "jax"
    with pytest.raises(ValueError, match="float32"):
        K.set_floatx("float64")
