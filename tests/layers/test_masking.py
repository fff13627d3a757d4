"""Masks: Embedding(mask_zero=True), Masking, their propagation through the graph and
Sequential, masked pooling, merges, and masked losses and metrics; compared with Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras


def _ids(seed=0, n=12, steps=6, vocabulary=9):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocabulary, size=(n, steps)).astype("int32")
    lengths = rng.integers(1, steps + 1, size=n)
    ids[np.arange(steps)[None, :] >= lengths[:, None]] = 0  # right padding
    return ids


def _twins(make):
    ours, theirs = make(layerwise), make(keras)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def _pooled_sequential(k):
    return k.Sequential([k.Input((6,), dtype="int32"),
                         k.layers.Embedding(9, 4, mask_zero=True),
                         k.layers.Dense(3, activation="tanh"),
                         k.layers.GlobalAveragePooling1D(),
                         k.layers.Dense(1, activation="sigmoid")])


def _pooled_functional(k):
    ids = k.Input((6,), dtype="int32")
    embedded = k.layers.Embedding(9, 4, mask_zero=True)(ids)
    summed = k.layers.Add()([embedded, k.layers.Dense(4)(embedded)])
    return k.Model(ids, k.layers.Dense(1, activation="sigmoid")(
        k.layers.GlobalAveragePooling1D()(summed)))


def _per_step(k):
    ids = k.Input((6,), dtype="int32")
    embedded = k.layers.Embedding(9, 4, mask_zero=True)(ids)
    return k.Model(ids, k.layers.Dense(3, activation="softmax")(
        k.layers.Dropout(0.0)(embedded)))


@pytest.mark.parametrize("make", [_pooled_sequential, _pooled_functional])
def test_masked_average_pooling_predicts_and_trains_as_keras(make):
    ids = _ids()
    y = (np.arange(12) % 2).astype("float32")[:, None]
    results = []
    for model in _twins(make):
        before = model.predict(ids, verbose=0)
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(ids, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
        results.append((before, history.history))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    assert list(results[0][1]) == list(results[1][1])
    for key in results[1][1]:
        np.testing.assert_allclose(results[0][1][key], results[1][1][key], rtol=1e-5, atol=1e-6)


def test_masked_steps_are_left_out_of_the_loss_and_metrics_as_in_keras():
    ids = _ids(seed=3, n=10)
    labels = np.random.default_rng(4).integers(0, 3, size=(10, 6)).astype("float32")
    results = []
    for model in _twins(_per_step):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["sparse_categorical_accuracy"])
        history = model.fit(ids, labels, batch_size=4, epochs=2, verbose=0, shuffle=False)
        results.append((history.history, model.evaluate(ids, labels, verbose=0)))
    for key in results[1][0]:
        np.testing.assert_allclose(results[0][0][key], results[1][0][key], rtol=1e-5,
                                   atol=1e-6, err_msg=key)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)


def test_masking_layer_zeroes_padded_steps_and_masks_the_pooling():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(5, 4, 3)).astype("float32")
    x[:, 2:] = -1.0
    x[0, 1] = -1.0
    outputs = []
    for k in (layerwise, keras):
        inputs = k.Input((4, 3))
        masked = k.layers.Masking(mask_value=-1.0)(inputs)
        model = k.Model(inputs, [masked, k.layers.GlobalAveragePooling1D()(masked)])
        outputs.append(model.predict(x, verbose=0))
    for ours, theirs in zip(*outputs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert layerwise.layers.Masking(mask_value=-1.0).get_config()["mask_value"] == \
        keras.layers.Masking(mask_value=-1.0).get_config()["mask_value"]


def test_supports_masking_flags_match_keras():
    def layers(k):
        return {"Dense": k.layers.Dense(2), "Dropout": k.layers.Dropout(0.1),
                "Activation": k.layers.Activation("relu"), "Add": k.layers.Add(),
                "LayerNormalization": k.layers.LayerNormalization(),
                "GlobalAveragePooling1D": k.layers.GlobalAveragePooling1D(),
                "GlobalMaxPooling1D": k.layers.GlobalMaxPooling1D(),
                "Flatten": k.layers.Flatten(), "Masking": k.layers.Masking(),
                "Concatenate": k.layers.Concatenate(),
                "Embedding": k.layers.Embedding(3, 2),
                "Embedding(mask_zero)": k.layers.Embedding(3, 2, mask_zero=True)}

    ours = {name: layer.supports_masking for name, layer in layers(layerwise).items()}
    theirs = {name: layer.supports_masking for name, layer in layers(keras).items()}
    assert ours == theirs


def test_embedding_compute_mask_matches_keras():
    ids = _ids(seed=7)
    masks = [np.asarray(k.layers.Embedding(9, 2, mask_zero=True).compute_mask(ids))
             for k in (layerwise, keras)]
    np.testing.assert_array_equal(masks[0], masks[1])


def test_concatenated_masks_reach_the_pooling_as_in_keras():
    """Two masked inputs: a step counts where either counts (Keras's rule)."""
    first, second = _ids(seed=9), _ids(seed=10)
    models = []
    for k in (layerwise, keras):
        left, right = k.Input((6,), dtype="int32"), k.Input((6,), dtype="int32")
        joined = k.layers.Concatenate()([
            k.layers.Embedding(9, 3, mask_zero=True, name="left_embedding")(left),
            k.layers.Embedding(9, 2, mask_zero=True, name="right_embedding")(right)])
        models.append(k.Model([left, right], k.layers.GlobalAveragePooling1D()(joined)))
    models[1].set_weights(models[0].get_weights())
    outputs = [model.predict([first, second], verbose=0) for model in models]
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-6)
    embedded = np.concatenate([np.asarray(models[0].get_layer("left_embedding")(first)),
                               np.asarray(models[0].get_layer("right_embedding")(second))], -1)
    counted = ((first != 0) | (second != 0))[..., None]
    np.testing.assert_allclose(outputs[0], (embedded * counted).sum(1) / counted.sum(1),
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(embedded.mean(1), outputs[0])  # the mask changed the mean


def test_masking_layer_contract_matches_keras():
    check_layer(lambda k: k.layers.Masking(mask_value=0.0, name="masking"), (5, 3))
