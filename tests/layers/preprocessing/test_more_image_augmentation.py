"""The colour, mixing and warping augmentation layers give Keras-JAX's images for the
same seed, in and out of training, and keep Keras's configs."""
import jax
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras

LAYERS = {
    "auto-contrast": (lambda k: k.layers.AutoContrast(), (5, 4, 3)),
    "auto-contrast-range-first": (
        lambda k: k.layers.AutoContrast(value_range=(0, 300), data_format="channels_first"),
        (3, 5, 4)),
    "equalization": (lambda k: k.layers.Equalization(), (5, 4, 3)),
    "equalization-bins-first": (
        lambda k: k.layers.Equalization(value_range=(0, 300), bins=16,
                                        data_format="channels_first"), (3, 5, 4)),
    "hue": (lambda k: k.layers.RandomHue(0.4, seed=3), (5, 4, 3)),
    "hue-range-first": (lambda k: k.layers.RandomHue((0.2, 0.6), data_format="channels_first",
                                                     seed=3), (3, 5, 4)),
    "saturation": (lambda k: k.layers.RandomSaturation(0.4, seed=3), (5, 4, 3)),
    "sharpness": (lambda k: k.layers.RandomSharpness(0.6, seed=3), (5, 4, 3)),
    "sharpness-first": (lambda k: k.layers.RandomSharpness(
        0.6, seed=3, data_format="channels_first"), (3, 5, 4)),
    "gaussian-blur": (lambda k: k.layers.RandomGaussianBlur(
        0.7, kernel_size=(3, 5), sigma=(0.3, 0.9), seed=3), (5, 6, 3)),
    "color-jitter": (lambda k: k.layers.RandomColorJitter(
        brightness_factor=0.2, contrast_factor=0.3, saturation_factor=0.4, hue_factor=0.3,
        seed=3), (5, 4, 3)),
    "color-jitter-hue": (lambda k: k.layers.RandomColorJitter(hue_factor=0.5, seed=4),
                         (5, 4, 3)),
    "mix-up": (lambda k: k.layers.MixUp(seed=3), (5, 4, 3)),
    "mix-up-alpha": (lambda k: k.layers.MixUp(alpha=0.5, seed=3), (5, 4, 3)),
    "cut-mix": (lambda k: k.layers.CutMix(seed=3), (5, 6, 3)),
    "cut-mix-first": (lambda k: k.layers.CutMix((0.2, 0.7), seed=3,
                                                data_format="channels_first"), (3, 5, 6)),
    "erasing": (lambda k: k.layers.RandomErasing(seed=3), (5, 6, 3)),
    "erasing-fill-first": (lambda k: k.layers.RandomErasing(
        0.7, scale=(0.1, 0.5), fill_value=3.0, seed=3, data_format="channels_first"),
        (3, 5, 6)),
    "perspective": (lambda k: k.layers.RandomPerspective(seed=3), (5, 6, 3)),
    "perspective-nearest-first": (lambda k: k.layers.RandomPerspective(
        0.6, scale=0.4, interpolation="nearest", fill_value=2.0, seed=3,
        data_format="channels_first"), (3, 5, 6)),
    "elastic": (lambda k: k.layers.RandomElasticTransform(seed=3), (12, 10, 3)),
    "elastic-constant-first": (lambda k: k.layers.RandomElasticTransform(
        0.8, scale=(0.3, 0.9), fill_mode="constant", seed=3, data_format="channels_first"),
        (3, 12, 10)),
}


def _plain(config):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()
            if k != "name"}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_training_draws_equal_keras(name):
    make, shape = LAYERS[name]
    x = np.random.default_rng(0).uniform(0, 255, size=(4,) + shape).astype("float32")
    ours, theirs = make(layerwise), make(keras)
    for _ in range(3):  # the generator advances between calls, as Keras's does
        np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                                   np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(np.asarray(ours(x[0])), np.asarray(theirs(x[0])),
                               rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(np.asarray(ours(x, training=False)),
                               np.asarray(theirs(x, training=False)), rtol=1e-6)
    # Some Keras layers draw (and discard) even at inference: the next draws still agree.
    np.testing.assert_allclose(np.asarray(ours(x, training=True)),
                               np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-4)
    assert _plain(ours.get_config()) == _plain(theirs.get_config())


# The elastic transform needs a concrete draw, so it cannot be traced into a model; Keras
# 3.15's Equalization returns its input tensor as its symbolic output, so a functional
# model holding it is a cycle there (ours builds: see the test below).
@pytest.mark.parametrize("name", sorted(n for n in LAYERS
                                        if not n.startswith(("elastic", "equalization"))))
def test_contract_matches_keras(name):
    make, shape = LAYERS[name]
    check_layer(make, shape, train=False)


@pytest.mark.parametrize("make", [lambda k: k.layers.MixUp(seed=2),
                                  lambda k: k.layers.CutMix(0.5, seed=2)])
def test_mixing_layers_mix_labels_like_keras(make):
    rng = np.random.default_rng(0)
    data = {"images": rng.uniform(0, 255, (4, 5, 6, 3)).astype("float32"),
            "labels": np.eye(3, dtype="float32")[[0, 1, 2, 1]]}
    ours, theirs = make(layerwise), make(keras)
    for training in (True, False, True):
        for single in (False, True):
            given = {key: value[0] for key, value in data.items()} if single else data
            a, b = ours(dict(given), training=training), theirs(dict(given), training=training)
            for key in ("images", "labels"):
                np.testing.assert_allclose(np.asarray(a[key]), np.asarray(b[key]),
                                           rtol=1e-5, atol=1e-5)
    mixed = np.asarray(ours(dict(data))["labels"])
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="bounding_boxes"):
        ours({"images": data["images"], "bounding_boxes": {}})


def test_layers_drawing_at_inference_leave_no_tracer_in_a_compiled_model():
    model = layerwise.Sequential([
        layerwise.Input((4, 4, 3)), layerwise.layers.RandomHue(0.2, seed=1),
        layerwise.layers.MixUp(seed=2), layerwise.layers.Flatten(), layerwise.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).uniform(0, 255, (8, 4, 4, 3)).astype("float32")
    model.fit(x, np.zeros((8, 1), "float32"), epochs=2, batch_size=4, verbose=0)
    assert model.predict(x, verbose=0).shape == (8, 1)
    assert not isinstance(model.layers[0].generator.state.value, jax.core.Tracer)


def test_auto_contrast_applies_at_inference_and_equalization_does_not():
    x = np.random.default_rng(1).uniform(10, 100, size=(2, 4, 4, 3)).astype("float32")
    assert np.asarray(layerwise.layers.AutoContrast()(x, training=False)).max() == 255.0
    np.testing.assert_array_equal(
        np.asarray(layerwise.layers.Equalization()(x, training=False)), x)


def test_equalization_in_a_model_equalizes_in_fit_only():
    inputs = layerwise.Input((4, 4, 1))
    model = layerwise.Model(inputs, layerwise.layers.Equalization()(inputs))
    x = np.random.default_rng(2).uniform(0, 50, size=(2, 4, 4, 1)).astype("float32")
    np.testing.assert_array_equal(np.asarray(model.predict(x, verbose=0)), x)
    expected = np.asarray(keras.layers.Equalization()(x, training=True))
    np.testing.assert_allclose(np.asarray(model(x, training=True)), expected, rtol=1e-6)


def test_flat_channel_is_left_unchanged_by_auto_contrast():
    x = np.full((1, 3, 3, 1), 7.0, "float32")
    np.testing.assert_array_equal(np.asarray(layerwise.layers.AutoContrast()(x)), x)


def test_erasing_fills_with_a_colour_per_channel():
    # Keras 3.15 fails on a list fill_value (jnp.full_like of a tracked list); ours fills.
    layer = layerwise.layers.RandomErasing((1.0, 1.0), scale=(0.5, 0.5), fill_value=[1.0, 2.0, 3.0],
                                           seed=1)
    output = np.asarray(layer(np.full((2, 8, 8, 3), 100.0, "float32")))
    erased = output[output[..., 0] != 100.0]
    assert erased.size and np.all(erased == [1.0, 2.0, 3.0])


def test_elastic_transform_refuses_a_compiled_step_by_name():
    model = layerwise.Sequential([layerwise.Input((8, 8, 1)),
                                  layerwise.layers.RandomElasticTransform(seed=1),
                                  layerwise.layers.Flatten(), layerwise.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 8, 8, 1), "float32"), np.zeros((4, 1), "float32")
    with pytest.raises(ValueError, match="RandomElasticTransform"):
        model.fit(x, y, verbose=0)
    # Keras 3.15 fails in both cases; an eager fit works here.
    model.compile("sgd", "mse", run_eagerly=True)
    assert np.isfinite(model.fit(x, y, verbose=0).history["loss"][0])


@pytest.mark.parametrize("make, match", [
    (lambda: layerwise.layers.RandomGaussianBlur(kernel_size=4), "kernel_size"),
    (lambda: layerwise.layers.RandomHue(1.5), "factor"),
    (lambda: layerwise.layers.RandomPerspective(scale=2.0), "scale"),
    (lambda: layerwise.layers.RandomPerspective(interpolation="bicubic"), "interpolation"),
    (lambda: layerwise.layers.RandomErasing(fill_value=[1.0, 2.0]), "fill_value"),
    (lambda: layerwise.layers.AutoContrast(value_range=5), "value_range"),
])
def test_bad_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.slow
def test_fit_with_colour_and_mixing_layers_matches_keras():
    def build(library):
        library.utils.set_random_seed(3)
        return library.Sequential([
            library.Input((6, 5, 3)), library.layers.RandomColorJitter(
                value_range=(0, 1), brightness_factor=0.1, saturation_factor=0.3, seed=1),
            library.layers.RandomSharpness(0.5, value_range=(0, 1), seed=2),
            library.layers.MixUp(seed=4), library.layers.RandomErasing(0.5, value_range=(0, 1),
                                                                       seed=5),
            library.layers.Flatten(), library.layers.Dense(1)])
    x = np.random.default_rng(0).uniform(size=(16, 6, 5, 3)).astype("float32")
    y = np.random.default_rng(1).normal(size=(16, 1)).astype("float32")
    ours, theirs = build(layerwise), build(keras)
    theirs.set_weights(ours.get_weights())
    losses = []
    for model, library in ((ours, layerwise), (theirs, keras)):
        model.compile(library.optimizers.SGD(0.01), "mse")
        losses.append(model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
                                verbose=0).history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
