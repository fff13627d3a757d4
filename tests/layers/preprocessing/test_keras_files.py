"""A Keras-written `.keras` model holding the numeric preprocessing and augmentation layers
(with adapted statistics) loads in layerwise and predicts the same, and back."""

import numpy as np

import layerwise
from keras_oracle import keras


def _image_model(library):
    inputs = library.Input((12, 10, 3))
    x = library.layers.Rescaling(1 / 255.0)(inputs)
    x = library.layers.RandomFlip(seed=1)(x)
    x = library.layers.RandomRotation(0.1, seed=2)(x)
    x = library.layers.RandomZoom(0.1, seed=3)(x)
    x = library.layers.RandomTranslation(0.1, 0.1, seed=4)(x)
    x = library.layers.RandomContrast(0.2, value_range=(0, 1), seed=5)(x)
    x = library.layers.RandomBrightness(0.1, value_range=(0, 1), seed=6)(x)
    x = library.layers.RandomCrop(10, 8, seed=7)(x)
    x = library.layers.Resizing(8, 8)(x)
    x = library.layers.CenterCrop(6, 6)(x)
    x = library.layers.Normalization()(x)
    x = library.layers.Flatten()(x)
    outputs = library.layers.Dense(3)(x)
    return library.Model(inputs, outputs)


def test_keras_file_loads_in_layerwise_and_back(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, size=(6, 12, 10, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    model = _image_model(keras)
    normalization = [l for l in model.layers if isinstance(l, keras.layers.Normalization)][0]
    normalization.adapt(rng.normal(2.0, 3.0, size=(20, 6, 6, 3)).astype("float32"))
    expected = np.asarray(model.predict(images, verbose=0))
    path = str(tmp_path / "keras_images.keras")
    model.save(path)
    ours = layerwise.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(ours.predict(images, verbose=0)), expected,
                               rtol=1e-5, atol=1e-5)
    back = str(tmp_path / "back.keras")
    ours.save(back)
    again = keras.saving.load_model(back)
    np.testing.assert_allclose(np.asarray(again.predict(images, verbose=0)), expected,
                               rtol=1e-5, atol=1e-5)
    assert [type(l).__name__ for l in ours.layers] == [type(l).__name__ for l in model.layers]


def test_category_encoding_and_discretization_in_a_keras_file(tmp_path):
    inputs = keras.Input((4,))
    x = keras.layers.Discretization(bin_boundaries=[-1.0, 0.0, 1.0])(inputs)
    x = keras.layers.CategoryEncoding(4, output_mode="count")(x)
    outputs = keras.layers.Dense(2)(x)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    path = str(tmp_path / "categorical.keras")
    model.save(path)
    ours = layerwise.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)),
                               np.asarray(model.predict(x, verbose=0)), rtol=1e-5, atol=1e-6)
