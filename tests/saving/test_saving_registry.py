"""User classes and functions in saved models: registration, custom_objects, scopes; the
config round trips (get_config/from_config, to_json/model_from_json) and clone_model."""
import functools
import json

import numpy as np
import pytest

import layerwise
from keras_oracle import keras

X = np.random.default_rng(4).normal(size=(5, 3)).astype("float32")


def user_objects(library):
    """`Block`, `Sum` and `scaled_tanh` for either library, from the same code and
    registered alike (saved paths derive from the Python class names)."""
    def register(item):
        return library.saving.register_keras_serializable(package="SavingTests")(item)

    @register
    class Block(library.layers.Layer):
        """Owns sublayers in an attribute and in a list, and a weight of its own."""

        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.zeta = library.layers.Dense(units, activation="tanh")
            self.blocks = [library.layers.Dense(units), library.layers.Dense(units)]

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(1,), initializer="ones", name="scale")

        def call(self, inputs):
            return self.blocks[1](self.blocks[0](self.zeta(inputs))) * self.scale

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    @register
    class Sum(library.layers.Layer):
        def call(self, inputs):
            return inputs[0] + inputs[1]

    @register
    def scaled_tanh(x):
        return 2.0 * library.activations.tanh(x)

    return Block, Sum, scaled_tanh


Block, Sum, scaled_tanh = user_objects(layerwise)


@functools.cache
def keras_user_objects():
    """The same objects registered with Keras, once per process: any test may come first
    (parallel workers split a file's tests)."""
    return user_objects(keras)


def graph(library, block, total, activation):
    first = library.Input((3,), name="first")
    second = library.Input((3,), name="second")
    hidden = block(units=4, name="block")(first)
    hidden = library.layers.Dense(3, activation=activation, name="squash")(hidden)
    outputs = library.layers.Dense(1, name="out")(total(name="sum")([hidden, second]))
    return library.Model([first, second], outputs, name="custom")


def test_registered_user_classes_move_both_ways(tmp_path):
    theirs = graph(keras, *keras_user_objects())
    inputs = [X, X[::-1].copy()]
    theirs.save(tmp_path / "theirs.keras")
    ours = layerwise.models.load_model(tmp_path / "theirs.keras")
    assert isinstance(ours.get_layer("block"), Block)
    assert ours.get_layer("squash").activation is scaled_tanh
    np.testing.assert_allclose(ours.predict(inputs, verbose=0), theirs.predict(inputs, verbose=0),
                               atol=1e-6)

    ours.get_layer("block").scale.assign(np.array([1.5], "float32"))
    ours.save(tmp_path / "ours.keras")
    back = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(inputs, verbose=0), ours.predict(inputs, verbose=0),
                               atol=1e-6)
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.load_weights(tmp_path / "ours.weights.h5")
    np.testing.assert_allclose(theirs.predict(inputs, verbose=0),
                               ours.predict(inputs, verbose=0), atol=1e-6)


def test_registration_names():
    assert layerwise.saving.get_registered_name(Block) == "SavingTests>Block"
    assert layerwise.saving.get_registered_name(scaled_tanh) == "SavingTests>scaled_tanh"
    assert layerwise.saving.get_registered_object("SavingTests>Block") is Block
    assert layerwise.saving.get_custom_objects()["SavingTests>Sum"] is Sum
    assert layerwise.utils.register_keras_serializable is \
        layerwise.saving.register_keras_serializable
    config = layerwise.saving.serialize_keras_object(Block(units=2, name="b"))
    assert (config["class_name"], config["registered_name"]) == ("Block", "SavingTests>Block")
    with pytest.raises(ValueError, match="must define get_config"):
        layerwise.saving.register_keras_serializable()(type("NoConfig", (), {}))
    with pytest.raises(ValueError, match="without '>'"):
        layerwise.saving.register_keras_serializable(package="a>b")


class Unregistered(layerwise.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def unregistered_activation(x):
    return x * 0.5


def test_custom_objects_and_scopes(tmp_path):
    model = layerwise.Sequential([
        layerwise.Input((3,)), Unregistered(3.0),
        layerwise.layers.Dense(2, activation=unregistered_activation)])
    path = tmp_path / "custom.keras"
    model.save(path)
    with pytest.raises(ValueError, match="Could not locate class 'Unregistered'"):
        layerwise.models.load_model(path)
    custom = {"Unregistered": Unregistered, "unregistered_activation": unregistered_activation}
    loaded = layerwise.models.load_model(path, custom_objects=custom)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    with layerwise.saving.custom_object_scope(custom):
        scoped = layerwise.models.load_model(path)
    assert scoped.layers[0].factor == 3.0
    with layerwise.saving.CustomObjectScope({"Unregistered": Unregistered}):
        with pytest.raises(ValueError, match="unregistered_activation"):
            layerwise.models.load_model(path)


def test_json_round_trip_of_a_compiled_functional_model():
    model = graph(layerwise, Block, Sum, scaled_tanh)
    model.compile(layerwise.optimizers.Nadam(0.003), layerwise.losses.Huber(delta=0.5),
                  metrics=["mae"])
    text = model.to_json()
    config = json.loads(text)
    assert config["module"] == "keras.src.models.functional"
    assert config["registered_name"] == "Functional"
    assert config["config"]["input_layers"] == [["first", 0, 0], ["second", 0, 0]]
    rebuilt = layerwise.models.model_from_json(text)
    assert rebuilt.to_json() == text
    assert rebuilt.compiled and isinstance(rebuilt.loss, layerwise.losses.Huber)
    # New weights: copy them over and the two models agree.
    rebuilt.set_weights(model.get_weights())
    inputs = [X, X * 2]
    np.testing.assert_array_equal(rebuilt.predict(inputs, verbose=0),
                                  model.predict(inputs, verbose=0))
    # Keras reads our JSON too.
    keras_user_objects()
    theirs = keras.models.model_from_json(text)
    theirs.set_weights(model.get_weights())
    np.testing.assert_allclose(theirs.predict(inputs, verbose=0),
                               model.predict(inputs, verbose=0), atol=1e-6)


def test_clone_model_sequential_and_functional():
    sequential = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(4),
                                       layerwise.layers.Dense(1)], name="original")
    sequential.compile("adam", "mse")
    clone = layerwise.models.clone_model(sequential)
    assert clone.get_config() == sequential.get_config()
    assert clone.layers[0] is not sequential.layers[0]
    assert not np.array_equal(clone.get_weights()[0], sequential.get_weights()[0])
    assert clone.compiled and clone.optimizer is not sequential.optimizer

    inputs = layerwise.Input((3,), name="x")
    shared = layerwise.layers.Dense(3, name="shared")
    outputs = layerwise.layers.Dense(1, name="out")(shared(shared(inputs)))
    functional = layerwise.Model(inputs, outputs)
    copy = layerwise.models.clone_model(functional)
    assert [layer.name for layer in copy.layers] == [layer.name for layer in functional.layers]
    assert len(copy.get_weights()) == len(functional.get_weights()) == 4
    copy.set_weights(functional.get_weights())
    np.testing.assert_array_equal(copy.predict(X, verbose=0), functional.predict(X, verbose=0))

    renamed = layerwise.models.clone_model(
        functional, clone_function=lambda layer: type(layer).from_config(
            {**layer.get_config(), "name": layer.name + "_copy"}))
    assert [layer.name for layer in renamed.layers][1:] == ["shared_copy", "out_copy"]
    wider = layerwise.models.clone_model(sequential,
                                         input_tensors=layerwise.Input((3,), name="new"))
    assert wider.layers[0].name == sequential.layers[0].name


def test_overwrite_false_asks_first(tmp_path, monkeypatch):
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1)])
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    model.save(path, overwrite=False)
    assert path.read_bytes() == before
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(2)]).save(
        path, overwrite=False)
    assert path.read_bytes() != before


def two_step_class(library):
    """A subclassed model of either library: its layers are found through its attributes."""
    @library.saving.register_keras_serializable(package="SavingTests")
    class TwoStep(library.Model):
        def __init__(self, hidden=4, **kwargs):
            super().__init__(**kwargs)
            self.hidden = hidden
            self.first = library.layers.Dense(hidden, activation="relu")
            self.second = library.layers.Dense(1)

        def call(self, inputs):
            return self.second(self.first(inputs))

        def get_config(self):
            return {**super().get_config(), "hidden": self.hidden}

    return TwoStep


TwoStep = two_step_class(layerwise)


def test_subclassed_model_moves_both_ways(tmp_path):
    theirs = two_step_class(keras)(hidden=5)
    theirs(X)
    theirs.compile("adam", "mse")
    theirs.train_on_batch(X, X[:, :1])
    theirs.save(tmp_path / "sub.keras")
    ours = layerwise.models.load_model(tmp_path / "sub.keras")
    assert type(ours).__name__ == "TwoStep" and ours.hidden == 5
    np.testing.assert_allclose(ours.predict(X, verbose=0), theirs.predict(X, verbose=0),
                               atol=1e-6)
    assert ours.optimizer.iterations.numpy() == 1
    ours.save_weights(tmp_path / "sub.weights.h5")
    fresh = TwoStep(hidden=5)
    fresh(X)
    fresh.load_weights(tmp_path / "sub.weights.h5")
    np.testing.assert_allclose(fresh.predict(X, verbose=0), theirs.predict(X, verbose=0),
                               atol=1e-6)
    # Weights of a whole `.keras` file load into an existing model too.
    again = layerwise.models.clone_model(ours)
    again(X)
    again.load_weights(tmp_path / "sub.keras")
    np.testing.assert_allclose(again.predict(X, verbose=0), theirs.predict(X, verbose=0),
                               atol=1e-6)


def test_enable_unsafe_deserialization(tmp_path, monkeypatch):
    from layerwise.engine import registry

    monkeypatch.setattr(registry, "_unsafe_enabled_globally", False)
    model = layerwise.Sequential([layerwise.Input((3,)),
                                  layerwise.layers.Lambda(lambda x: x - 1.0)])
    model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="safe_mode"):
        layerwise.models.load_model(tmp_path / "l.keras")
    layerwise.saving.enable_unsafe_deserialization()
    loaded = layerwise.models.load_model(tmp_path / "l.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), X - 1.0)
