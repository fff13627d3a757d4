"""Mixed-policy configs and `.keras` files move both ways between layerwise and Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

X = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def _model(k, optimizer):
    """Per-layer policies, a policy object, a config dict and the global default."""
    inputs = k.Input((4,), name="features")  # an automatic name depends on earlier tests
    hidden = k.layers.Dense(8, activation="relu", dtype="mixed_float16", name="hidden")(inputs)
    normalized = k.layers.LayerNormalization(
        dtype=k.DTypePolicy("mixed_float16"), name="norm")(hidden)
    other = k.layers.Dense(4, dtype={"module": "keras", "class_name": "DTypePolicy",
                                     "config": {"name": "mixed_bfloat16"},
                                     "registered_name": None}, name="other")(normalized)
    outputs = k.layers.Dense(1, activation="sigmoid", name="out")(other)
    model = k.Model(inputs, outputs)
    model.compile(optimizer(k), "binary_crossentropy")
    return model


def _loss_scaled_adam(k):
    return k.optimizers.LossScaleOptimizer(k.optimizers.Adam(0.01), initial_scale=2.0**10,
                                           dynamic_growth_steps=2)


def _policies(model):
    return {layer.name: (layer.dtype_policy.name, layer.compute_dtype, layer.variable_dtype)
            for layer in model.layers}


def _assert_same_state(loaded, original):
    assert _policies(loaded) == _policies(original)
    for a, b in zip(loaded.get_weights(), original.get_weights()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert [np.asarray(v).tolist() for v in loaded.optimizer.variables] == [
        np.asarray(v).tolist() for v in original.optimizer.variables]
    assert type(loaded.optimizer).__name__ == "LossScaleOptimizer"
    np.testing.assert_allclose(np.asarray(loaded.predict(X, verbose=0), "float32"),
                               np.asarray(original.predict(X, verbose=0), "float32"),
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize("writer, reader", [(keras, layerwise), (layerwise, keras)])
def test_keras_files_with_mixed_policies_round_trip(tmp_path, writer, reader):
    model = _model(writer, _loss_scaled_adam)
    for _ in range(3):
        model.train_on_batch(X, Y)
    path = tmp_path / "mixed.keras"
    model.save(path)
    loaded = reader.saving.load_model(path)
    _assert_same_state(loaded, model)
    # And back again, into the library that wrote it.
    again = tmp_path / "again.keras"
    loaded.save(again)
    _assert_same_state(writer.saving.load_model(again), model)


def test_configs_are_keras_configs():
    ours, theirs = (_model(k, _loss_scaled_adam) for k in (layerwise, keras))
    for layer_name in ("hidden", "norm", "other", "out"):
        assert ours.get_layer(layer_name).get_config()["dtype"] == \
            theirs.get_layer(layer_name).get_config()["dtype"]
    rebuilt = keras.Model.from_config(ours.get_config())
    assert _policies(rebuilt) == _policies(theirs)
    ours_again = layerwise.Model.from_config(theirs.get_config())
    assert _policies(ours_again) == _policies(theirs)


def test_float16_weights_save_and_load():
    """A float16 policy (not mixed) keeps float16 weights, in files too."""
    model = layerwise.Sequential([layerwise.Input((4,)),
                                  layerwise.layers.Dense(2, dtype="float16")])
    assert [str(w.dtype) for w in model.weights] == ["float16", "float16"]
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, dtype="float16")])
    theirs.set_weights(model.get_weights())
    np.testing.assert_allclose(np.asarray(model(X), "float32"), np.asarray(theirs(X), "float32"),
                               atol=1e-3)
    assert str(model(X).dtype) == "float16"
