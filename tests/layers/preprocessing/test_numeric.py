"""Numeric preprocessing layers against real Keras: outputs, configs, adapted statistics and
`.keras` files both ways."""
import os
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import layerwise
from keras_oracle import check_layer, keras

LAYERS = {
    "rescaling": (lambda k: k.layers.Rescaling(1 / 255.0, offset=-0.5), (5, 3)),
    "resizing-up": (lambda k: k.layers.Resizing(7, 9), (5, 6, 3)),
    "resizing-down": (lambda k: k.layers.Resizing(3, 2), (8, 6, 2)),
    "resizing-nearest": (lambda k: k.layers.Resizing(4, 5, interpolation="nearest"), (8, 6, 2)),
    "resizing-bicubic": (lambda k: k.layers.Resizing(4, 5, interpolation="bicubic"), (8, 6, 2)),
    "resizing-crop": (lambda k: k.layers.Resizing(4, 4, crop_to_aspect_ratio=True), (8, 5, 2)),
    "resizing-pad": (lambda k: k.layers.Resizing(4, 4, pad_to_aspect_ratio=True), (8, 5, 2)),
    "resizing-pad-wide": (lambda k: k.layers.Resizing(3, 6, pad_to_aspect_ratio=True,
                                                      fill_value=2.0), (8, 5, 2)),
    "resizing-first": (lambda k: k.layers.Resizing(4, 3, data_format="channels_first"),
                       (2, 8, 6)),
    "center-crop": (lambda k: k.layers.CenterCrop(3, 4), (7, 8, 2)),
    "center-crop-small": (lambda k: k.layers.CenterCrop(6, 4), (4, 5, 2)),
    "center-crop-first": (lambda k: k.layers.CenterCrop(3, 2, data_format="channels_first"),
                          (2, 7, 6)),
    "normalization-given": (lambda k: k.layers.Normalization(mean=[1.0, 2.0, 3.0],
                                                              variance=[4.0, 9.0, 0.5]), (3,)),
    "normalization-given-inverse": (
        lambda k: k.layers.Normalization(mean=2.0, variance=3.0, invert=True), (3,)),
    "discretization": (lambda k: k.layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.7]),
                       (5,)),
    "discretization-one-hot": (
        lambda k: k.layers.Discretization(bin_boundaries=[-0.5, 0.7], output_mode="one_hot"),
        (1,)),
    "discretization-multi-hot": (
        lambda k: k.layers.Discretization(bin_boundaries=[-0.5, 0.7], output_mode="multi_hot"),
        (5,)),
    "discretization-count": (
        lambda k: k.layers.Discretization(bin_boundaries=[0.0], output_mode="count"), (5,)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_contract_matches_keras(name):
    make, shape = LAYERS[name]
    check_layer(make, shape, train=False)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_matches_keras(mode):
    ids = np.array([[0, 1, 1, 3], [3, 3, 2, 0]], "int32")
    weights = np.array([[0.5, 1.0, 2.0, 1.0], [1.0, 1.0, 3.0, 0.25]], "float32")
    ours = layerwise.layers.CategoryEncoding(5, output_mode=mode)
    theirs = keras.layers.CategoryEncoding(5, output_mode=mode)
    for x in (ids, ids[0], ids[:, :1]):
        np.testing.assert_array_equal(np.asarray(ours(x)), np.asarray(theirs(x)))
        assert tuple(ours.compute_output_shape(x.shape)) == tuple(
            theirs.compute_output_shape(x.shape))
    if mode == "count":
        np.testing.assert_allclose(np.asarray(ours(ids, count_weights=weights)),
                                   np.asarray(theirs(ids, count_weights=weights)))
    assert ours.get_config().keys() == theirs.get_config().keys()


@pytest.mark.parametrize("axis", [-1, (1, 2), None, 1])
def test_normalization_adapt_matches_keras(axis):
    data = np.random.default_rng(3).normal(2.0, 3.0, size=(40, 3, 2)).astype("float32")
    ours, theirs = layerwise.layers.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
    ours.adapt(data)
    theirs.adapt(data)
    for a, b in zip(ours.weights, theirs.weights):
        assert a.name == b.name
        np.testing.assert_allclose(np.asarray(a.value), np.asarray(b.value), rtol=1e-6,
                                   atol=1e-6)
    x = data[:5]
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)


def test_normalization_adapts_to_an_iterable_of_batches():
    data = np.random.default_rng(4).normal(size=(30, 4)).astype("float32")
    whole, streamed = layerwise.layers.Normalization(), layerwise.layers.Normalization()
    whole.adapt(data)
    streamed.adapt(iter([(data[:10], None), (data[10:25], None), (data[25:], None)]))
    np.testing.assert_allclose(np.asarray(streamed.mean.value), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(streamed.variance.value), data.var(0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(whole.variance.value), data.var(0), rtol=1e-5)


@pytest.mark.parametrize("num_bins, epsilon, sizes", [(4, 0.01, (100,)), (5, 0.01, (1000,)),
                                                     (3, 0.1, (40, 25, 60)),
                                                     (6, 0.05, (7, 300))])
def test_discretization_adapt_matches_keras(num_bins, epsilon, sizes):
    rng = np.random.default_rng(num_bins)
    batches = [rng.normal(size=size).astype("float32") for size in sizes]
    ours = layerwise.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    ours.adapt(batches[0] if len(batches) == 1 else iter(batches))
    # Keras's adapt needs TensorFlow only to recognise tf.data; its sketch is numpy.
    theirs = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs.reset_state()
    for batch in batches:
        theirs.update_state(batch)
    theirs.finalize_state()
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6,
                               atol=1e-6)
    x = np.concatenate(batches)[:20]
    np.testing.assert_array_equal(np.asarray(ours(x)), np.asarray(theirs(x)))


def test_normalization_mlp_trained_and_loaded_by_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(50.0, 10.0, size=(64, 3)).astype("float32")
    y = (x @ np.array([0.1, -0.2, 0.05], "float32"))[:, None]
    layerwise.utils.set_random_seed(0)
    norm = layerwise.layers.Normalization()
    norm.adapt(x)
    model = layerwise.Sequential([layerwise.Input((3,)), norm,
                                  layerwise.layers.Dense(8, activation="relu"),
                                  layerwise.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "tabular.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                                   np.asarray(model.predict(x, verbose=0)), rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_allclose(np.asarray(loaded.layers[0].mean).ravel(),
                                   np.asarray(norm.mean.value))
        # And back: Keras's file read by us.
        loaded.save(os.path.join(folder, "back.keras"))
        again = layerwise.saving.load_model(os.path.join(folder, "back.keras"))
        np.testing.assert_allclose(np.asarray(again.predict(x, verbose=0)),
                                   np.asarray(model.predict(x, verbose=0)), rtol=1e-5,
                                   atol=1e-5)


def test_bad_arguments_name_layer_and_argument():
    with pytest.raises(ValueError, match="interpolation"):
        layerwise.layers.Resizing(2, 2, interpolation="cubicle")
    with pytest.raises(ValueError, match="num_bins"):
        layerwise.layers.Discretization()
    with pytest.raises(ValueError, match="variance"):
        layerwise.layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="height"):
        layerwise.layers.CenterCrop(0, 2)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9),
       st.booleans())
def test_center_crop_and_resizing_shapes_and_values_match_keras(height, width, target_height,
                                                                target_width, crop):
    x = np.random.default_rng(height * 10 + width).normal(size=(2, height, width, 2))
    x = x.astype("float32")
    for make in (lambda k: k.layers.CenterCrop(target_height, target_width),
                 lambda k: k.layers.Resizing(target_height, target_width,
                                             crop_to_aspect_ratio=crop)):
        ours, theirs = make(layerwise), make(keras)
        out = np.asarray(ours(x))
        assert out.shape == ours.compute_output_shape(x.shape) == (2, target_height,
                                                                   target_width, 2)
        np.testing.assert_allclose(out, np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
