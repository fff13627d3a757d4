"""Sequential, functional models, weights, summary."""
import io

import numpy as np
import pytest

import layerwise
from keras_oracle import copy_weights, keras, twins


def _seed_models(k):
    moons = k.Sequential([k.layers.Dense(4, input_shape=(2,), activation="tanh"),
                          k.layers.Dense(2, activation="tanh"),
                          k.layers.Dense(1, activation="sigmoid")])
    dropout = k.Sequential([k.layers.Dense(32, activation="sigmoid", input_shape=(784,)),
                            k.layers.Dropout(0.2), k.layers.Dense(10, activation="softmax")])
    return [moons, dropout]


def _summary_text(model):
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def test_summary_parameter_counts_match_keras():
    for ours, theirs in zip(_seed_models(layerwise), _seed_models(keras)):
        assert ours.count_params() == theirs.count_params()
        assert [l.count_params() for l in ours.layers] == [l.count_params() for l in theirs.layers]
        ours_text, theirs_text = _summary_text(ours), _summary_text(theirs)
        for label in ("Total params:", "Trainable params:", "Non-trainable params:"):
            ours_line = next(l for l in ours_text.splitlines() if label in l)
            theirs_line = next(l for l in theirs_text.splitlines() if label in l)
            assert ours_line.strip() == theirs_line.strip()
        for layer in ours.layers:
            assert f"{layer.name} ({type(layer).__name__})" in ours_text


def test_sequential_add_pop_layers_and_get_layer():
    model = layerwise.Sequential()
    model.add(layerwise.Input((3,)))
    model.add(layerwise.layers.Dense(4, name="first"))
    model.add(layerwise.layers.Dense(2, name="second"))
    assert [l.name for l in model.layers] == ["first", "second"]
    assert model.get_layer("second") is model.layers[1]
    assert model.get_layer(index=0).name == "first"
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "second" and model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_sequential_builds_lazily_from_data():
    model = layerwise.Sequential([layerwise.layers.Dense(3), layerwise.layers.Dense(1)])
    assert not model.built
    out = model(np.ones((5, 4)))
    assert out.shape == (5, 1) and model.built
    assert [w.shape for w in model.weights] == [(4, 3), (3,), (3, 1), (1,)]


def test_weights_order_and_set_get_weights_match_keras():
    theirs = _seed_models(keras)[1]
    ours = _seed_models(layerwise)[1]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).normal(size=(3, 784)).astype("float32")
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="expects 4 weight arrays"):
        ours.set_weights(ours.get_weights()[:2])


def test_trainable_false_freezes_weights():
    model = layerwise.Sequential([layerwise.Input((2,)), layerwise.layers.Dense(3),
                                  layerwise.layers.Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    frozen = model.layers[0].get_weights()
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), verbose=0, epochs=2)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_functional_model_matches_keras():
    def build(k):
        inputs = k.Input((4,), name="x")
        hidden = k.layers.Dense(8, activation="relu")(inputs)
        hidden = k.layers.Dropout(0.1)(hidden)
        outputs = k.layers.Dense(2, activation="softmax", name="out")(hidden)
        return k.Model(inputs=inputs, outputs=outputs)

    ours, theirs = twins(build)
    assert type(ours).__name__ == "Functional"
    assert [type(l).__name__ for l in ours.layers] == [type(l).__name__ for l in theirs.layers]
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6)
    ours.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    y = np.eye(2, dtype="float32")[[0, 1, 0, 1, 1]]
    history = ours.fit(x, y, verbose=0, epochs=2)
    assert list(history.history) == ["accuracy", "loss"]
    assert ours.count_params() == theirs.count_params()


def test_subclassed_model_trains():
    class TwoLayer(layerwise.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layerwise.layers.Dense(8, activation="relu")
            self.out = layerwise.layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = TwoLayer()
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(model.trainable_weights) == 4


def test_variable_regularizer_adds_to_the_loss():
    def build(k):
        return k.Sequential([k.Input((3,)),
                             k.layers.Dense(2, kernel_regularizer=k.regularizers.L2(0.1))])

    ours, theirs = twins(build, optimizer="sgd", loss="mse")
    x = np.ones((4, 3), "float32")
    y = np.zeros((4, 2), "float32")
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0),
                               rtol=1e-6)
    ours.fit(x, y, verbose=0, shuffle=False)
    theirs.fit(x, y, verbose=0, shuffle=False)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5)
