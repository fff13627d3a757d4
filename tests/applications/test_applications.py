"""VGG16, ResNet50 and MobileNetV2 against real Keras: layer names, parameter counts, predictions, weight files."""
import numpy as np
import pytest

import keras as real_keras

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

import layerwise as keras
from layerwise.applications import MobileNetV2, ResNet50, VGG16, imagenet_utils, mobilenet_v2
from tests.keras_oracle import copy_weights

ARCHITECTURES = [("VGG16", VGG16), ("ResNet50", ResNet50), ("MobileNetV2", MobileNetV2)]
SMALL = {"weights": None, "include_top": False, "input_shape": (32, 32, 3)}


def layer_names(model):
    # Input layers are named by a per-session counter in both libraries.
    return [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]


def images(batch=2, size=32, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (batch, size, size, 3)).astype("float32")


@pytest.mark.parametrize("name, build", ARCHITECTURES)
@pytest.mark.parametrize("arguments", [
    SMALL, pytest.param({"weights": None, "include_top": True}, marks=pytest.mark.slow)])
def test_layer_names_classes_and_parameter_count_equal_keras(name, build, arguments):
    ours = build(**arguments)
    theirs = getattr(real_keras.applications, name)(**arguments)
    assert layer_names(ours) == layer_names(theirs)
    assert [type(a).__name__ for a in ours.layers] == [type(b).__name__ for b in theirs.layers]
    assert ours.count_params() == theirs.count_params()
    assert ours.name == theirs.name
    assert tuple(ours.outputs[0].shape) == tuple(theirs.output.shape)
    for a, b in zip(ours.weights, theirs.weights):
        assert tuple(a.shape) == tuple(b.shape)


@pytest.mark.parametrize("name, build, pooling", [
    ("VGG16", VGG16, None), ("VGG16", VGG16, "avg"), ("VGG16", VGG16, "max"),
    ("MobileNetV2", MobileNetV2, "avg"),
    # ResNet50's default-run equality check is the weights-file test below (same comparison).
    pytest.param("ResNet50", ResNet50, "avg", marks=pytest.mark.slow),
    pytest.param("ResNet50", ResNet50, None, marks=pytest.mark.slow),
    pytest.param("ResNet50", ResNet50, "max", marks=pytest.mark.slow)])
def test_predictions_equal_keras_with_copied_weights(name, build, pooling):
    arguments = dict(SMALL, pooling=pooling)
    theirs = getattr(real_keras.applications, name)(**arguments)
    ours = build(**arguments)
    copy_weights(theirs, ours)
    x = imagenet_utils.preprocess_input(images())
    expected = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), expected,
                               rtol=1e-4, atol=1e-4 * np.abs(expected).max())


@pytest.mark.parametrize("name, build", [
    ("VGG16", VGG16), ("ResNet50", ResNet50),
    # MobileNetV2's equality with Keras is checked with copied weights above.
    pytest.param("MobileNetV2", MobileNetV2, marks=pytest.mark.slow)])
def test_a_weights_file_saved_by_keras_loads_through_weights_argument(name, build, tmp_path):
    theirs = getattr(real_keras.applications, name)(**SMALL)
    path = str(tmp_path / f"{name}.weights.h5")
    theirs.save_weights(path)
    ours = build(**dict(SMALL, weights=path))
    x = images(seed=1)
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-4, atol=1e-3)


@pytest.mark.slow
def test_resnet50_full_size_classifier_equals_keras():
    theirs = real_keras.applications.ResNet50(weights=None)
    ours = ResNet50(weights=None)
    copy_weights(theirs, ours)
    x = imagenet_utils.preprocess_input(images(batch=2, size=224))
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)),
                               np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)


@pytest.mark.parametrize("arguments, message", [
    ({"weights": "nowhere.h5"}, "The `weights` argument should be either"),
    ({"weights": "imagenet", "classes": 10}, "`classes` should be 1000"),
    ({"weights": None, "include_top": False, "input_shape": (31, 32, 3)},
     "Input size must be at least 32x32"),
])
def test_bad_arguments_raise_keras_messages(arguments, message):
    for build in (VGG16, ResNet50, MobileNetV2):
        with pytest.raises(ValueError, match=message):
            build(**arguments)


def test_imagenet_weights_missing_offline_say_which_file_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    # Nothing listens on the loopback's port 9: the download fails at once, as offline.
    monkeypatch.setenv(imagenet_utils.ORIGIN_VARIABLE, "http://127.0.0.1:9")
    with pytest.raises(FileNotFoundError) as error:
        VGG16(include_top=False, input_shape=(32, 32, 3))
    text = str(error.value)
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in text
    assert str(tmp_path / "models") in text and "https://storage.googleapis.com/" in text


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_equals_keras(mode, data_format):
    from keras.src.applications import imagenet_utils as theirs

    x = images(batch=2, size=4)
    if data_format == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2))
    np.testing.assert_allclose(
        imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode),
        np.asarray(theirs.preprocess_input(x.copy(), data_format=data_format, mode=mode)),
        rtol=1e-6, atol=1e-5)


def test_decode_predictions_reads_the_class_index(tmp_path):
    import json

    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps({str(i): [f"n{i:08d}", f"class{i}"] for i in range(1000)}))
    scores = np.zeros((1, 1000), "float32")
    scores[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    top = imagenet_utils.decode_predictions(scores, top=3, class_index_path=str(path))
    assert [(a, b) for a, b, _ in top[0]] == [("n00000007", "class7"), ("n00000003", "class3"),
                                             ("n00000999", "class999")]
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
        imagenet_utils.decode_predictions(np.zeros((1, 10)))


@pytest.mark.parametrize("arguments", [
    {"weights": None, "include_top": False, "input_shape": (33, 40, 3), "alpha": 0.35},
    pytest.param({"weights": None, "include_top": False, "input_shape": (32, 32, 3),
                  "alpha": 1.4}, marks=pytest.mark.slow),
    pytest.param({"weights": None, "alpha": 0.75, "classes": 10, "input_shape": (32, 32, 3)},
                 marks=pytest.mark.slow),
])
def test_mobilenet_v2_widths_and_odd_sizes_equal_keras(arguments):
    theirs = real_keras.applications.MobileNetV2(**arguments)
    ours = MobileNetV2(**arguments)
    assert layer_names(ours) == layer_names(theirs)
    assert ours.count_params() == theirs.count_params()
    assert ours.name == theirs.name
    assert ours.get_layer("block_1_pad").padding == theirs.get_layer("block_1_pad").padding


def test_mobilenet_v2_imagenet_alphas_and_preprocessing():
    with pytest.raises(ValueError, match="alpha must be one of"):
        MobileNetV2(weights="imagenet", alpha=0.3)
    x = images(batch=1, size=4)
    np.testing.assert_allclose(mobilenet_v2.preprocess_input(x),
                               real_keras.applications.mobilenet_v2.preprocess_input(x.copy()),
                               rtol=1e-6)
    assert mobilenet_v2.make_divisible(32 * 0.35) == 16
    assert mobilenet_v2.make_divisible(1280 * 1.4) == 1792


def test_input_tensor_becomes_the_model_input():
    image = keras.Input((32, 32, 3))
    model = VGG16(weights=None, include_top=False, input_tensor=image, pooling="max")
    assert model.inputs[0] is image
    assert tuple(model.outputs[0].shape) == (None, 512)
    with pytest.raises(ValueError, match="output of an `Input"):
        VGG16(weights=None, include_top=False,
              input_tensor=keras.layers.Dense(3)(keras.Input((32, 32, 3))))
