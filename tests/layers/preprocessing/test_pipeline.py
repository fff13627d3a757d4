"""Pipeline and MaxNumBoundingBoxes behave as Keras's."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras


def _pipeline(library):
    # Named sublayers: automatic names carry counters that differ between libraries.
    return library.layers.Pipeline([
        library.layers.RandomFlip(seed=1, name="flip"),
        library.layers.RandomHue(0.3, seed=2, name="hue"),
        library.layers.Rescaling(1 / 255.0, name="rescale")], name="augment")


def test_pipeline_model_saved_by_us_is_read_by_keras(tmp_path):
    # Not check_layer: Keras 3.15's Pipeline has no compute_output_shape of its own.
    inputs = layerwise.Input((5, 6, 3))
    model = layerwise.Model(inputs, _pipeline(layerwise)(inputs))
    model.save(tmp_path / "pipeline.keras")
    loaded = keras.saving.load_model(tmp_path / "pipeline.keras")
    x = np.random.default_rng(2).uniform(0, 255, (2, 5, 6, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               np.asarray(model.predict(x, verbose=0)), rtol=1e-6)
    assert model.layers[1].compute_output_shape((None, 5, 6, 3)) == (None, 5, 6, 3)


@pytest.mark.parametrize("training", [None, True, False])
def test_pipeline_passes_training_to_its_layers(training):
    x = np.random.default_rng(0).uniform(0, 255, (4, 5, 6, 3)).astype("float32")
    ours, theirs = _pipeline(layerwise), _pipeline(keras)
    np.testing.assert_allclose(np.asarray(ours(x, training=training)),
                               np.asarray(theirs(x, training=training)), rtol=1e-5, atol=1e-6)


def test_pipeline_config_is_read_by_both_libraries():
    theirs = _pipeline(keras)
    ours = layerwise.layers.Pipeline.from_config(theirs.get_config())
    assert [type(layer).__name__ for layer in ours.layers] == ["RandomFlip", "RandomHue",
                                                               "Rescaling"]
    assert ours.get_config() == _pipeline(layerwise).get_config()
    back = keras.layers.Pipeline.from_config(_pipeline(layerwise).get_config())
    assert [layer.name for layer in back.layers] == ["flip", "hue", "rescale"]
    with pytest.raises(ValueError, match="layers"):
        layerwise.layers.Pipeline.from_config({"name": "p"})


def test_pipeline_in_a_model_is_off_in_predict():
    inputs = layerwise.Input((5, 6, 3))
    model = layerwise.Model(inputs, _pipeline(layerwise)(inputs))
    x = np.random.default_rng(1).uniform(0, 255, (2, 5, 6, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), x / 255.0, rtol=1e-6)


def test_max_num_bounding_boxes_contract_on_images():
    check_layer(lambda k: k.layers.MaxNumBoundingBoxes(3), (4, 4, 3), train=False)


def _boxes(count, single=False):
    rng = np.random.default_rng(count)
    boxes = {"boxes": rng.uniform(size=(2, count, 4)).astype("float32"),
             "labels": rng.integers(0, 5, size=(2, count)).astype("float32")}
    images = np.ones((2, 4, 4, 3), "float32")
    if single:
        return {"images": images[0], "bounding_boxes": {k: v[0] for k, v in boxes.items()}}
    return {"images": images, "bounding_boxes": boxes}


@pytest.mark.parametrize("count, single", [(5, False), (2, False), (3, False), (1, True)])
def test_max_num_bounding_boxes_pads_and_truncates_like_keras(count, single):
    data = _boxes(count, single)
    outputs = [library.layers.MaxNumBoundingBoxes(3, fill_value=-2, bounding_box_format="xyxy")(
        {"images": data["images"], "bounding_boxes": dict(data["bounding_boxes"])})
        for library in (layerwise, keras)]
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(np.asarray(outputs[0]["bounding_boxes"][key]),
                                      np.asarray(outputs[1]["bounding_boxes"][key]))
    np.testing.assert_array_equal(np.asarray(outputs[0]["images"]), data["images"])
    shape = {"images": (None, 4, 4, 3), "bounding_boxes": {"boxes": (None, 5, 4),
                                                           "labels": (None, 5)}}
    assert layerwise.layers.MaxNumBoundingBoxes(3).compute_output_shape(shape) == \
        keras.layers.MaxNumBoundingBoxes(3).compute_output_shape(shape)


def test_max_num_bounding_boxes_needs_a_format_and_known_keys():
    data = _boxes(2)
    with pytest.raises(ValueError, match="bounding_box_format"):
        layerwise.layers.MaxNumBoundingBoxes(3)(data)
    data["bounding_boxes"]["scores"] = data["bounding_boxes"]["labels"]
    with pytest.raises(KeyError, match="scores"):
        layerwise.layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")(data)
