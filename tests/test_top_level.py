"""Top-level names, InputSpec checks, add_loss, subclassed Loss/Metric trained inside the
compiled epoch, to_categorical's dtype, build configs; compared with Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

NAMES = ["Loss", "Metric", "Optimizer", "Initializer", "Regularizer", "InputSpec", "Layer",
         "Model", "Sequential", "Input", "KerasTensor", "Variable"]


@pytest.mark.parametrize("name", NAMES)
def test_top_level_names_exist_as_in_keras(name):
    assert hasattr(keras, name) and hasattr(layerwise, name)


def test_base_classes_are_the_namespaces_bases():
    assert layerwise.Loss is layerwise.losses.Loss
    assert layerwise.Metric is layerwise.metrics.Metric
    assert layerwise.Optimizer is layerwise.optimizers.Optimizer
    assert layerwise.InputSpec is layerwise.layers.InputSpec
    assert isinstance(layerwise.optimizers.Adam(), layerwise.Optimizer)
    assert isinstance(layerwise.initializers.GlorotUniform(), layerwise.Initializer)
    assert isinstance(layerwise.regularizers.L2(0.1), layerwise.Regularizer)


def test_to_categorical_is_float64_as_keras():
    ours, theirs = (k.utils.to_categorical([0, 2, 1], 3) for k in (layerwise, keras))
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def _spec_layer(k, **spec):
    class Checked(k.layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = k.InputSpec(**spec)

        def call(self, inputs):
            return inputs

    return Checked()


@pytest.mark.parametrize("spec, shape", [
    (dict(ndim=3), (2, 4)), (dict(min_ndim=3), (2, 4)), (dict(max_ndim=2), (2, 4, 1)),
    (dict(axes={-1: 5}), (2, 4)), (dict(shape=(None, 5)), (2, 4)), (dict(ndim=2), (2, 4)),
])
def test_input_spec_checks_and_messages_match_keras(spec, shape):
    x = np.zeros(shape, "float32")
    outcomes = []
    for k in (layerwise, keras):
        layer = _spec_layer(k, **spec)
        try:
            layer(x)
            outcomes.append("ok")
        except ValueError as error:
            outcomes.append(str(error).replace(layer.name, "<layer>"))
    assert outcomes[0] == outcomes[1]


def test_add_loss_trains_inside_the_compiled_epoch_as_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = rng.normal(size=(12, 1)).astype("float32")

    def model(k):
        class ActivityPenalty(k.layers.Layer):
            def call(self, inputs):
                self.add_loss(0.1 * k.ops.sum(inputs ** 2) if hasattr(k, "ops")
                              else 0.1 * (inputs ** 2).sum())
                return inputs

        inputs = k.Input((3,))
        return k.Model(inputs, k.layers.Dense(1)(ActivityPenalty()(k.layers.Dense(2)(inputs))))

    ours, theirs = model(layerwise), model(keras)
    theirs.set_weights(ours.get_weights())
    histories = []
    for m in (ours, theirs):
        m.compile(optimizer="sgd", loss="mse")
        histories.append(m.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False).history)
        m(x)  # an eager call: model.losses holds its added loss
        assert len(m.losses) == 1
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(ours.losses[0]), np.asarray(theirs.losses[0]),
                               rtol=1e-5)


def test_add_loss_outside_a_call_is_rejected_as_in_keras():
    for k in (layerwise, keras):
        with pytest.raises(ValueError, match="add_loss"):
            k.layers.Dense(2).add_loss(1.0)


def test_subclassed_loss_and_metric_train_inside_the_compiled_epoch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = rng.normal(size=(12, 1)).astype("float32")

    def parts(k):
        class ScaledError(k.Loss):
            def call(self, y_true, y_pred):
                return 2.0 * (y_true - y_pred) ** 2

        class MeanAbsolute(k.Metric):
            def __init__(self, name="mean_absolute", **kwargs):
                super().__init__(name=name, **kwargs)
                self.total = self.add_variable(shape=(), initializer="zeros", name="total")
                self.count = self.add_variable(shape=(), initializer="zeros", name="count")

            def update_state(self, y_true, y_pred, sample_weight=None):
                error = abs(y_true - y_pred)
                self.total.assign(self.total + error.sum())
                self.count.assign(self.count + error.size)

            def result(self):
                return self.total / self.count

            def reset_state(self):
                self.total.assign(0.0)
                self.count.assign(0.0)

        model = k.Sequential([k.Input((3,)), k.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=ScaledError(), metrics=[MeanAbsolute()])
        return model

    ours, theirs = parts(layerwise), parts(keras)
    theirs.set_weights(ours.get_weights())
    histories = [m.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False).history
                 for m in (ours, theirs)]
    assert sorted(histories[0]) == sorted(histories[1])
    for key in histories[1]:
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-5, err_msg=key)


def test_count_params_and_build_config_round_trip_as_keras():
    results = []
    for k in (layerwise, keras):
        layer = k.layers.Dense(3)
        layer.build((None, 4))
        config = layer.get_build_config()
        rebuilt = k.layers.Dense(3)
        rebuilt.build_from_config(config)
        # Keras holds the shape as a tuple, we as a list; both save it as a JSON list.
        config = {key: list(value) for key, value in config.items()}
        results.append((layer.count_params(), config, rebuilt.built,
                        [tuple(w.shape) for w in rebuilt.weights]))
    assert results[0] == results[1]


def test_layer_dtype_path_output_spec_and_add_variable_as_keras():
    described = []
    for k in (layerwise, keras):
        holder = k.layers.Layer(name="holder")
        extra = holder.add_variable((2,), "zeros", name="extra")
        layer = k.layers.Dense(2, name="probe")
        layer.build((None, 3))
        spec = layer.compute_output_spec(k.KerasTensor((None, 3)))
        inputs = k.Input((3,))
        model = k.Model(inputs, k.layers.Dense(1, name="head")(inputs))
        described.append((layer.path, layer.compute_dtype, layer.variable_dtype, extra.path,
                          tuple(spec.shape), model.output_names, len(layer.weights)))
    assert described[0] == described[1]
