"""StringLookup, IntegerLookup and TextVectorization.

Keras 3.15 needs TensorFlow for these layers (not installed), so the expected values are
the examples in Keras's own documentation of each layer, plus hand-computed tf-idf."""
import math
import os
import tempfile

import numpy as np
import pytest

import layerwise
from keras_oracle import keras

L = layerwise.layers


def as_list(x):
    return np.asarray(x).tolist()


def test_string_lookup_adapt_orders_by_frequency_then_token_descending():
    data = [["a", "c", "d"], ["d", "z", "b"]]
    layer = L.StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert as_list(layer(data)) == [[5, 3, 1], [1, 2, 4]]
    assert layer.vocabulary_size() == 6


@pytest.mark.parametrize("mode, expected", [
    ("one_hot", None),
    ("multi_hot", [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ("count", [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
])
def test_string_lookup_output_modes_match_keras_documentation(mode, expected):
    vocab = ["a", "b", "c", "d"]
    layer = L.StringLookup(vocabulary=vocab, output_mode=mode)
    if mode == "one_hot":
        out = layer(["a", "b", "c", "d", "z"])
        assert as_list(out) == [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0],
                                [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]]
        return
    out = layer([["a", "c", "d", "d"], ["d", "z", "b", "z"]])
    assert as_list(out) == expected


def test_string_lookup_tf_idf_given_weights():
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    layer = L.StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(["a", "b", "c", "d"], idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(np.asarray(layer(data)),
                               [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    layer = L.StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(["[UNK]", "a", "b", "c", "d"],
                         idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(np.asarray(layer(data)),
                               [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)


def test_string_lookup_invert_and_mask():
    vocab = ["a", "b", "c", "d"]
    ids = L.StringLookup(vocabulary=vocab)([["a", "c", "d"], ["d", "z", "b"]])
    inverted = L.StringLookup(vocabulary=vocab, invert=True)(ids)
    assert as_list(inverted) == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    masked = L.StringLookup(vocabulary=vocab, mask_token="[MASK]")
    assert masked.get_vocabulary() == ["[MASK]", "[UNK]", "a", "b", "c", "d"]
    assert as_list(masked([["a", "[MASK]", "z"]])) == [[2, 0, 1]]


def test_integer_lookup_matches_keras_documentation():
    layer = L.IntegerLookup()
    layer.adapt([[12, 1138, 42], [42, 1000, 36]])
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    layer = L.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    assert as_list(layer([[12, 1138, 42], [42, 1000, 36]])) == [[1, 3, 4], [4, 0, 2]]
    counted = L.IntegerLookup(vocabulary=[12, 36, 1138, 42], output_mode="count")
    assert as_list(counted([[12, 1138, 42, 42], [42, 7, 36, 7]])) == [[0, 1, 0, 1, 2],
                                                                      [2, 0, 1, 0, 1]]


def test_lookup_rejects_bad_vocabularies_and_arguments():
    with pytest.raises(ValueError, match="repeated"):
        L.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="reserved OOV"):
        L.StringLookup(vocabulary=["a", "[UNK]"])
    with pytest.raises(ValueError, match="output_mode"):
        L.StringLookup(output_mode="bag")
    with pytest.raises(ValueError, match="invert"):
        L.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match="out-of-vocabulary"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])


def test_text_vectorization_matches_keras_documentation():
    layer = L.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert as_list(layer([["foo qux bar"], ["qux baz"]])) == [[4, 1, 3, 0], [1, 2, 0, 0]]
    given = L.TextVectorization(output_sequence_length=4,
                                vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]


def test_text_vectorization_standardize_split_ngrams_and_padding():
    layer = L.TextVectorization(ngrams=2)
    layer.adapt(["The cat, the HAT!", "a cat"])
    vocabulary = layer.get_vocabulary()
    # the: 2, cat: 2, "the cat": 1, ... (counts desc, then token desc)
    assert vocabulary[:4] == ["", "[UNK]", "the", "cat"]
    assert set(vocabulary[4:]) == {"the hat", "the cat", "hat", "cat the", "a cat", "a"}
    out = np.asarray(layer(["the cat", "hat"]))
    assert out.shape == (2, 3)  # padded to the longest row: "the", "cat", "the cat"
    assert out[1].tolist()[1:] == [0, 0]
    chars = L.TextVectorization(split="character", standardize=None)
    chars.adapt(["abba"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a"]
    assert as_list(chars(["ab", "c"])) == [[3, 2], [1, 0]]
    truncated = L.TextVectorization(output_sequence_length=2, vocabulary=["x", "y"])
    assert as_list(truncated(["x y x y"])) == [[2, 3]]


def test_text_vectorization_tf_idf_weights():
    docs = ["the cat sat", "the dog sat down", "cat cat"]
    layer = L.TextVectorization(output_mode="tf_idf", max_tokens=4)
    layer.adapt(docs)
    # counts: cat 3, the 2, sat 2 ("the" > "sat" by the descending-token tie-break)
    assert layer.get_vocabulary() == ["[UNK]", "cat", "the", "sat"]
    idf = {t: math.log(1 + 3 / (1 + df)) for t, df in (("cat", 2), ("the", 2), ("sat", 2))}
    unknown = np.mean(list(idf.values()))
    out = np.asarray(layer(["cat cat dog the bird"]))
    np.testing.assert_allclose(out[0], [2 * unknown, 2 * idf["cat"], idf["the"], 0],
                               rtol=1e-6)
    padded = L.TextVectorization(output_mode="multi_hot", max_tokens=6, pad_to_max_tokens=True)
    padded.adapt(docs)
    assert np.asarray(padded(["cat"])).shape == (1, 6)


def test_config_round_trip_and_vocabulary_assets():
    layer = L.TextVectorization(output_mode="tf_idf", ngrams=(1, 2))
    layer.adapt(["the cat sat", "the dog sat down"])
    config = layer.get_config()
    assert sorted(config) == sorted([
        "name", "trainable", "dtype", "max_tokens", "standardize", "split", "ngrams",
        "output_mode", "output_sequence_length", "pad_to_max_tokens", "sparse", "ragged",
        "vocabulary", "idf_weights", "encoding", "vocabulary_size"])
    rebuilt = L.TextVectorization.from_config(config)
    store = {}
    layer.save_own_variables(store)
    with tempfile.TemporaryDirectory() as folder:
        layer.save_assets(folder)
        with open(os.path.join(folder, "vocabulary.txt")) as file:
            assert file.read().splitlines() == layer.get_vocabulary()
        rebuilt.load_own_variables(store)
        rebuilt.load_assets(folder)
    assert rebuilt.get_vocabulary() == layer.get_vocabulary()
    x = ["the dog sat", "a cat"]
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(layer(x)))


def test_text_model_trained_by_fit_and_loaded_by_keras():
    texts = np.array(["good great fine", "bad awful poor", "great good", "poor bad",
                      "fine good", "awful bad bad", "great", "awful"] * 4)
    labels = np.array([1, 0, 1, 0, 1, 0, 1, 0] * 4, "float32")[:, None]
    vectorizer = L.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorizer.adapt(texts)
    ids = np.asarray(vectorizer(texts))
    layerwise.utils.set_random_seed(1)
    model = layerwise.Sequential([
        layerwise.Input((4,), dtype="int32"), L.Embedding(20, 8),
        L.GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, labels, epochs=30, batch_size=8, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "text.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded.predict(ids, verbose=0)),
                               np.asarray(model.predict(ids, verbose=0)), rtol=1e-5, atol=1e-6)


def test_host_layers_take_symbolic_inputs_at_the_front_of_a_model():
    inputs = layerwise.Input((1,), dtype="string")
    for layer, width in ((L.StringLookup(vocabulary=["a"]), 1),
                         (L.TextVectorization(vocabulary=["a"], output_sequence_length=3), 3)):
        assert layer(inputs).shape == (None, width)
