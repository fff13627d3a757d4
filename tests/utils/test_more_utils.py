"""Config, Progbar, get_source_inputs, the logging switches, standardize_dtype,
audio_dataset_from_directory and the `preprocessing` namespace, against Keras 3.15."""
import io
import wave

import numpy as np
import pytest

import layerwise
from keras_oracle import keras
from keras.src.utils import dataset_utils as keras_dataset_utils


def test_utils_names_match_keras():
    for name in ("Config", "Progbar", "get_source_inputs", "disable_interactive_logging",
                 "enable_interactive_logging", "is_interactive_logging_enabled",
                 "standardize_dtype", "audio_dataset_from_directory"):
        assert callable(getattr(layerwise.utils, name)), name


def test_config_behaves_like_keras():
    for library in (keras, layerwise):
        config = library.utils.Config(a=1, b={"x": 2})
        config.c = 3
        config["d"] = 4
        assert (config.a, config["b"], config.c, config.d) == (1, {"x": 2}, 3, 4)
        assert repr(config) == "<Config {'a': 1, 'b': {'x': 2}, 'c': 3, 'd': 4}>"
        assert list(config) == ["a", "b", "c", "d"] and len(config) == 4 and "a" in config
        assert config.pop("d") == 4 and config.get("d", 9) == 9
        config.update(e=5)
        assert config.to_json() == '{"a": 1, "b": {"x": 2}, "c": 3, "e": 5}'
        assert config.as_dict() == {"a": 1, "b": {"x": 2}, "c": 3, "e": 5}
        config.freeze()
        assert config.frozen
        for change in (lambda: setattr(config, "a", 2), lambda: config.__setitem__("a", 2),
                       lambda: config.update(a=2), lambda: config.pop("a")):
            with pytest.raises(ValueError, match="frozen"):
                change()
        with pytest.raises(AttributeError, match="Unknown attribute: 'zz'"):
            config.zz
        config.unfreeze()
        config.a = 7
        assert config.a == 7


def test_standardize_dtype_matches_keras():
    for dtype in (np.float64, int, float, bool, "bfloat16", None, "int", np.dtype("int8"),
                  "string", str, "uint8"):
        assert layerwise.utils.standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype)
    for bad in ("foo", "str", 3):
        with pytest.raises(ValueError, match="Invalid dtype"):
            layerwise.utils.standardize_dtype(bad)


def test_get_source_inputs_matches_keras():
    for library in (keras, layerwise):
        a, b = library.Input((2,)), library.Input((2,))
        merged = library.layers.Add()([library.layers.Dense(2)(b), a])
        out = library.layers.Dense(1)(library.layers.Concatenate()([merged, b]))
        sources = library.utils.get_source_inputs(out)
        assert [s is b for s in sources] == [True, False]
        assert [s is a for s in sources] == [False, True]
        assert library.utils.get_source_inputs(a)[0] is a


def test_interactive_logging_switches():
    assert layerwise.utils.is_interactive_logging_enabled()
    stream = io.StringIO()
    layerwise.utils.disable_interactive_logging()
    try:
        assert not layerwise.utils.is_interactive_logging_enabled()
        layerwise.utils.Progbar(2, verbose=2, stream=stream).update(2, [("loss", 1.0)])
    finally:
        layerwise.utils.enable_interactive_logging()
    assert stream.getvalue() == ""
    layerwise.utils.Progbar(2, verbose=2, stream=stream).update(2, [("loss", 1.0)])
    assert stream.getvalue().startswith("2/2 - ")


def test_progbar_signature_and_averages_match_keras(capsys):
    import inspect

    ours = inspect.signature(layerwise.utils.Progbar).parameters
    theirs = inspect.signature(keras.utils.Progbar).parameters
    assert list(ours)[:len(theirs)] == list(theirs)
    assert all(ours[name].default == theirs[name].default for name in theirs)
    lines = []
    for library in (keras, layerwise):
        bar = library.utils.Progbar(4, verbose=2, stateful_metrics=["acc"])
        bar.update(1, [("loss", 1.0), ("acc", 0.5)])
        bar.add(2, [("loss", 4.0), ("acc", 0.7)])
        bar.update(4, [("loss", 2.0), ("acc", 0.9)], finalize=False)
        bar.update(4, [("loss", 9.0), ("acc", 0.9)])
        lines.append(capsys.readouterr().out.strip())
    # Finalizing resets an averaged value to the last one given, in both.
    metrics = [line.split(" - ")[-2:] for line in lines]
    assert metrics[0] == metrics[1] == ["loss: 9.0000", "acc: 0.9000"]
    values = {}
    for library in (keras, layerwise):
        bar = library.utils.Progbar(10, verbose=0)
        bar.update(1, [("loss", 1.0)])
        bar.update(3, [("loss", 4.0)])
        bar.update(10, [("loss", 2.0)], finalize=False)
        values[library] = bar._values["loss"] if library is keras else bar._sums["loss"]
    assert list(values[keras]) == list(values[layerwise])  # (1 + 2 * 4 + 7 * 2, 10)


def write_wav(path, frames):
    with wave.open(str(path), "wb") as file:
        file.setnchannels(frames.shape[1])
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(frames.astype("<i2").tobytes())


@pytest.fixture
def wav_folder(tmp_path):
    rng = np.random.default_rng(0)
    clips = {}
    for label, lengths in (("b", (7, 3, 4)), ("a", (5, 9))):
        (tmp_path / label).mkdir()
        for i, length in enumerate(lengths):
            frames = rng.integers(-32768, 32767, size=(length, 2))
            write_wav(tmp_path / label / f"clip{i}.wav", frames)
            clips[f"{label}/clip{i}.wav"] = frames
    (tmp_path / "a" / "notes.txt").write_text("not audio")
    return tmp_path, clips


def test_audio_dataset_batches_pad_per_batch_and_order_as_keras(wav_folder):
    folder, clips = wav_folder
    dataset = layerwise.utils.audio_dataset_from_directory(
        str(folder), batch_size=2, shuffle=True, seed=4, verbose=False)
    paths, labels, names = keras_dataset_utils.index_directory(
        str(folder), "inferred", formats=(".wav",), shuffle=True, seed=4, verbose=False)
    assert dataset.file_paths == paths and dataset.class_names == names == ["a", "b"]
    seen = []
    for x, y in dataset:
        longest = max(len(clips[p[len(str(folder)) + 1:]]) for p in
                      paths[len(seen):len(seen) + len(y)])
        assert x.shape == (len(y), longest, 2) and x.dtype == np.float32
        for row, path in zip(x, paths[len(seen):len(seen) + len(y)]):
            # TensorFlow's decode_wav: 16-bit samples over 32768, zeros past the clip.
            frames = clips[path[len(str(folder)) + 1:]]
            np.testing.assert_array_equal(row[:len(frames)], frames / 32768.0)
            assert not row[len(frames):].any()
        seen.extend(y.tolist())
    assert seen == list(labels)


def test_audio_dataset_fixed_length_and_label_modes(wav_folder):
    folder, clips = wav_folder
    training, validation = layerwise.utils.audio_dataset_from_directory(
        str(folder), batch_size=None, output_sequence_length=6, label_mode="categorical",
        shuffle=False, validation_split=0.4, subset="both", verbose=False)
    assert len(training) == 3 and len(validation) == 2
    x, y = training[0]
    assert x.shape == (6, 2) and y.tolist() == [1.0, 0.0]
    np.testing.assert_array_equal(x[:5], clips["a/clip0.wav"] / 32768.0)
    for bad in ({"ragged": True}, {"sampling_rate": 8000}, {"label_mode": "sparse"}):
        with pytest.raises(ValueError):
            layerwise.utils.audio_dataset_from_directory(str(folder), verbose=False, **bad)


def test_preprocessing_namespace_matches_keras():
    for module in ("", ".image", ".sequence"):
        theirs = eval(f"keras.preprocessing{module}")
        ours = eval(f"layerwise.preprocessing{module}")
        names = [n for n in dir(theirs) if not n.startswith("_")]
        assert all(hasattr(ours, name) for name in names), module
    assert layerwise.preprocessing.sequence.pad_sequences is layerwise.utils.pad_sequences


@pytest.mark.parametrize("shape, size", [((10, 6, 3), (4, 4)), ((2, 7, 9, 1), (5, 3)),
                                         ((5, 5, 2), (5, 5))])
def test_smart_resize_matches_keras(shape, size):
    image = np.random.default_rng(0).uniform(0, 255, size=shape).astype("float32")
    np.testing.assert_allclose(layerwise.preprocessing.image.smart_resize(image, size),
                               np.asarray(keras.preprocessing.image.smart_resize(image, size)),
                               rtol=1e-5, atol=1e-4)
    first = np.moveaxis(image, -1, -3)
    np.testing.assert_allclose(
        layerwise.preprocessing.image.smart_resize(first, size, data_format="channels_first"),
        np.asarray(keras.preprocessing.image.smart_resize(first, size,
                                                          data_format="channels_first")),
        rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("path", [
    "utils.audio_dataset_from_directory", "utils.FeatureSpace", "utils.FeatureSpace.float",
    "utils.FeatureSpace.float_rescaled", "utils.FeatureSpace.float_normalized",
    "utils.FeatureSpace.float_discretized", "utils.FeatureSpace.integer_categorical",
    "utils.FeatureSpace.string_categorical", "utils.FeatureSpace.string_hashed",
    "utils.FeatureSpace.integer_hashed", "utils.FeatureSpace.cross",
    "utils.FeatureSpace.adapt", "utils.Progbar.update", "utils.Progbar.add",
    "layers.Hashing", "layers.HashedCrossing", "preprocessing.image.smart_resize"])
def test_signatures_match_keras(path):
    import functools
    import inspect

    ours = functools.reduce(getattr, path.split("."), layerwise)
    theirs = functools.reduce(getattr, path.split("."), keras)
    our_parameters = {name: p for name, p in inspect.signature(ours).parameters.items()
                      if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    their_parameters = {name: p for name, p in inspect.signature(theirs).parameters.items()
                        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    assert list(our_parameters)[:len(their_parameters)] == list(their_parameters)
    for name, parameter in their_parameters.items():
        assert our_parameters[name].default == parameter.default, name


@pytest.mark.skipif(__import__("importlib").util.find_spec("tensorflow") is not None,
                    reason="documents Keras on JAX without TensorFlow")
def test_keras_on_jax_needs_tensorflow_where_layerwise_does_not():
    with pytest.raises(ImportError, match="TensorFlow"):
        keras.layers.Hashing(num_bins=3)
    with pytest.raises(ImportError, match="[Tt]ensor[Ff]low"):
        keras.utils.FeatureSpace(features={"a": "float"}).adapt({"a": np.ones(2)})
    assert np.asarray(layerwise.layers.Hashing(num_bins=3)([["A"]])).tolist() == [[1]]
