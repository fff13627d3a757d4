"""`layers.serialize` / `layers.deserialize` against real Keras."""
import layerwise
from keras_oracle import keras


def test_serialize_writes_what_keras_writes_and_both_read_it_back():
    ours = layerwise.layers.serialize(layerwise.layers.Dense(2, activation="relu", name="d"))
    theirs = keras.layers.serialize(keras.layers.Dense(2, activation="relu", name="d"))
    assert ours == theirs
    rebuilt = layerwise.layers.deserialize(theirs)
    assert isinstance(rebuilt, layerwise.layers.Dense) and rebuilt.units == 2
    assert keras.layers.deserialize(ours).get_config() == \
        keras.layers.deserialize(theirs).get_config()
