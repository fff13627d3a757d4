"""`gaussian_blur` and `elastic_transform` beyond the op table: seed generators, the
global data format, half precision, and bad arguments (the table covers the rest)."""
from __future__ import annotations

import numpy as np
import pytest

import layerwise
from keras_oracle import keras

RNG = np.random.default_rng(0)


def test_elastic_transform_follows_a_seed_generator_as_keras():
    images = RNG.uniform(size=(2, 8, 9, 3)).astype("float32")
    theirs, ours = keras.random.SeedGenerator(4), layerwise.random.SeedGenerator(4)
    results = []
    for _ in range(2):
        expected = keras.ops.image.elastic_transform(images, 3.0, 1.0, seed=theirs)
        got = layerwise.ops.image.elastic_transform(images, 3.0, 1.0, seed=ours)
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected), atol=1e-5)
        results.append(np.asarray(got))
    assert not np.allclose(results[0], results[1])  # the generator advanced


def test_elastic_transform_of_an_integer_seed_repeats():
    images = RNG.uniform(size=(1, 8, 9, 2)).astype("float32")
    first = layerwise.ops.image.elastic_transform(images, seed=5)
    np.testing.assert_array_equal(np.asarray(first),
                                  np.asarray(layerwise.ops.image.elastic_transform(images, seed=5)))


def test_an_impulse_blurs_along_one_row_by_default_as_keras():
    impulse = np.zeros((1, 5, 5, 3), "float32")
    impulse[0, 2, 2, :] = 1
    got = np.asarray(layerwise.ops.image.gaussian_blur(impulse))
    np.testing.assert_allclose(got, np.asarray(keras.ops.image.gaussian_blur(impulse)),
                               atol=1e-6)
    assert np.count_nonzero(got.sum(axis=(2, 3))) == 1
    explicit = np.asarray(layerwise.ops.image.gaussian_blur(impulse,
                                                            data_format="channels_last"))
    assert np.count_nonzero(explicit.sum(axis=(2, 3))) == 3


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_as_keras(dtype):
    images = RNG.uniform(size=(2, 6, 7, 3)).astype("float32")
    for name, kwargs in [("gaussian_blur", {}), ("elastic_transform", {"seed": 2,
                                                                         "sigma": 1.0})]:
        expected = getattr(keras.ops.image, name)(keras.ops.cast(images, dtype), **kwargs)
        got = getattr(layerwise.ops.image, name)(layerwise.ops.cast(images, dtype), **kwargs)
        assert str(got.dtype) == str(expected.dtype) == dtype
        np.testing.assert_allclose(np.asarray(got, "float32"),
                                   np.asarray(expected, "float32"), atol=1e-2)


def test_elastic_transform_reads_the_global_data_format():
    images = RNG.uniform(size=(2, 3, 8, 9)).astype("float32")
    keras.config.set_image_data_format("channels_first")
    layerwise.backend.set_image_data_format("channels_first")
    try:
        expected = keras.ops.image.elastic_transform(images, sigma=1.0, seed=6)
        got = layerwise.ops.image.elastic_transform(images, sigma=1.0, seed=6)
    finally:
        keras.config.set_image_data_format("channels_last")
        layerwise.backend.set_image_data_format("channels_last")
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), atol=1e-5)


@pytest.mark.parametrize("call, match", [
    (lambda x: layerwise.ops.image.elastic_transform(x, interpolation="bicubic"),
     "interpolation"),
    (lambda x: layerwise.ops.image.elastic_transform(x, fill_mode="edge"), "fill_mode"),
    (lambda x: layerwise.ops.image.elastic_transform(x[0, 0]), "images"),
    (lambda x: layerwise.ops.image.gaussian_blur(x[0, 0]), "images"),
    (lambda x: layerwise.ops.image.gaussian_blur(x, kernel_size=(0, 3)), "kernel_size"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call(np.ones((1, 4, 4, 2), "float32"))
