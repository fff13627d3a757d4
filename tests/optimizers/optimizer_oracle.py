"""Shared checks of an optimizer against real Keras: same start, same gradients, the same
weights and slots after every step; layout, config, and use by name in compile/fit."""
import warnings

import numpy as np

from keras_oracle import keras, twins
from layerwise import optimizers
from test_optimizers import gradients, make_keras_variables, mirror_variables

RTOL, ATOL = 1e-6, 1e-7


def assert_steps_match_keras(class_name, kwargs, steps=4, scale=1.0, drop=(), drop_from=0):
    """`drop`: indices of variables given no gradient from step `drop_from` on."""
    ours = getattr(optimizers, class_name)(**kwargs)
    theirs = getattr(keras.optimizers, class_name)(**kwargs)
    keras_variables = make_keras_variables()
    our_variables = mirror_variables(keras_variables)
    for step in range(steps):
        grads = gradients(step, scale)
        dropped = drop if step >= drop_from else ()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns about missing gradients
            theirs.apply_gradients([(None if i in dropped else g, v)
                                    for i, (g, v) in enumerate(zip(grads, keras_variables))])
        ours.apply_gradients([(None if i in dropped else g, v)
                              for i, (g, v) in enumerate(zip(grads, our_variables))])
        for mine, keras_variable in zip(our_variables, keras_variables):
            np.testing.assert_allclose(mine.numpy(), np.asarray(keras_variable.value), rtol=RTOL,
                                       atol=ATOL, err_msg=f"{keras_variable.path}, step {step + 1}")
    assert_same_layout(ours, theirs)
    for mine, keras_variable in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(mine.numpy(), np.asarray(keras_variable.value), rtol=RTOL,
                                   atol=1e-9, err_msg=f"optimizer variable {keras_variable.path}")
    return our_variables


def assert_same_layout(ours, theirs):
    def layout(optimizer):
        return [(v.name, v.path, tuple(v.shape), np.dtype(v.dtype).name)
                for v in optimizer.variables]
    assert layout(ours) == layout(theirs)


def assert_config_matches_keras(class_name, kwargs, keras_reads_it=True):
    """`keras_reads_it=False` for Lamb: Keras 3.15 leaves it out of its lookup table, so
    `keras.optimizers.deserialize` gives back a string."""
    ours = getattr(optimizers, class_name)(name="opt", **kwargs)
    theirs = getattr(keras.optimizers, class_name)(name="opt", **kwargs)
    assert ours.get_config() == theirs.get_config()
    assert list(ours.get_config()) == list(theirs.get_config())
    assert optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    rebuilt = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    if keras_reads_it:
        assert type(keras.optimizers.deserialize(optimizers.serialize(ours))) is type(theirs)


def assert_fit_by_name_matches_keras(name, tolerance=1e-6, keras_optimizer=None):
    """compile(optimizer=name): a short fit gives Keras's losses and weights (Keras
    compiled with `keras_optimizer()` when it does not know the name)."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 2)) + 0.1).astype("float32")

    def make(library):
        library.utils.set_random_seed(1)
        return library.Sequential([library.Input((4,)), library.layers.Dense(5, activation="tanh"),
                                   library.layers.Dense(2)])

    ours, theirs = twins(make)
    ours.compile(optimizer=name, loss="mse")
    theirs.compile(optimizer=keras_optimizer() if keras_optimizer else name, loss="mse")
    arguments = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)
    our_logs, their_logs = ours.fit(x, y, **arguments).history, theirs.fit(x, y, **arguments).history
    np.testing.assert_allclose(our_logs["loss"], their_logs["loss"], rtol=tolerance)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=tolerance, atol=tolerance)
    assert type(ours.optimizer).__name__ == type(theirs.optimizer).__name__
