"""load_img / img_to_array / array_to_img / save_img against real Keras (both use Pillow)."""
import numpy as np
import pytest

pytest.importorskip("PIL")

import layerwise
from keras_oracle import keras


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_round_trip_matches_keras(tmp_path, channels):
    pixels = np.random.default_rng(channels).uniform(0, 255, size=(7, 5, channels))
    path = str(tmp_path / "image.png")
    layerwise.utils.save_img(path, pixels)
    keras_path = str(tmp_path / "keras.png")
    keras.utils.save_img(keras_path, pixels)
    mode = {1: "grayscale", 3: "rgb", 4: "rgba"}[channels]
    ours = layerwise.utils.img_to_array(layerwise.utils.load_img(path, color_mode=mode))
    theirs = keras.utils.img_to_array(keras.utils.load_img(keras_path, color_mode=mode))
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == np.float32


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("keep_aspect_ratio", [False, True])
def test_load_with_target_size_matches_keras(tmp_path, interpolation, keep_aspect_ratio):
    pixels = np.random.default_rng(0).integers(0, 256, size=(9, 14, 3)).astype("uint8")
    path = str(tmp_path / "image.png")
    keras.utils.save_img(path, pixels, scale=False)
    arguments = dict(target_size=(4, 6), interpolation=interpolation,
                     keep_aspect_ratio=keep_aspect_ratio)
    ours = layerwise.utils.img_to_array(layerwise.utils.load_img(path, **arguments))
    theirs = keras.utils.img_to_array(keras.utils.load_img(path, **arguments))
    np.testing.assert_array_equal(ours, theirs)


def test_array_to_img_channels_first_and_errors():
    x = np.random.default_rng(1).uniform(size=(3, 4, 5))
    ours = np.asarray(layerwise.utils.array_to_img(x, data_format="channels_first"))
    theirs = np.asarray(keras.utils.array_to_img(x, data_format="channels_first"))
    np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="rank 3"):
        layerwise.utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        layerwise.utils.load_img("x.png", color_mode="cmyk")
