"""FeatureSpace against Keras 3.15. Keras's adapt needs TensorFlow, absent from the oracle
environment, so Keras's outputs and its saved FeatureSpace were recorded by
`feature_space_cases.py` (with TensorFlow) into reference/; the .keras file is read here."""
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import layerwise
from feature_space_cases import make_data, make_feature_space

REFERENCE = Path(__file__).parent / "reference"
RECORDED = np.load(REFERENCE / "feature_space.npz")
DATA = make_data(np)
BATCH = {name: values[:7] for name, values in DATA.items()}


def plain(config):
    """A config without Keras's shared-object ids and automatic name counters."""
    if isinstance(config, dict):
        return {key: plain(value) for key, value in config.items()
                if key != "shared_object_id"}
    if isinstance(config, list):
        return [plain(value) for value in config]
    return config


@pytest.fixture(scope="module")
def adapted():
    spaces = {}
    for mode in ("concat", "dict"):
        space = make_feature_space(layerwise, mode)
        space.adapt(DATA)
        spaces[mode] = space
    return spaces


def test_outputs_equal_keras(adapted):
    np.testing.assert_allclose(np.asarray(adapted["concat"](BATCH)), RECORDED["concat"],
                               rtol=1e-6, atol=1e-6)
    encoded = adapted["dict"](BATCH)
    assert sorted(encoded) == sorted(key[len("dict_"):] for key in RECORDED.files
                                     if key.startswith("dict_"))
    for name, value in encoded.items():
        np.testing.assert_allclose(np.asarray(value), RECORDED[f"dict_{name}"], rtol=1e-6,
                                   atol=1e-6)


def test_config_equals_the_one_keras_saves(adapted, tmp_path):
    with zipfile.ZipFile(REFERENCE / "feature_space.keras") as archive:
        theirs = json.loads(archive.read("config.json"))
    path = tmp_path / "ours.keras"
    adapted["concat"].save(str(path))
    with zipfile.ZipFile(path) as archive:
        ours = json.loads(archive.read("config.json"))
        names = sorted(archive.namelist())
    assert plain(ours) == plain(theirs)
    with zipfile.ZipFile(REFERENCE / "feature_space.keras") as archive:
        assert names == sorted(archive.namelist())


def test_keras_file_loads_and_our_file_round_trips(adapted, tmp_path):
    loaded = layerwise.saving.load_model(str(REFERENCE / "feature_space.keras"))
    np.testing.assert_allclose(np.asarray(loaded(BATCH)), RECORDED["concat"], rtol=1e-6,
                               atol=1e-6)
    path = tmp_path / "ours.keras"
    adapted["concat"].save(str(path))
    reloaded = layerwise.saving.load_model(str(path))
    np.testing.assert_allclose(np.asarray(reloaded(BATCH)), RECORDED["concat"], rtol=1e-6,
                               atol=1e-6)


def test_adapt_on_batches_equals_adapt_on_the_dict(adapted):
    space = make_feature_space(layerwise)
    space.adapt(layerwise.utils.ArrayDataset(DATA, batch_size=9))
    np.testing.assert_allclose(np.asarray(space(BATCH)), RECORDED["concat"], rtol=1e-6,
                               atol=1e-6)
    single = space({name: values[3] for name, values in DATA.items()})
    np.testing.assert_allclose(np.asarray(single), np.asarray(space(
        {name: values[3:4] for name, values in DATA.items()}))[0], rtol=1e-6)


def test_model_on_raw_columns_trains_through_fit(adapted):
    space = adapted["concat"]
    encoded = space.get_encoded_features()
    assert tuple(encoded.shape) == (None, RECORDED["concat"].shape[1])
    outputs = layerwise.layers.Dense(1, activation="sigmoid")(encoded)
    model = layerwise.Model(space.get_inputs(), outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    labels = (DATA["fn"] > 2).astype("float32")
    history = model.fit(DATA, labels, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    kernel, bias = model.layers[-1].get_weights()
    expected = 1 / (1 + np.exp(-(np.asarray(space(BATCH)) @ kernel + bias)))
    np.testing.assert_allclose(model.predict(BATCH, verbose=0), expected, rtol=1e-5,
                               atol=1e-6)


def test_keras_tutorial_flow_training_and_inference_models(adapted):
    # Keras's structured-data tutorial: train on preprocessed arrays from a model cut at
    # the encoded features; serve raw columns with a model on the FeatureSpace's inputs.
    space = make_feature_space(layerwise)
    space.adapt(DATA)
    encoded = space.get_encoded_features()
    hidden = layerwise.layers.Dense(8, activation="relu")(encoded)
    predictions = layerwise.layers.Dense(1, activation="sigmoid")(hidden)
    training_model = layerwise.Model(inputs=encoded, outputs=predictions)
    inference_model = layerwise.Model(inputs=space.get_inputs(), outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy")
    labels = (DATA["fr"] > 5).astype("float32")
    training_model.fit(np.asarray(space(DATA)), labels, epochs=2, batch_size=8, verbose=0)
    np.testing.assert_allclose(inference_model.predict(BATCH, verbose=0),
                               training_model.predict(np.asarray(space(BATCH)), verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_bad_arguments():
    space = layerwise.utils.FeatureSpace
    with pytest.raises(ValueError, match="cannot be None or empty"):
        space(features={})
    with pytest.raises(ValueError, match="Invalid feature type"):
        space(features={"a": "floaty"})
    with pytest.raises(ValueError, match="output_mode"):
        space(features={"a": "float"}, output_mode="list")
    with pytest.raises(ValueError, match="unknown features"):
        space(features={"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="adapt"):
        space(features={"a": "float_normalized"})({"a": np.ones(2)})
    with pytest.raises(ValueError, match="dict"):
        unadaptable = space(features={"a": "float"})
        unadaptable(np.ones(2))
    with pytest.raises(ValueError, match="not been encoded"):
        space(features={"a": space.integer_categorical(output_mode="int")}).adapt(
            {"a": np.arange(4)})
