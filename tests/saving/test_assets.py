"""Objects' `save_assets` / `load_assets` files travel in `.keras` archives under
`assets/<path>/`, both ways with real Keras."""
import os
import zipfile

import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def _vocabulary_layer(base):
    class VocabularyScale(base):
        """Scales inputs by the number of words in a vocabulary kept as an asset."""

        def __init__(self, words=None, **kwargs):
            super().__init__(**kwargs)
            self.words = list(words or [])

        def call(self, inputs):
            return inputs * float(len(self.words))

        def save_assets(self, dir_path):
            with open(os.path.join(dir_path, "vocabulary.txt"), "w") as file:
                file.write("\n".join(self.words))

        def load_assets(self, dir_path):
            with open(os.path.join(dir_path, "vocabulary.txt")) as file:
                self.words = file.read().splitlines()

        def get_config(self):
            return super().get_config()  # the words live in the asset, not the config
    return VocabularyScale


@pytest.fixture
def classes():
    ours = layerwise.saving.register_keras_serializable("assets_test")(
        _vocabulary_layer(layerwise.layers.Layer))
    theirs = keras.saving.register_keras_serializable("assets_test")(
        _vocabulary_layer(keras.layers.Layer))
    return ours, theirs


def _model(library, layer):
    inputs = library.Input((2,))
    return library.Model(inputs, library.layers.Dense(1)(layer(inputs)))


def test_assets_written_by_us_are_read_by_keras_and_back(tmp_path, classes):
    ours_class, _ = classes
    model = _model(layerwise, ours_class(["a", "b", "c"], name="vocab"))
    path = str(tmp_path / "ours.keras")
    model.save(path)
    # Keras names the folder by class, as it names the weights group.
    assert "assets/layers/vocabulary_scale/vocabulary.txt" in zipfile.ZipFile(path).namelist()
    loaded = keras.saving.load_model(path)
    x = np.ones((2, 2), "float32")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               np.asarray(model.predict(x, verbose=0)), rtol=1e-6)
    assert loaded.get_layer("vocab").words == ["a", "b", "c"]
    keras_path = str(tmp_path / "keras.keras")
    loaded.save(keras_path)
    again = layerwise.saving.load_model(keras_path)
    assert again.get_layer("vocab").words == ["a", "b", "c"]
    np.testing.assert_allclose(np.asarray(again.predict(x, verbose=0)),
                               np.asarray(model.predict(x, verbose=0)), rtol=1e-6)
