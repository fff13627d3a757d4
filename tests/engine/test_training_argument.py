"""Which `training` value a layer's call sees, as Keras 3 (JAX backend) resolves it: the
value passed, else an outer call's, else the call's own default; `fit` runs a model by its
`call`, so layers the model calls without passing `training` keep their default."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def _probed_model(k, seen):
    class Probe(k.layers.Layer):
        def call(self, x, training=None):
            seen.append((self.name, training))
            return x

    class Block(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.probe = Probe(name="inner")

        def call(self, x, training=False):
            seen.append((self.name, training))
            return self.probe(x)

    class Net(k.Model):
        def __init__(self):
            super().__init__()
            self.block = Block(name="block")
            self.after = Probe(name="after")
            self.out = k.layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.after(self.block(x), training=training))

    return Net()


@pytest.mark.parametrize("how", ["fit", "direct-call", "predict"])
def test_training_value_each_layer_sees_matches_keras(how):
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    logs = []
    for library in (layerwise, keras):
        seen = []
        model = _probed_model(library, seen)
        model(x)  # built
        seen.clear()
        if how == "fit":
            model.compile("sgd", "mse")
            model.fit(x, y, verbose=0)
        elif how == "predict":
            model.predict(x, verbose=0)
        else:
            model(x, training=True)
        logs.append(seen[-3:])
    assert logs[0] == logs[1]


def _dropout_net(k):
    class Block(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = k.layers.Dense(6)
            self.dropout = k.layers.Dropout(0.5)

        def call(self, x, training=False):
            return self.dropout(self.dense(x), training=training)

    class Net(k.Model):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.dropout = k.layers.Dropout(0.5)
            self.out = k.layers.Dense(1)

        def call(self, x, training=False):
            # The block gets no `training`: in Keras's fit its dropout stays off.
            return self.out(self.dropout(self.block(x), training=training))

    return Net()


def test_subclassed_model_with_dropout_trains_as_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")
    histories = []
    for library in (keras, layerwise):
        library.utils.set_random_seed(0)
        model = _dropout_net(library)
        model(x[:1])
        if library is layerwise:
            model.set_weights(reference_weights)
        reference_weights = model.get_weights()
        model.compile("sgd", "mse")
        histories.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
