"""Keras 2 `.h5` files: whole models and weights-only files, written here byte-layout for
byte-layout as tf.keras 2.x wrote them (weight names with ":0", `batch_input_shape`,
"Model"/"Functional" class names, list-form inbound nodes, slot-major optimizer state)."""
import json

import h5py
import numpy as np
import pytest

import layerwise

RNG = np.random.default_rng(5)
X = RNG.normal(size=(6, 4)).astype("float32")
KERNEL_1 = RNG.normal(size=(4, 8)).astype("float32")
BIAS_1 = RNG.normal(size=(8,)).astype("float32")
KERNEL_2 = RNG.normal(size=(8, 1)).astype("float32")
BIAS_2 = RNG.normal(size=(1,)).astype("float32")


def expected_predictions():
    hidden = np.maximum(X @ KERNEL_1 + BIAS_1, 0.0)
    return 1.0 / (1.0 + np.exp(-(hidden @ KERNEL_2 + BIAS_2)))


def dense_config(name, units, activation, batch_input_shape=None):
    config = {
        "name": name, "trainable": True, "dtype": "float32", "units": units,
        "activation": activation, "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}
    if batch_input_shape is not None:
        config["batch_input_shape"] = batch_input_shape
    return config


SEQUENTIAL_2_X = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                                            "sparse": False, "ragged": False,
                                            "name": "dense_input"}},
    {"class_name": "Dense", "config": dense_config("dense", 8, "relu")},
    {"class_name": "Dropout", "config": {"name": "dropout", "trainable": True,
                                         "dtype": "float32", "rate": 0.5,
                                         "noise_shape": None, "seed": None}},
    {"class_name": "Dense", "config": dense_config("dense_1", 1, "sigmoid")}]}}

# Keras <= 2.2: the Sequential config is the bare list, the first layer carries the shape.
SEQUENTIAL_2_2 = {"class_name": "Sequential", "config": [
    {"class_name": "Dense", "config": {**dense_config("dense_1", 8, "relu", [None, 4]),
                                       "kernel_initializer": {
                                           "class_name": "VarianceScaling",
                                           "config": {"scale": 1.0, "mode": "fan_avg",
                                                      "distribution": "uniform",
                                                      "seed": None}}}},
    {"class_name": "Dense", "config": dense_config("dense_2", 1, "sigmoid")}]}

FUNCTIONAL_2_X = {"class_name": "Model", "config": {"name": "model", "layers": [
    {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
     "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                "ragged": False, "name": "input_1"}},
    {"class_name": "Dense", "name": "hidden", "config": dense_config("hidden", 8, "relu"),
     "inbound_nodes": [[["input_1", 0, 0, {}]]]},
    {"class_name": "Dense", "name": "out", "config": dense_config("out", 1, "sigmoid"),
     "inbound_nodes": [[["hidden", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["out", 0, 0]]}}

TRAINING_CONFIG = {
    "loss": {"class_name": "BinaryCrossentropy", "config": {
        "reduction": "auto", "name": "binary_crossentropy", "from_logits": False,
        "label_smoothing": 0.0, "axis": -1}},
    "metrics": [[{"class_name": "MeanMetricWrapper", "config": {
        "name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"}}]],
    "weighted_metrics": None, "loss_weights": None,
    "optimizer_config": {"class_name": "Adam", "config": {
        "name": "Adam", "learning_rate": 0.005, "decay": 0.0, "beta_1": 0.9,
        "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}


def write_layer(group, layer_name, weights):
    layer_group = group.create_group(layer_name)
    layer_group.attrs["weight_names"] = np.array([name.encode() for name, _ in weights])
    for name, value in weights:
        layer_group.create_dataset(name, data=value)


def write_keras2_weights(group, layer_names):
    """`layer_names`: (saved layer name, weight name prefix or None for no weights)."""
    group.attrs["layer_names"] = np.array([name.encode() for name, _ in layer_names])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.13.1"
    values = iter([(KERNEL_1, BIAS_1), (KERNEL_2, BIAS_2)])
    for name, prefix in layer_names:
        if prefix is None:
            layer_group = group.create_group(name)
            layer_group.attrs["weight_names"] = np.array([], dtype="S1")
            continue
        kernel, bias = next(values)
        write_layer(group, name, [(f"{prefix}/kernel:0", kernel), (f"{prefix}/bias:0", bias)])


def write_keras2_model(path, model_config, layer_names, training_config=TRAINING_CONFIG):
    with h5py.File(path, "w") as h5_file:
        h5_file.attrs["keras_version"] = b"2.13.1"
        h5_file.attrs["backend"] = b"tensorflow"
        h5_file.attrs["model_config"] = json.dumps(model_config).encode()
        if training_config is not None:
            h5_file.attrs["training_config"] = json.dumps(training_config).encode()
        write_keras2_weights(h5_file.create_group("model_weights"), layer_names)
        if training_config is not None:
            # Keras 2 slot-major order: iter, then every m, then every v.
            names = ["Adam/iter:0"] + [f"Adam/{p}/m:0" for p in ("k1", "b1", "k2", "b2")] + \
                [f"Adam/{p}/v:0" for p in ("k1", "b1", "k2", "b2")]
            shapes = [()] + [w.shape for w in (KERNEL_1, BIAS_1, KERNEL_2, BIAS_2)] * 2
            group = h5_file.create_group("optimizer_weights")
            group.attrs["weight_names"] = np.array([n.encode() for n in names])
            for name, shape in zip(names, shapes):
                group.create_dataset(name, data=np.ones(shape, "float32"))


@pytest.mark.parametrize("config, layer_names", [
    (SEQUENTIAL_2_X, [("dense", "dense"), ("dropout", None), ("dense_1", "dense_1")]),
    (SEQUENTIAL_2_2, [("dense_1", "dense_1"), ("dense_2", "dense_2")]),
    (FUNCTIONAL_2_X, [("input_1", None), ("hidden", "hidden"), ("out", "out")]),
], ids=["sequential_2x", "sequential_2_2", "functional_2x"])
def test_keras2_model_file_loads_with_equal_predictions(tmp_path, config, layer_names):
    path = tmp_path / "keras2.h5"
    write_keras2_model(path, config, layer_names)
    with pytest.warns(UserWarning, match="optimizer starts fresh"):
        model = layerwise.models.load_model(path)
    np.testing.assert_allclose(model.predict(X, verbose=0), expected_predictions(),
                               rtol=1e-6, atol=1e-6)
    assert model.compiled
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.005)
    assert model.optimizer.iterations.numpy() == 0
    y = (X[:, :1] > 0).astype("float32")
    logs = model.train_on_batch(X, y, return_dict=True)
    assert set(logs) == {"accuracy", "loss"}


def test_keras2_model_without_training_config_loads_uncompiled(tmp_path):
    path = tmp_path / "plain.h5"
    write_keras2_model(path, FUNCTIONAL_2_X,
                       [("input_1", None), ("hidden", "hidden"), ("out", "out")],
                       training_config=None)
    with pytest.warns(UserWarning, match="not\\* compiled"):
        model = layerwise.models.load_model(path)
    assert not model.compiled
    assert not layerwise.models.load_model(path, compile=False).compiled


def test_keras2_weights_file_loads_by_order_and_by_name(tmp_path):
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as h5_file:
        write_keras2_weights(h5_file, [("first", "first"), ("second", "second")])
    model = layerwise.Sequential([
        layerwise.Input((4,)), layerwise.layers.Dense(8, activation="relu", name="a"),
        layerwise.layers.Dropout(0.1), layerwise.layers.Dense(1, activation="sigmoid",
                                                              name="b")])
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(X, verbose=0), expected_predictions(),
                               rtol=1e-6, atol=1e-6)

    # Names swapped: by order the file fits, by name it does not.
    renamed = layerwise.Sequential([
        layerwise.Input((4,)), layerwise.layers.Dense(8, activation="relu", name="second"),
        layerwise.layers.Dense(1, activation="sigmoid", name="first")])
    before = renamed.get_weights()
    with pytest.raises(ValueError, match="Shape mismatch in layer 'first'.*weights.h5.*"
                                         r"expects shape \(8, 1\).*has shape \(4, 8\)"):
        renamed.load_weights(path, by_name=True)
    for old, now in zip(before, renamed.get_weights()):
        np.testing.assert_array_equal(old, now)
    renamed.load_weights(path)
    np.testing.assert_allclose(renamed.predict(X, verbose=0), expected_predictions(),
                               rtol=1e-6, atol=1e-6)


def test_layer_count_mismatch_is_reported(tmp_path):
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as h5_file:
        write_keras2_weights(h5_file, [("first", "first"), ("second", "second")])
    model = layerwise.Sequential([layerwise.Input((4,)), layerwise.layers.Dense(8)])
    with pytest.raises(ValueError, match="Layer count mismatch.*weights.h5.*model has 1.*file "
                                         "has 2"):
        model.load_weights(path)


def test_keras2_lambda_is_refused_under_safe_mode(tmp_path):
    config = json.loads(json.dumps(SEQUENTIAL_2_X))
    config["config"]["layers"].append({"class_name": "Lambda", "config": {
        "name": "lambda", "trainable": True, "dtype": "float32",
        "function": ["4wEAAAAAAAAA", None, None], "function_type": "lambda",
        "module": "__main__", "output_shape": None, "output_shape_type": "raw",
        "output_shape_module": None, "arguments": {}}})
    path = tmp_path / "lambda.h5"
    write_keras2_model(path, config, [("dense", "dense"), ("dropout", None),
                                      ("dense_1", "dense_1")])
    with pytest.raises(ValueError, match=r"lambda.h5.*layer 'lambda'.*safe_mode=False"):
        layerwise.models.load_model(path)
