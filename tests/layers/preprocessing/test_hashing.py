"""Hashing, HashedCrossing and the hashed OOV ids of the lookups against Keras 3.15.

Keras computes these layers with TensorFlow, which the oracle environment lacks, so the
expected outputs and configs are Keras's own, recorded by `hashing_cases.py` (in an
environment with TensorFlow) into reference/hashing.json; where TensorFlow is importable,
the same cases also run live."""
import importlib.util
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

import layerwise
from hashing_cases import MODEL_INPUTS, CASES, call_on_case, make_model, run_keras
from layerwise.layers.preprocessing import fingerprints

L = layerwise.layers
RECORDED = json.loads((Path(__file__).parent / "reference" / "hashing.json").read_text())


def ours(case):
    layer = getattr(L, case["kind"])(**case["kwargs"])
    return layer, call_on_case(layer, case, np)


def unnumbered(config):
    return {**config, "name": config["name"].rsplit("_", 1)[0]
            if config["name"][-1].isdigit() else config["name"]}


@pytest.mark.parametrize("index", range(len(CASES)))
def test_outputs_and_configs_equal_keras_record(index):
    case, expected = CASES[index], RECORDED["results"][index]
    layer, output = ours(case)
    assert np.asarray(output).tolist() == expected["output"]
    assert tuple(np.shape(output)) == np.shape(expected["output"])
    assert unnumbered(layer.get_config()) == unnumbered(expected["config"])
    rebuilt = type(layer).from_config(layer.get_config())
    assert np.asarray(call_on_case(rebuilt, case, np)).tolist() == expected["output"]


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                    reason="Keras's Hashing layers need TensorFlow")
def test_live_keras_agrees_with_the_record():
    import keras

    live = run_keras(keras, np)
    assert [r["output"] for r in live] == [r["output"] for r in RECORDED["results"]]


def test_fingerprint_of_the_empty_string_is_farmhash_seed_constant():
    assert fingerprints.fingerprint64(b"") == fingerprints.K2


def test_keras_documentation_examples():
    inputs = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert np.asarray(L.Hashing(num_bins=3)(inputs)).tolist() == [[1], [0], [1], [1], [2]]
    salted = L.Hashing(num_bins=3, salt=[133, 137])(inputs)
    assert np.asarray(salted).tolist() == [[1], [2], [1], [0], [2]]
    crossing = L.HashedCrossing(num_bins=5)
    crossed = crossing((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
    assert np.asarray(crossed).tolist() == [1, 4, 1, 1, 3]


def test_bad_arguments_name_what_was_received():
    with pytest.raises(ValueError, match="num_bins"):
        L.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        L.Hashing(num_bins=3, salt="x")
    with pytest.raises(ValueError, match="output_mode"):
        L.Hashing(num_bins=3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="dtype"):
        L.Hashing(num_bins=3, dtype="float32")
    with pytest.raises(ValueError, match="output_mode"):
        L.HashedCrossing(num_bins=3, output_mode="multi_hot")
    with pytest.raises(ValueError, match="at least two"):
        L.HashedCrossing(num_bins=3)((np.array([1]),))
    with pytest.raises(ValueError, match="equal shape"):
        L.HashedCrossing(num_bins=3)((np.array([1, 2]), np.array([1])))
    with pytest.raises(ValueError, match="integer or string"):
        L.HashedCrossing(num_bins=3)((np.array([1.5]), np.array([1])))


def test_symbolic_call_and_keras_file_round_trip():
    inputs = layerwise.Input(shape=(1,), dtype="string")
    outputs = L.Hashing(num_bins=4, salt=7, output_mode="one_hot")(inputs)
    assert outputs.shape == (None, 4)
    model = layerwise.Model(inputs, outputs)
    data = np.array([["a"], ["b"], ["c"]])
    expected = np.asarray(model.predict(data, verbose=0))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "hashing.keras")
        model.save(path)
        loaded = layerwise.saving.load_model(path)
    np.testing.assert_array_equal(np.asarray(loaded.predict(data, verbose=0)), expected)


def test_model_file_written_by_keras_loads_and_predicts_the_same(tmp_path):
    inputs = [np.array(MODEL_INPUTS[0]), np.array(MODEL_INPUTS[1])]
    expected = RECORDED["model_predictions"]
    loaded = layerwise.saving.load_model(
        str(Path(__file__).parent / "reference" / "hashing_model.keras"))
    np.testing.assert_allclose(loaded.predict(inputs, verbose=0), expected, rtol=1e-6)
    ours = make_model(layerwise, np)
    np.testing.assert_allclose(ours.predict(inputs, verbose=0), expected, rtol=1e-6)
    path = tmp_path / "ours.keras"
    ours.save(str(path))
    np.testing.assert_allclose(layerwise.saving.load_model(str(path)).predict(
        inputs, verbose=0), expected, rtol=1e-6)
