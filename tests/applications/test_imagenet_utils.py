"""weights="imagenet" through get_file: Keras's file names under a local server standing in
for Keras's bucket, Keras's checksum check, the legacy (Keras 2 layout) .h5 files those
weights come in, the offline message, and the class index for decode_predictions."""
import hashlib
import json

import h5py
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning",
                                        "ignore:`input_shape` is undefined")

from layerwise.applications import imagenet_utils, mobilenet_v3
from tests.applications.application_oracle import images, randomize_normalization
from tests.local_server import serve


def _write_legacy_h5(model, path):
    """The layout of Keras's ImageNet files: `layer_names`, then each layer's `weight_names`."""
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, model)


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def bucket(tmp_path, monkeypatch):
    """A local folder served as the weights bucket; downloads land in a fresh KERAS_HOME."""
    folder = tmp_path / "bucket"
    folder.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    with serve(str(folder)) as url:
        monkeypatch.setenv(imagenet_utils.ORIGIN_VARIABLE, url)
        yield folder, tmp_path / "home" / "models"


def test_imagenet_weights_are_downloaded_checked_and_loaded(bucket, monkeypatch):
    folder, cache = bucket
    arguments = {"include_top": False, "input_shape": (32, 32, 3), "pooling": "avg"}
    theirs = real_keras.applications.MobileNetV3Small(weights=None, **arguments)
    randomize_normalization(theirs, seed=3)
    file_name = "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"
    _write_legacy_h5(theirs, folder / file_name)
    monkeypatch.setitem(mobilenet_v3._HASHES, "small_224_1.0_float",
                        ("unused", _md5(folder / file_name)))

    ours = mobilenet_v3.MobileNetV3Small(weights="imagenet", **arguments)
    assert (cache / file_name).read_bytes() == (folder / file_name).read_bytes()
    x = images(seed=2)
    expected = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), expected, rtol=1e-4,
                               atol=1e-4 * np.abs(expected).max())

    # The second time the cached file is used, even with the server's copy gone.
    (folder / file_name).unlink()
    mobilenet_v3.MobileNetV3Small(weights="imagenet", **arguments)


def test_a_file_that_fails_keras_checksum_is_refused(bucket):
    folder, cache = bucket
    (folder / "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5").write_bytes(b"junk")
    with pytest.raises(ValueError, match="file hash does not match"):
        mobilenet_v3.MobileNetV3Small(weights="imagenet", include_top=False,
                                      input_shape=(32, 32, 3))
    assert not list(cache.glob("*.h5"))


def test_offline_the_error_says_which_file_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    # Port 9 on the loopback: nothing listens, so the download fails at once.
    monkeypatch.setenv(imagenet_utils.ORIGIN_VARIABLE, "http://127.0.0.1:9")
    with pytest.raises(FileNotFoundError) as error:
        mobilenet_v3.MobileNetV3Large(weights="imagenet", include_top=False,
                                      input_shape=(32, 32, 3))
    text = str(error.value)
    assert "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/" \
           "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5" in text
    assert str(tmp_path / "models" / "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5") \
        in text


def test_decode_predictions_fetches_keras_class_index(bucket, monkeypatch):
    folder, cache = bucket
    index = {str(i): [f"n{i:08d}", f"class{i}"] for i in range(1000)}
    (folder / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(imagenet_utils, "_CLASS_INDEX_HASH",
                        _md5(folder / "imagenet_class_index.json"))
    scores = np.random.default_rng(0).uniform(size=(2, 1000)).astype("float32")
    ours = imagenet_utils.decode_predictions(scores, top=3)
    assert (cache / "imagenet_class_index.json").exists()
    best = np.argsort(scores, axis=1)[:, ::-1][:, :3]
    assert [[entry[1] for entry in row] for row in ours] == \
        [[f"class{i}" for i in row] for row in best]
