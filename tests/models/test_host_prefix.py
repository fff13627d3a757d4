"""Raw strings into fit / evaluate / predict: the host layers at a model's front run on
the data first, the rest compiled.

Keras 3.15 on JAX cannot run these models at all (StringLookup, TextVectorization and
Hashing raise ImportError without TensorFlow), so the check is an equivalence: the model
fed raw strings trains exactly as the same device layers fed the host layers' outputs."""
import os
import tempfile

import numpy as np
import pytest

import layerwise

L = layerwise.layers
TEXTS = np.array(["the cat sat", "a dog ran far", "the dog sat", "cats and dogs",
                  "far away", "the end", "a cat", "run dog run"] * 4)
LABELS = np.array([1, 0, 1, 0, 0, 1, 1, 0] * 4, "float32")


def text_model(vectorizer):
    inputs = layerwise.Input(shape=(1,), dtype="string")
    ids = vectorizer(inputs)
    hidden = L.Embedding(30, 4)(ids)
    pooled = L.GlobalAveragePooling1D()(hidden)
    outputs = L.Dense(1, activation="sigmoid")(pooled)
    return layerwise.Model(inputs, outputs)


def device_model():
    inputs = layerwise.Input(shape=(5,), dtype="int32")
    hidden = L.Embedding(30, 4)(inputs)
    pooled = L.GlobalAveragePooling1D()(hidden)
    return layerwise.Model(inputs, L.Dense(1, activation="sigmoid")(pooled))


def test_text_model_trains_on_raw_strings_like_the_device_part_on_ids():
    layerwise.utils.set_random_seed(0)
    vectorizer = L.TextVectorization(max_tokens=30, output_sequence_length=5)
    vectorizer.adapt(TEXTS)
    model = text_model(vectorizer)
    plain = device_model()
    plain.set_weights(model.get_weights())
    ids = np.asarray(vectorizer(TEXTS[:, None]))
    for each in (model, plain):
        each.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(TEXTS[:, None], LABELS, batch_size=8, epochs=3, shuffle=False,
                        verbose=0, validation_data=(TEXTS[:8, None], LABELS[:8]))
    expected = plain.fit(ids, LABELS, batch_size=8, epochs=3, shuffle=False, verbose=0,
                         validation_data=(ids[:8], LABELS[:8]))
    for key in expected.history:
        np.testing.assert_allclose(history.history[key], expected.history[key], rtol=1e-6)
    np.testing.assert_allclose(model.predict(TEXTS[:, None], verbose=0),
                               plain.predict(ids, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model(TEXTS[:5, None]), plain(ids[:5]), rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(TEXTS[:, None], LABELS, verbose=0),
                               plain.evaluate(ids, LABELS, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.train_on_batch(TEXTS[:8, None], LABELS[:8]),
                               plain.train_on_batch(ids[:8], LABELS[:8]), rtol=1e-6)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "text.keras")
        model.save(path)
        loaded = layerwise.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(TEXTS[:, None], verbose=0),
                               model.predict(TEXTS[:, None], verbose=0), rtol=1e-6)


def test_mixed_inputs_hashing_and_lookup_in_a_dict_model():
    layerwise.utils.set_random_seed(1)
    word = layerwise.Input(shape=(1,), dtype="string", name="word")
    number = layerwise.Input(shape=(2,), name="number")
    hashed = L.Hashing(num_bins=8, output_mode="one_hot")(word)
    looked_up = L.StringLookup(vocabulary=["cat", "dog"], output_mode="one_hot")(word)
    merged = L.Concatenate()([hashed, looked_up, number])
    model = layerwise.Model({"word": word, "number": number}, L.Dense(1)(merged))
    model.compile(optimizer="sgd", loss="mse")
    words = np.array([["cat"], ["dog"], ["eel"], ["cat"]])
    numbers = np.arange(8, dtype="float32").reshape(4, 2)
    history = model.fit({"word": words, "number": numbers}, np.ones(4), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    features = np.concatenate([np.asarray(L.Hashing(num_bins=8, output_mode="one_hot")(words)),
                               np.asarray(L.StringLookup(vocabulary=["cat", "dog"],
                                                         output_mode="one_hot")(words)),
                               numbers], axis=1)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.predict({"word": words, "number": numbers}, verbose=0),
                               features @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_sequential_with_a_lookup_first():
    layerwise.utils.set_random_seed(2)
    model = layerwise.Sequential([layerwise.Input(shape=(1,), dtype="string"),
                                  L.StringLookup(vocabulary=["a", "b", "c"],
                                                 output_mode="multi_hot"),
                                  L.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    data = np.array([["a"], ["c"], ["z"]])
    model.fit(data, np.zeros((3, 2)), verbose=0)
    np.testing.assert_allclose(model(data), model.predict(data, verbose=0), rtol=1e-6)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.predict(data, verbose=0),
                               np.array([[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]) @ kernel
                               + bias, rtol=1e-6, atol=1e-6)


def test_a_host_layer_after_a_compiled_one_is_refused():
    inputs = layerwise.Input(shape=(1,))
    hidden = L.Dense(1)(inputs)
    model = layerwise.Model(inputs, L.Hashing(num_bins=3)(hidden))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="trainable weights"):
        model.predict(np.ones((2, 1)), verbose=0)


def test_a_model_on_intermediate_tensors_gets_inputs_in_their_place():
    from keras_oracle import keras

    models = {}
    for library in (keras, layerwise):
        a = library.Input((3,), name="a")
        hidden = library.layers.Dense(4, name="d1")(a)
        output = library.layers.Dense(2, name="d2")(hidden)
        models[library] = (library.Model(hidden, output), library.Model(a, output))
    ours, theirs = models[layerwise][0], models[keras][0]
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in theirs.layers]
    assert ours.layers[0].name.endswith("CLONE") and ours.input_shape == (None, 4)
    assert len(ours.layers[1]._inbound_nodes) == len(theirs.layers[1]._inbound_nodes) == 2
    # The cut model shares the layer, and so the weights, of the full one.
    full = models[layerwise][1]
    x = np.ones((2, 3), "float32")
    hidden = np.asarray(full.layers[1](x))
    np.testing.assert_allclose(ours.predict(hidden, verbose=0), full.predict(x, verbose=0),
                               rtol=1e-6)
    rebuilt = layerwise.Model.from_config(ours.get_config())
    assert rebuilt.input_shape == (None, 4)


def test_datasets_and_generators_of_raw_strings_are_mapped_batch_by_batch():
    layerwise.utils.set_random_seed(3)
    vectorizer = L.TextVectorization(max_tokens=30, output_sequence_length=5)
    vectorizer.adapt(TEXTS)
    texts = TEXTS.astype(object)  # as text_dataset_from_directory gives them
    model = text_model(vectorizer)
    reference = text_model(vectorizer)
    reference.set_weights(model.get_weights())
    for each in (model, reference):
        each.compile(optimizer="sgd", loss="binary_crossentropy")
    dataset = layerwise.utils.ArrayDataset((texts, LABELS), batch_size=8)
    history = model.fit(dataset, epochs=2, verbose=0, validation_data=dataset)
    expected = reference.fit(texts[:, None], LABELS, batch_size=8, epochs=2, shuffle=False,
                             verbose=0, validation_data=(texts[:, None], LABELS))
    for key in expected.history:
        np.testing.assert_allclose(history.history[key], expected.history[key], rtol=1e-5)
    batches = ((texts[i:i + 8], LABELS[i:i + 8]) for i in range(0, len(texts), 8))
    np.testing.assert_allclose(model.evaluate(batches, verbose=0),
                               model.evaluate(texts[:, None], LABELS, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(model.predict(layerwise.utils.ArrayDataset(texts, batch_size=8),
                                             verbose=0),
                               model.predict(texts[:, None], verbose=0), rtol=1e-5)
