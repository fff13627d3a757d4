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


def _three_named_inputs(k):
    title, body = k.Input((None,), name="title"), k.Input((None,), name="body")
    tags = k.Input((12,), name="tags")
    title_features = k.layers.GlobalAveragePooling1D()(k.layers.Embedding(50, 4)(title))
    body_features = k.layers.GlobalAveragePooling1D()(k.layers.Embedding(50, 4)(body))
    merged = k.layers.concatenate([title_features, body_features, tags])
    return k.Model([title, body, tags], k.layers.Dense(1, name="priority")(merged))


def test_a_dict_of_inputs_is_matched_to_a_list_of_inputs_by_name():
    # The dict's sorted keys (body, tags, title) are not the inputs' order.
    ours, theirs = twins(_three_named_inputs, loss="mse", optimizer="sgd")
    rng = np.random.default_rng(0)
    data = {"title": rng.integers(0, 50, (16, 5)), "body": rng.integers(0, 50, (16, 9)),
            "tags": rng.random((16, 12)).astype("float32")}
    target = rng.random((16, 1)).astype("float32")
    np.testing.assert_allclose(ours.predict(data, verbose=0), theirs.predict(data, verbose=0),
                               rtol=1e-5, atol=1e-6)
    ours_history = ours.fit(data, target, epochs=2, batch_size=8, shuffle=False, verbose=0)
    theirs_history = theirs.fit(data, target, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours_history.history["loss"], theirs_history.history["loss"],
                               rtol=1e-5)


def _autoencoder_class(k):
    class Autoencoder(k.Model):
        """A subclass whose own constructor takes two positional arguments (not Functional)."""

        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder

        def call(self, x):
            return self.decoder(self.encoder(x))

    return Autoencoder


@pytest.mark.parametrize("library", [layerwise, keras], ids=["layerwise", "keras"])
def test_a_subclass_given_two_positional_arguments_stays_a_subclassed_model(library):
    encoder = library.Sequential([library.Input((6,)), library.layers.Dense(2)])
    decoder = library.Sequential([library.Input((2,)), library.layers.Dense(6)])
    model = _autoencoder_class(library)(encoder, decoder, name="autoencoder")
    assert model.name == "autoencoder"
    assert model.encoder is encoder and model.decoder is decoder
    assert not hasattr(model, "_nodes") or library is keras
    assert tuple(model(np.zeros((3, 6), "float32")).shape) == (3, 6)


def _sampler_model(k):
    class Sampling(k.layers.Layer):
        """keras.io's VAE sampling layer: the generator is a plain attribute."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = k.random.SeedGenerator(1337)

        def call(self, inputs):
            mean, log_variance = inputs
            noise = k.random.normal(k.ops.shape(mean), seed=self.seed_generator)
            return mean + k.ops.exp(0.5 * log_variance) * noise

    inputs = k.Input((4,))
    mean, log_variance = k.layers.Dense(2)(inputs), k.layers.Dense(2)(inputs)
    return k.Model(inputs, Sampling()([mean, log_variance]))


def test_a_seed_generator_kept_in_an_attribute_is_tracked_and_drawn_like_keras():
    ours, theirs = twins(_sampler_model, loss="mse", optimizer="sgd")
    assert len(ours.non_trainable_variables) == len(theirs.non_trainable_variables) == 1
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    for _ in range(2):  # the second call draws the generator's next noise
        np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-5, atol=1e-6)
    target = np.zeros((8, 2), "float32")
    ours_history = ours.fit(x, target, epochs=2, batch_size=4, shuffle=False, verbose=0)
    theirs_history = theirs.fit(x, target, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours_history.history["loss"], theirs_history.history["loss"],
                               rtol=1e-5)
