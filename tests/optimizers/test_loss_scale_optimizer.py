"""LossScaleOptimizer: dynamic loss scaling as Keras does it, in and out of `fit`."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from keras_oracle import assert_weights_close, copy_weights, keras


@pytest.fixture
def mixed_float16():
    for k in (layerwise, keras):
        k.mixed_precision.set_global_policy("mixed_float16")
    yield
    for k in (layerwise, keras):
        k.mixed_precision.set_global_policy("float32")


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 5)).astype("float32")
    return x, rng.normal(size=(32, 1)).astype("float32")


def _model(k):
    k.utils.set_random_seed(5)
    return k.Sequential([k.Input((5,)), k.layers.Dense(8, activation="relu"),
                         k.layers.Dense(1, dtype="float32")])


def _scale_state(optimizer):
    return (float(np.asarray(optimizer.dynamic_scale)), int(np.asarray(optimizer.step_counter)),
            int(np.asarray(optimizer.iterations)))


def test_compile_wraps_the_optimizer_under_mixed_float16_only(mixed_float16):
    model = _model(layerwise)
    model.compile("adam", "mse")
    assert isinstance(model.optimizer, layerwise.optimizers.LossScaleOptimizer)
    assert type(model.optimizer.inner_optimizer) is layerwise.optimizers.Adam
    theirs = _model(keras)
    theirs.compile("adam", "mse")
    ours_config, their_config = model.optimizer.get_config(), theirs.optimizer.get_config()
    for config in (ours_config, their_config):
        config["inner_optimizer"]["config"].pop("name")
        config.pop("name")
    assert ours_config == their_config
    model.compile("adam", "mse", auto_scale_loss=False)
    assert type(model.optimizer) is layerwise.optimizers.Adam
    explicit = layerwise.optimizers.LossScaleOptimizer(layerwise.optimizers.SGD())
    model.compile(explicit, "mse")
    assert model.optimizer is explicit


def test_float32_and_bfloat16_models_are_not_wrapped():
    for policy in ("float32", "mixed_bfloat16"):
        model = layerwise.Sequential([layerwise.Input((3,)),
                                      layerwise.layers.Dense(2, dtype=policy)])
        model.compile("adam", "mse")
        assert type(model.optimizer) is layerwise.optimizers.Adam


def test_overflowing_scale_falls_then_grows_as_in_keras(mixed_float16):
    """A scale far above float16's range overflows the float16 gradients: each such step
    is skipped and halves the scale; once finite, every 3 steps double it."""
    x, y = _data()
    models = []
    for k in (keras, layerwise):
        model = _model(k)
        model.compile(k.optimizers.LossScaleOptimizer(
            k.optimizers.SGD(0.01), initial_scale=2.0**40, dynamic_growth_steps=3), "mse")
        models.append(model)
    theirs, ours = models
    copy_weights(theirs, ours)
    their_states, our_states = [], []
    for step in range(30):
        rows = slice(step % 4 * 8, step % 4 * 8 + 8)
        their_loss = theirs.train_on_batch(x[rows], y[rows])
        our_loss = ours.train_on_batch(x[rows], y[rows])
        np.testing.assert_allclose(our_loss, their_loss, rtol=1e-3)
        their_states.append(_scale_state(theirs.optimizer))
        our_states.append(_scale_state(ours.optimizer))
    assert our_states == their_states
    scales = [state[0] for state in our_states]
    assert scales[0] < 2.0**40 and max(scales[1:]) > min(scales)  # it fell, then grew
    assert_weights_close(ours, theirs, rtol=1e-3, atol=1e-4)


def test_fit_with_loss_scaling_matches_keras(mixed_float16):
    x, y = _data()
    theirs, ours = _model(keras), _model(layerwise)
    copy_weights(theirs, ours)
    for k, model in ((keras, theirs), (layerwise, ours)):
        model.compile(k.optimizers.LossScaleOptimizer(
            k.optimizers.Adam(0.01), initial_scale=2.0**20, dynamic_growth_steps=4), "mse")
    a = ours.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history["loss"]
    b = theirs.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-3)
    assert _scale_state(ours.optimizer) == _scale_state(theirs.optimizer)
    assert_weights_close(ours, theirs, rtol=1e-3, atol=1e-4)


def test_variables_config_and_serialization_as_keras():
    ours, theirs = (k.optimizers.LossScaleOptimizer(
        k.optimizers.SGD(0.1, name="inner"), initial_scale=4.0, dynamic_growth_steps=3,
        name="scaled") for k in (layerwise, keras))
    weights = [layerwise.Variable(np.ones((2,), "float32"))]
    ours.build(weights)
    theirs.build([keras.Variable(np.ones((2,), "float32"))])
    assert [(v.name, str(v.dtype)) for v in ours.variables] == [
        (v.name, str(v.dtype)) for v in theirs.variables]
    assert layerwise.optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    rebuilt = layerwise.optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(rebuilt, layerwise.optimizers.LossScaleOptimizer)
    assert rebuilt.get_config() == ours.get_config()
    assert layerwise.mixed_precision.LossScaleOptimizer is layerwise.optimizers.LossScaleOptimizer


def test_stateful_apply_skips_non_finite_gradients():
    variable = layerwise.Variable(np.ones((2,), "float32"))
    optimizer = layerwise.optimizers.LossScaleOptimizer(layerwise.optimizers.SGD(0.5),
                                                        initial_scale=8.0)
    optimizer.apply([np.array([np.inf, 1.0], "float32")], [variable])
    np.testing.assert_array_equal(variable.numpy(), [1.0, 1.0])
    assert _scale_state(optimizer) == (4.0, 0, 0)
    optimizer.apply([np.array([8.0, 4.0], "float32")], [variable])  # unscaled by 4
    np.testing.assert_allclose(variable.numpy(), [0.0, 0.5])
    assert _scale_state(optimizer) == (4.0, 1, 1)
    assert float(optimizer.scale_loss(2.0)) == 8.0


@pytest.mark.parametrize("arguments, message", [
    ({"clipnorm": 1.0}, "does not support `clipnorm`"),
    ({"foo": 1}, "does not support arguments: `foo`"),
    ({"dynamic": False}, "no longer supports `dynamic=False`"),
])
def test_bad_arguments_are_rejected_as_in_keras(arguments, message):
    with pytest.raises(ValueError, match=message):
        layerwise.optimizers.LossScaleOptimizer(layerwise.optimizers.SGD(), **arguments)


def test_fixed_loss_scale_factor_in_fit_matches_keras():
    """`loss_scale_factor` scales the differentiated loss in the compiled step and the
    gradients are divided back, so training equals Keras's (and the unscaled run)."""
    x, y = _data()
    histories = []
    for k in (keras, layerwise):
        model = _model(k)
        model.compile(k.optimizers.SGD(0.05, loss_scale_factor=64.0), "mse")
        histories.append(model.fit(x, y, epochs=2, batch_size=8, shuffle=False,
                                   verbose=0).history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)


@settings(max_examples=8, deadline=None)
@given(finite=st.lists(st.booleans(), min_size=1, max_size=10),
       growth_steps=st.integers(1, 3))
def test_any_run_of_finite_and_overflowing_steps_moves_the_scale_as_keras(finite, growth_steps):
    """Through `stateless_apply`, the path `fit` takes (Keras's stateful `apply` fails on
    JAX when the scale grows: its cond leaks a tracer)."""
    runs = []
    for k in (keras, layerwise):
        variable = k.Variable(np.ones((2,), "float32"))
        optimizer = k.optimizers.LossScaleOptimizer(
            k.optimizers.SGD(0.25), initial_scale=16.0, dynamic_growth_steps=growth_steps)
        optimizer.build([variable])
        values, weights = [np.asarray(v) for v in optimizer.variables], [np.asarray(variable)]
        states = []
        for is_finite in finite:
            grad = np.array([2.0, 4.0] if is_finite else [np.nan, 1.0], "float32")
            weights, values = optimizer.stateless_apply(values, [grad], weights)
            states.append([np.asarray(v).tolist() for v in values] +
                          [np.asarray(weights[0]).tolist()])
        runs.append(states)
    assert runs[0] == runs[1]
