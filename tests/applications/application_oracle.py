"""Checks every application test shares: the same architecture as real Keras's (layer names
and types, weight shapes, parameter count, output shape) and, with Keras's weights copied
in, the same predictions."""
import re

import numpy as np

from layerwise.engine.naming import to_snake_case
from tests.keras_oracle import copy_weights


def layer_names(model):
    """Layer names, without the Input and without the counter Keras appends to automatic
    names ("add_7" -> "add"): both libraries count per session, so those differ by test order."""
    return [re.sub(r"_\d+$", "", layer.name) if layer.name.startswith(
        to_snake_case(type(layer).__name__)) else layer.name
        for layer in model.layers if type(layer).__name__ != "InputLayer"]


def images(batch=2, size=32, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (batch, size, size, 3)).astype("float32")


def assert_same_architecture(ours, theirs):
    assert layer_names(ours) == layer_names(theirs)
    assert [type(a).__name__ for a in ours.layers] == [type(b).__name__ for b in theirs.layers]
    assert ours.count_params() == theirs.count_params()
    assert ours.name == theirs.name
    assert tuple(ours.outputs[0].shape) == tuple(theirs.output.shape)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]


def randomize_normalization(model, seed=0, spread=0.5):
    """Batch-normalization statistics and scales, and layer scales, drawn at random: at their
    initial values (0 and 1, or 1e-6) they would hide mistakes around them. `spread` bounds
    how far scales move from 1 (a very deep network amplifies float32 rounding otherwise)."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        leaf = weight.path.rsplit("/", 1)[-1]
        shape = tuple(weight.shape)
        if leaf in ("gamma", "moving_variance"):
            weight.assign(rng.uniform(1 - spread, 1 + spread, shape).astype("float32"))
        elif leaf in ("beta", "moving_mean"):
            weight.assign(rng.normal(0.0, 0.4 * spread, shape).astype("float32"))
        elif leaf == "variable":
            weight.assign(rng.uniform(0.1, 1.0, shape).astype("float32"))


def assert_same_predictions(ours, theirs, x, rtol=1e-4, spread=0.5):
    """Keras's weights (normalization randomized) copied into ours; both predict `x` alike
    (1e-4 of the output scale)."""
    randomize_normalization(theirs, spread=spread)
    copy_weights(theirs, ours)
    expected = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), expected,
                               rtol=rtol, atol=rtol * max(np.abs(expected).max(), 1e-12))


def assert_keras_files_load(build, arguments, theirs, x, folder):
    """Keras's weights saved as `.weights.h5` and in the legacy layout of the ImageNet files
    (`.h5`) both load through `weights=` and predict as Keras does."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    expected = np.asarray(theirs.predict(x, verbose=0))
    legacy_path, keras3_path = str(folder / "legacy.h5"), str(folder / "keras.weights.h5")
    with h5py.File(legacy_path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, theirs)
    theirs.save_weights(keras3_path)
    for path in (legacy_path, keras3_path):
        ours = build(**dict(arguments, weights=path))
        np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), expected,
                                   rtol=1e-4, atol=1e-4 * max(np.abs(expected).max(), 1e-12))
