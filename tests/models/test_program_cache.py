"""Compiled epochs shared by models of the same structure, in one process and across processes."""
import json
import os
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

import layerwise as keras
from layerwise.models.cache import program_cache
from layerwise.models.steps import StepFunctions


class TraceCounter:
    """Counts JAX traces of the functions named, through JAX's monitoring events."""

    def __init__(self, *names: str):
        self.names = names
        self.count = 0
        jax.monitoring.register_event_duration_secs_listener(self._on_event)

    def _on_event(self, event: str, duration: float, **details) -> None:
        if event == "/jax/core/compile/jaxpr_trace_duration" and \
                details.get("fun_name") in self.names:
            self.count += 1


def moons(n=200):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    return x, y


def seed_model(seed=0, units=4, activation="tanh", rate=0.0, optimizer=None,
               loss="binary_crossentropy", metrics=("accuracy",)):
    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Dense(units, input_shape=(2,), activation=activation)]
    if rate:
        layers.append(keras.layers.Dropout(rate))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer or keras.optimizers.Adam(0.01), loss=loss,
                  metrics=list(metrics))
    return model


def fingerprint(model, x, y):
    return model._step_functions(x, y, "fit").fingerprint()


def test_a_second_model_of_the_same_structure_traces_nothing_and_gets_the_same_numbers(
        monkeypatch):
    x, y = moons()
    first = seed_model(seed=1, rate=0.25)
    first.fit(x, y, epochs=2, batch_size=32, verbose=0)
    counter = TraceCounter("_train_epoch")
    second = seed_model(seed=2, rate=0.25)  # new names, new weights, same structure
    history = second.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert counter.count == 0
    # The same seed on the plain jit path (no program cache) gives the same numbers.
    monkeypatch.setattr(StepFunctions, "fingerprint", lambda self: None)
    reference = seed_model(seed=2, rate=0.25)
    expected = reference.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert counter.count == 1
    assert history.history == expected.history
    for ours, theirs in zip(second.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_every_part_of_the_set_up_changes_the_key():
    x, y = moons(64)
    variants = {
        "base": seed_model(),
        "units": seed_model(units=5),
        "activation": seed_model(activation="relu"),
        "dropout": seed_model(rate=0.2),
        "dropout rate": seed_model(rate=0.3),
        "learning rate schedule": seed_model(optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9))),
        "beta_1": seed_model(optimizer=keras.optimizers.Adam(0.01, beta_1=0.8)),
        "optimizer": seed_model(optimizer=keras.optimizers.Nadam(0.01)),
        "loss": seed_model(loss="mse"),
        "loss options": seed_model(loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1)),
        "metrics": seed_model(metrics=()),
        "metric": seed_model(metrics=("mae",)),
    }
    weighted = seed_model(metrics=())
    weighted.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                     weighted_metrics=["accuracy"])
    variants["weighted metrics"] = weighted
    frozen = seed_model()
    frozen.layers[0].trainable = False
    variants["trainable"] = frozen
    regularized = seed_model()
    regularized.layers[0].kernel_regularizer = keras.regularizers.L2(0.1)
    variants["regularizer"] = regularized
    keys = {name: fingerprint(model, x, y) for name, model in variants.items()}
    assert all(key is not None for key in keys.values()), keys
    assert len(set(keys.values())) == len(keys)
    # Renamed copies of a stack share their key; so do fits that differ only in a constant
    # learning rate, which is an optimizer variable, an argument of the program.
    assert fingerprint(seed_model(seed=7), x, y) == keys["base"]
    assert fingerprint(seed_model(optimizer=keras.optimizers.Adam(0.02)), x, y) == keys["base"]


def test_backend_epsilon_is_part_of_the_key():
    x, y = moons(64)
    before = fingerprint(seed_model(), x, y)
    saved = keras.backend.epsilon()
    keras.backend.set_epsilon(1e-4)
    try:
        after = fingerprint(seed_model(), x, y)
    finally:
        keras.backend.set_epsilon(saved)
    assert before != after


class Doubling(keras.layers.Layer):
    def call(self, inputs):
        return inputs * 2.0


def my_activation(value):
    return jax.numpy.tanh(value)


def my_loss(y_true, y_pred):
    return jax.numpy.mean(jax.numpy.square(y_true.reshape(y_pred.shape) - y_pred), axis=-1)


def _with_lambda():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda t: t * 2.0),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    return model


def _with_custom_layer():
    model = keras.Sequential([keras.Input((2,)), Doubling(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    return model


def _with_custom_activation():
    return seed_model(activation=my_activation)


def _with_custom_loss():
    return seed_model(loss=my_loss)


def _with_custom_metric():
    return seed_model(metrics=(my_loss,))


def _with_an_array_attribute():
    model = seed_model()
    model.layers[0].offset = np.ones(4, np.float32)  # could be baked into the program
    return model


@pytest.mark.parametrize("make", [_with_lambda, _with_custom_layer, _with_custom_activation,
                                  _with_custom_loss, _with_custom_metric,
                                  _with_an_array_attribute])
def test_user_code_gets_no_key_and_trains_through_plain_jit(make):
    x, y = moons(64)
    model = make()
    assert fingerprint(model, x, y) is None
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_a_subclassed_model_gets_no_key():
    class Mine(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1, activation="sigmoid")

        def call(self, inputs):
            return self.dense(inputs)

    x, y = moons(64)
    model = Mine()
    model.compile("adam", "binary_crossentropy")
    assert fingerprint(model, x, y) is None


_PROCESS = textwrap.dedent("""
    import json, sys
    import jax, numpy as np
    import layerwise as keras
    from layerwise.models.steps import StepFunctions
    if sys.argv[1:] == ["plain"]:  # the plain jit path, which fills JAX's own cache
        StepFunctions.fingerprint = lambda self: None
    traces = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, duration, **d: traces.append(d.get("fun_name"))
        if event == "/jax/core/compile/jaxpr_trace_duration" else None)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.layers.Dense(4, input_shape=(2,), activation="tanh"),
                              keras.layers.Dropout(0.2),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    print(json.dumps({"history": history.history,
                      "weights": [w.tolist() for w in model.get_weights()],
                      "traced": [name for name in traces
                                 if name in ("_train_epoch", "_evaluate_data")]}))
""")


def _run_process(cache_dir, *arguments):
    environment = dict(os.environ, LAYERWISE_CACHE_DIR=str(cache_dir), JAX_PLATFORMS="cpu")
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", _PROCESS, *arguments], capture_output=True,
                          text=True,
                          env=environment, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_process_loads_the_epoch_without_tracing_it_and_gets_the_same_numbers(tmp_path):
    cold = _run_process(tmp_path)
    assert cold["traced"] == ["_train_epoch"]  # validation runs inside the epoch's program
    stored = list((tmp_path / "layerwise-executables").glob("*.bin"))
    assert len(stored) == 1

    warm = _run_process(tmp_path)
    assert warm["traced"] == []
    assert warm["history"] == cold["history"]
    assert warm["weights"] == cold["weights"]

    # A damaged file is a miss, not an error.
    for path in (tmp_path / "layerwise-executables").glob("*.bin"):
        path.write_bytes(path.read_bytes()[:100])
    damaged = _run_process(tmp_path)
    assert damaged["traced"] == ["_train_epoch"]
    assert damaged["weights"] == cold["weights"]


def test_programs_in_jaxs_own_cache_are_compiled_afresh_before_being_stored(tmp_path):
    # On CPU, an executable JAX loaded from its persistent cache loses its kernels when
    # serialized again; such a copy must never be stored.
    plain = _run_process(tmp_path, "plain")
    assert not list((tmp_path / "layerwise-executables").glob("*.bin"))
    stored = _run_process(tmp_path)
    assert stored["weights"] == plain["weights"]
    assert len(list((tmp_path / "layerwise-executables").glob("*.bin"))) == 1
    reloaded = _run_process(tmp_path)
    assert reloaded["traced"] == []
    assert reloaded["weights"] == plain["weights"]
    assert reloaded["history"] == plain["history"]


def test_a_stored_program_under_another_key_is_not_used(tmp_path):
    path = tmp_path / "program.bin"
    compiled = jax.jit(lambda value: value + 1.0).lower(np.float32(1.0)).compile()
    program_cache._write(path, "key A", compiled)
    assert program_cache._read(path, "key A") is not None
    assert program_cache._read(path, "key B") is None
    path.write_bytes(program_cache._MAGIC + b"not a pickle")
    assert program_cache._read(path, "key A") is None


def test_a_stored_program_that_fails_to_run_is_deleted_and_recompiled(tmp_path, monkeypatch):
    import collections

    monkeypatch.setattr(program_cache, "_executable_dir", lambda: tmp_path)
    monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
    x, y = moons()
    seed_model(seed=4).fit(x, y, epochs=1, batch_size=32, verbose=0)
    stored = list(tmp_path.glob("*.bin"))
    assert len(stored) == 1

    def broken(*args):
        raise jax.errors.JaxRuntimeError("NOT_FOUND: Function wrapped_iota not found")

    monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
    monkeypatch.setattr(program_cache, "_load", lambda path, key: broken)
    writes = []
    original_write = program_cache._write
    monkeypatch.setattr(program_cache, "_write", lambda path, key, compiled: (
        writes.append(path.exists()), original_write(path, key, compiled)))
    model = seed_model(seed=5)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert writes == [False]  # the failing file was deleted, then compiled and stored afresh
    assert list(tmp_path.glob("*.bin")) == stored

    monkeypatch.setattr(StepFunctions, "fingerprint", lambda self: None)
    reference = seed_model(seed=5)
    expected = reference.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert history.history == expected.history
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_overlapping_bypasses_restore_jaxs_cache_when_the_last_one_ends():
    """Two threads compiling at once: the first may finish while the second still runs."""
    from jax._src import compilation_cache as cache

    cache.is_cache_used(jax.devices()[0].client)  # settle JAX's own state first
    before = (cache._cache_checked, cache._cache_used)
    first, second = program_cache._persistent_cache_bypassed(), \
        program_cache._persistent_cache_bypassed()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert cache._cache_used is False  # the second compile is still running
    second.__exit__(None, None, None)
    assert (cache._cache_checked, cache._cache_used) == before


OPTIMIZERS = ["SGD", "RMSprop", "Adam", "AdamW", "Nadam", "Adamax", "Adadelta", "Adagrad",
              "Lion", "Adafactor", "Ftrl", "Lamb"]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_learning_rate_search_in_a_loop_shares_the_program_and_gets_keras_numbers(name):
    # The second fit reuses the first one's compiled epoch: its learning rate must come
    # from the optimizer's variable, not from a constant compiled in.
    from keras_oracle import copy_weights, keras as real_keras

    x, y = moons(64)
    first = seed_model(optimizer=getattr(keras.optimizers, name)(learning_rate=0.5))
    first.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    counter = TraceCounter("_train_epoch")
    ours = seed_model(seed=3, optimizer=getattr(keras.optimizers, name)(learning_rate=0.01))
    theirs = real_keras.Sequential([real_keras.Input((2,)),
                                    real_keras.layers.Dense(4, activation="tanh"),
                                    real_keras.layers.Dense(1, activation="sigmoid")])
    copy_weights(theirs, ours)
    theirs.compile(optimizer=getattr(real_keras.optimizers, name)(learning_rate=0.01),
                   loss="binary_crossentropy", metrics=["accuracy"])
    history = ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    expected = theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert counter.count == 0
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-5)
    for our_weight, their_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(our_weight, their_weight, rtol=1e-4, atol=1e-6)


def test_the_key_covers_the_whole_library_source():
    # A program compiled before a layer's code changed must not be reused after it.
    root, paths = program_cache.library_sources()
    named = {path.relative_to(root).as_posix() for path in paths}
    assert root.name == "layerwise"
    assert {"layers/lstm.py", "layers/core.py", "ops/nn.py", "models/trainer.py",
            "optimizers/__init__.py"} <= named
