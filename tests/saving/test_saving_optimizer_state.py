"""The optimizer's state survives saving: save -> load -> train gives exactly the weights
of the model that was never saved, for every optimizer."""
import numpy as np
import pytest

import layerwise
from layerwise import optimizers

RNG = np.random.default_rng(1)
X = RNG.normal(size=(12, 3)).astype("float32")
Y = RNG.normal(size=(12, 2)).astype("float32")

OPTIMIZERS = {
    "sgd": lambda: optimizers.SGD(0.05),
    "sgd_momentum": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: optimizers.Adam(0.01),
    "adam_amsgrad": lambda: optimizers.Adam(0.01, amsgrad=True),
    "nadam": lambda: optimizers.Nadam(0.01),
    "rmsprop": lambda: optimizers.RMSprop(0.01),
    "rmsprop_momentum_centered": lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adagrad": lambda: optimizers.Adagrad(0.1),
    "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.1),
    "adamax": lambda: optimizers.Adamax(0.01),
    "adam_schedule": lambda: optimizers.Adam(
        layerwise.optimizers.schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5)),
    "sgd_ema": lambda: optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9),
}


def make_model(optimizer):
    model = layerwise.Sequential([
        layerwise.Input((3,)), layerwise.layers.Dense(4, activation="tanh"),
        layerwise.layers.Dense(2)])
    model.compile(optimizer, "mse")
    return model


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
def test_training_continues_exactly_after_a_load(tmp_path, name, suffix):
    never_saved = make_model(OPTIMIZERS[name]())
    for _ in range(3):
        never_saved.train_on_batch(X, Y)
    path = tmp_path / f"model{suffix}"
    if suffix == ".keras":
        never_saved.save(path)
        restored = layerwise.models.load_model(path)
    else:
        never_saved.save_weights(path)
        restored = make_model(OPTIMIZERS[name]())
        restored.optimizer.build(restored.trainable_variables)
        restored.load_weights(path)
    assert type(restored.optimizer) is type(never_saved.optimizer)
    assert len(restored.optimizer.variables) == len(never_saved.optimizer.variables)
    for saved, loaded in zip(never_saved.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(loaded.numpy(), saved.numpy(), err_msg=saved.path)

    never_saved.train_on_batch(X, Y)
    restored.train_on_batch(X, Y)
    for saved, loaded in zip(never_saved.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(loaded, saved)
    for saved, loaded in zip(never_saved.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(loaded.numpy(), saved.numpy(), err_msg=saved.path)


def test_compile_config_is_restored(tmp_path):
    model = make_model(optimizers.RMSprop(0.02, rho=0.8, momentum=0.1))
    model.compile(optimizers.RMSprop(0.02, rho=0.8, momentum=0.1), "mae",
                  metrics=["mse", layerwise.metrics.RootMeanSquaredError()])
    model.train_on_batch(X, Y)
    model.save(tmp_path / "m.keras")
    loaded = layerwise.models.load_model(tmp_path / "m.keras")
    assert loaded.get_compile_config() == model.get_compile_config()
    assert loaded.evaluate(X, Y, verbose=0) == pytest.approx(model.evaluate(X, Y, verbose=0))
    uncompiled = layerwise.models.load_model(tmp_path / "m.keras", compile=False)
    assert not uncompiled.compiled and uncompiled.get_compile_config() == {}
    np.testing.assert_array_equal(uncompiled.predict(X, verbose=0), model.predict(X, verbose=0))


def test_fit_after_load_matches_fit_without_save(tmp_path):
    def run(save_in_between):
        layerwise.utils.set_random_seed(3)
        model = make_model(optimizers.Adam(0.01))
        model.fit(X, Y, batch_size=4, epochs=1, verbose=0)
        if save_in_between:
            model.save(tmp_path / "fit.keras")
            model = layerwise.models.load_model(tmp_path / "fit.keras")
        np.random.seed(7)
        model.fit(X, Y, batch_size=4, epochs=2, verbose=0)
        return model.get_weights()

    for a, b in zip(run(False), run(True)):
        np.testing.assert_array_equal(a, b)
