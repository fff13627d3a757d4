"""Files move both ways between layerwise and real Keras 3 (the oracle): `.keras`,
`.weights.h5` and legacy `.h5`, with predictions equal to 1e-6."""
import json
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from keras_oracle import keras

X = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
Y = (X.sum(axis=1, keepdims=True) > 0).astype("float32")


def close(a, b, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=atol)


def keras_sequential():
    model = keras.Sequential([
        keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dropout(0.2),
        keras.layers.Dense(6, activation="tanh", use_bias=False), keras.layers.Reshape((3, 2)),
        keras.layers.Flatten(), keras.layers.Activation("softplus"),
        keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def keras_single_output_functional():
    inputs = keras.Input((4,), name="x")
    a = keras.layers.Dense(5, activation="relu", name="a")(inputs)
    b = keras.layers.Dense(5, activation="elu", name="b")(a)
    c = keras.layers.Dense(5, activation="selu", name="c")(inputs)
    d = keras.layers.Dense(5, name="d")(c)
    e = keras.layers.Dense(5, name="e")(d)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="out")(
        keras.layers.Flatten()(keras.layers.Reshape((5, 1))(e)))
    # `b` is computed but unused: it must not become part of the model.
    del b
    model = keras.Model(inputs, outputs, name="functional_oracle")
    model.compile(keras.optimizers.SGD(0.05, momentum=0.9), "mse", metrics=["mae"])
    return model


@pytest.fixture(scope="module")
def trained_keras_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras_files")
    sequential, functional = keras_sequential(), keras_single_output_functional()
    for model in (sequential, functional):
        for _ in range(2):
            model.train_on_batch(X, Y)
    return folder, sequential, functional


@pytest.mark.parametrize("which", ["sequential", "functional"])
def test_keras_file_loads_in_layerwise_with_equal_predictions(trained_keras_models, which):
    folder, sequential, functional = trained_keras_models
    model = sequential if which == "sequential" else functional
    path = folder / f"{which}.keras"
    model.save(path)
    loaded = layerwise.models.load_model(path)
    assert type(loaded).__name__ == type(model).__name__
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    close(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    # The optimizer state came along: both take the same next step.
    assert loaded.compiled and loaded.optimizer.iterations.numpy() == 2
    for ours, theirs in zip(loaded.optimizer.variables, model.optimizer.variables):
        close(ours.numpy(), np.asarray(theirs))


@pytest.mark.parametrize("which", ["sequential", "functional"])
def test_layerwise_file_loads_in_keras_with_equal_predictions(tmp_path, which):
    model = _layerwise_model(which)
    model.train_on_batch(X, Y)
    path = tmp_path / f"ours_{which}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    close(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert int(loaded.optimizer.iterations) == 1
    for theirs, ours in zip(loaded.optimizer.variables, model.optimizer.variables):
        close(np.asarray(theirs), ours.numpy())


def _layerwise_model(which):
    if which == "sequential":
        model = layerwise.Sequential([
            layerwise.Input((4,)), layerwise.layers.Dense(8, activation="relu"),
            layerwise.layers.Dropout(0.3), layerwise.layers.Dense(1, activation="sigmoid")])
    else:
        inputs = layerwise.Input((4,), name="inp")
        left = layerwise.layers.Dense(3, activation="relu", name="left")(inputs)
        left = layerwise.layers.Dense(3, name="left_2")(left)
        right = layerwise.layers.Dense(3, activation="tanh", name="right")(inputs)
        outputs = layerwise.layers.Dense(1, activation="sigmoid", name="out")(
            layerwise.layers.Flatten()(layerwise.layers.Reshape((3,))(left)))
        del right  # unused branch: not part of the model
        model = layerwise.Model(inputs, outputs, name="ours")
    model.compile(layerwise.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_weights_files_move_both_ways(trained_keras_models, tmp_path):
    _, sequential, _ = trained_keras_models
    ours = layerwise.Sequential([
        layerwise.Input((4,)), layerwise.layers.Dense(8, activation="relu"),
        layerwise.layers.Dropout(0.2), layerwise.layers.Dense(6, activation="tanh",
                                                             use_bias=False),
        layerwise.layers.Reshape((3, 2)), layerwise.layers.Flatten(),
        layerwise.layers.Activation("softplus"), layerwise.layers.Dense(1, activation="sigmoid")])
    sequential.save_weights(tmp_path / "theirs.weights.h5")
    ours.load_weights(tmp_path / "theirs.weights.h5")
    close(ours.predict(X, verbose=0), sequential.predict(X, verbose=0))

    ours.set_weights([w * 0.5 for w in ours.get_weights()])
    ours.save_weights(tmp_path / "ours.weights.h5")
    fresh = keras_sequential()
    fresh.load_weights(tmp_path / "ours.weights.h5")
    close(fresh.predict(X, verbose=0), ours.predict(X, verbose=0))


@pytest.mark.parametrize("writer", ["model.save", "save_model_to_hdf5"])
def test_keras_legacy_h5_loads_in_layerwise(trained_keras_models, writer):
    folder, sequential, functional = trained_keras_models
    from keras.src.legacy.saving import legacy_h5_format

    for model in (sequential, functional):
        path = folder / f"{model.name}_{writer}.h5"
        if writer == "model.save":
            model.save(path)
        else:
            legacy_h5_format.save_model_to_hdf5(model, str(path))
        loaded = layerwise.models.load_model(path)
        close(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
        assert loaded.compiled
        # Keras 3 wrote the optimizer state in its own order: it is restored too.
        for ours, theirs in zip(loaded.optimizer.variables, model.optimizer.variables):
            close(ours.numpy(), np.asarray(theirs))


def test_layerwise_legacy_h5_loads_in_keras(tmp_path):
    model = _layerwise_model("functional")
    model.train_on_batch(X, Y)
    path = tmp_path / "ours.h5"
    with pytest.warns(UserWarning, match="legacy"):
        model.save(path)
    loaded = keras.saving.load_model(path)
    close(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    again = layerwise.models.load_model(path)
    close(again.predict(X, verbose=0), model.predict(X, verbose=0))
    assert again.optimizer.iterations.numpy() == 1


def test_written_archive_has_keras_layout(tmp_path):
    model = _layerwise_model("sequential")
    model.train_on_batch(X, Y)
    path = tmp_path / "layout.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == ["metadata.json", "config.json",
                                                     "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in infos)
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    assert metadata["keras_version"] == "3.15.1" and "@" in metadata["date_saved"]
    assert (config["module"], config["class_name"], config["registered_name"]) == (
        "keras", "Sequential", None)
    assert config["build_config"] == {"input_shape": [None, 4]}
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["compile_config"]["loss"] == "binary_crossentropy"
    assert config["config"]["layers"][0]["class_name"] == "InputLayer"
    with h5py.File(__import__("io").BytesIO(weights), "r") as h5_file:
        groups = []
        h5_file.visit(groups.append)
        dense_names = [model.layers[0].name, model.layers[2].name]
        assert h5_file["layers/dense/vars"].attrs["name"] == dense_names[0]
        assert h5_file["layers/dense_1/vars"].attrs["name"] == dense_names[1]
        assert len(h5_file["layers/dropout/vars"]) == 0
        assert h5_file["vars"].attrs["name"] == model.name
        assert h5_file["optimizer/vars"].attrs["name"] == model.optimizer.name
        assert len(h5_file["optimizer/vars"]) == 2 + 2 * 4
        assert h5_file["optimizer/vars/0"].dtype == np.int32
        assert not any(name.startswith("layers/input_layer") for name in groups)


def test_functional_config_matches_keras():
    # A fresh model: Keras's legacy .h5 writer removes the optimizer from a model's
    # compile config in place, so the fixture's models may have lost it.
    functional = keras_single_output_functional()
    ours = layerwise.models.model_from_json(functional.to_json())
    ours_config, their_config = ours.get_config(), functional.get_config()
    assert [layer["name"] for layer in ours_config["layers"]] == \
        [layer["name"] for layer in their_config["layers"]]
    for mine, theirs in zip(ours_config["layers"], their_config["layers"]):
        assert json.loads(json.dumps(mine["inbound_nodes"])) == \
            json.loads(json.dumps(theirs["inbound_nodes"]))
    assert ours_config["input_layers"] == their_config["input_layers"]
    assert ours_config["output_layers"] == their_config["output_layers"]
    assert ours.compiled and ours.optimizer.momentum == pytest.approx(0.9)


def test_nested_models_and_shared_layers_move_both_ways(tmp_path):
    inner_in = keras.Input((3,), name="inner_in")
    inner = keras.Model(inner_in, keras.layers.Dense(3, activation="tanh", name="id")(inner_in),
                        name="inner")
    stack = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, name="s1")],
                             name="stack")
    inputs = keras.Input((3,), name="x")
    shared = keras.layers.Dense(3, name="shared")
    hidden = shared(inner(inner(stack(inputs))))
    hidden = shared(hidden)
    outputs = keras.layers.Dense(1, name="out")(hidden)
    model = keras.Model(inputs, outputs, name="nest")
    model.compile("rmsprop", "mse")
    x = X[:, :3]
    model.train_on_batch(x, Y)
    model.save(tmp_path / "nest.keras")
    ours = layerwise.models.load_model(tmp_path / "nest.keras")
    close(ours.predict(x, verbose=0), model.predict(x, verbose=0))
    assert ours.get_config()["output_layers"] == model.get_config()["output_layers"]
    ours.save(tmp_path / "nest_ours.keras")
    back = keras.saving.load_model(tmp_path / "nest_ours.keras")
    close(back.predict(x, verbose=0), model.predict(x, verbose=0))


def test_functional_layer_order_is_keras_order():
    def build(library):
        inputs = library.Input((2,), name="x")
        a = library.layers.Dense(3, name="a")(inputs)
        b = library.layers.Dense(3, name="b")(a)
        c = library.layers.Dense(3, name="c")(inputs)
        d = library.layers.Dense(3, name="d")(b)
        return library.Model(inputs, [c, d, b])

    assert [layer.name for layer in build(layerwise).layers] == \
        [layer.name for layer in build(keras).layers]


@settings(max_examples=10, deadline=None)
@given(parents=st.lists(st.integers(0, 10**6), min_size=2, max_size=7),
       outputs=st.lists(st.integers(0, 10**6), min_size=1, max_size=3))
def test_random_graphs_list_layers_in_keras_order(parents, outputs):
    """Weight files name same-class layers by their position in `model.layers`."""

    def build(library):
        tensors = [library.Input((2,), name="x")]
        for index, parent in enumerate(parents):
            layer = library.layers.Dense(2, name=f"d{index}")
            tensors.append(layer(tensors[parent % len(tensors)]))
        chosen = [tensors[1 + o % len(parents)] for o in outputs]
        return library.Model(tensors[0], chosen)

    assert [layer.name for layer in build(layerwise).layers] == \
        [layer.name for layer in build(keras).layers]


def test_functional_weights_files_move_both_ways(trained_keras_models, tmp_path):
    _, _, functional = trained_keras_models
    functional.save_weights(tmp_path / "theirs.weights.h5")
    ours = layerwise.models.model_from_json(keras_single_output_functional().to_json())
    ours.load_weights(tmp_path / "theirs.weights.h5")
    close(ours.predict(X, verbose=0), functional.predict(X, verbose=0))
    # The optimizer state came too (Keras's SGD momentum slots).
    for mine, theirs in zip(ours.optimizer.variables, functional.optimizer.variables):
        close(mine.numpy(), np.asarray(theirs))

    ours.set_weights([w + 0.25 for w in ours.get_weights()])
    ours.save_weights(tmp_path / "ours.weights.h5")
    fresh = keras_single_output_functional()
    fresh.load_weights(tmp_path / "ours.weights.h5")
    close(fresh.predict(X, verbose=0), ours.predict(X, verbose=0))
