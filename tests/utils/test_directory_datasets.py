"""image/text_dataset_from_directory: file order and class names as Keras's indexing gives
them (Keras's own `index_directory` runs without TensorFlow), images and labels as
documented."""
import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image

from keras_oracle import keras
from layerwise.utils import image_dataset_from_directory, text_dataset_from_directory
from keras.src.utils import dataset_utils as keras_dataset_utils


@pytest.fixture
def image_folder(tmp_path):
    rng = np.random.default_rng(0)
    for label in ("zebra", "ant", "cat"):
        (tmp_path / label).mkdir()
        for i in (3, 1, 10, 2):
            pixels = rng.integers(0, 256, size=(6 + i, 5, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"img{i}.png")
    (tmp_path / "ant" / "notes.txt").write_text("not an image")
    return tmp_path


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 3), (True, 11)])
def test_file_order_and_class_names_match_keras(image_folder, shuffle, seed):
    dataset = image_dataset_from_directory(str(image_folder), image_size=(4, 4), batch_size=5,
                                           shuffle=shuffle, seed=seed, verbose=False)
    paths, labels, class_names = keras_dataset_utils.index_directory(
        str(image_folder), "inferred", formats=(".png",), shuffle=shuffle, seed=seed)
    assert dataset.class_names == class_names == ["ant", "cat", "zebra"]
    assert dataset.file_paths == paths
    images, found = dataset.as_arrays()
    np.testing.assert_array_equal(found, labels)
    assert images.shape == (12, 4, 4, 3) and images.dtype == np.float32
    assert [b[0].shape[0] for b in dataset] == [5, 5, 2]


def test_images_are_resized_like_keras_resizing(image_folder):
    dataset = image_dataset_from_directory(str(image_folder), image_size=(4, 3), shuffle=False,
                                           label_mode="categorical", verbose=False)
    images, labels = dataset[0]
    raw = np.asarray(Image.open(dataset.file_paths[0]), dtype="float32")
    expected = keras.layers.Resizing(4, 3)(raw[None])[0]
    np.testing.assert_allclose(images[0], np.asarray(expected), rtol=1e-5, atol=1e-3)
    assert labels.shape == (len(images), 3)
    np.testing.assert_array_equal(labels.sum(1), 1)


def test_validation_split_subsets_and_modes(image_folder):
    training, validation = image_dataset_from_directory(
        str(image_folder), image_size=(4, 4), validation_split=0.25, subset="both", seed=1,
        color_mode="grayscale", verbose=False)
    assert len(training.file_paths) == 9 and len(validation.file_paths) == 3
    assert not set(training.file_paths) & set(validation.file_paths)
    assert training[0][0].shape[-1] == 1
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(str(image_folder), validation_split=0.2, subset="training",
                                     verbose=False)
    with pytest.raises(ValueError, match="binary"):
        image_dataset_from_directory(str(image_folder), label_mode="binary", verbose=False)
    unlabeled = image_dataset_from_directory(str(image_folder), labels=None, image_size=(2, 2),
                                             verbose=False)
    assert unlabeled[0].shape == (12, 2, 2, 3)


def test_text_dataset_from_directory(tmp_path):
    for label in ("pos", "neg"):
        (tmp_path / label).mkdir()
        for i in range(3):
            (tmp_path / label / f"{i}.txt").write_text(f"{label} review number {i}")
    dataset = text_dataset_from_directory(str(tmp_path), batch_size=4, shuffle=False,
                                          max_length=10, label_mode="binary", verbose=False)
    assert dataset.class_names == ["neg", "pos"]
    texts, labels = dataset[0]
    assert texts.tolist() == ["neg review", "neg review", "neg review", "pos review"]
    assert labels.tolist() == [[0.0], [0.0], [0.0], [1.0]]
