"""Shared checks of a metric against real Keras: values batch by batch (stateful and
pure under jit), variables, configs, and use in compile/fit."""
import jax
import numpy as np

from keras_oracle import keras, twins
from layerwise import metrics

TOLERANCE = 1e-6


def assert_close(ours, theirs, tolerance=TOLERANCE):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


def assert_matches_keras(class_name, kwargs, batches, tolerance=TOLERANCE):
    """`batches`: a list of (y_true, y_pred, sample_weight or None)."""
    ours, theirs = twins(lambda library: getattr(library.metrics, class_name)(**kwargs))
    for y_true, y_pred, weight in batches:
        ours.update_state(y_true, y_pred, sample_weight=weight)
        theirs.update_state(y_true, y_pred, sample_weight=weight)
        assert_close(ours.result(), theirs.result(), tolerance)
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    for mine, keras_variable in zip(ours.variables, theirs.variables):
        assert np.asarray(mine.numpy()).dtype == np.asarray(keras_variable.value).dtype
        assert_close(mine.numpy(), np.asarray(keras_variable.value), tolerance)
    ours.reset_state()
    theirs.reset_state()
    for mine in ours.variables:
        assert not np.any(mine.numpy())

    # The pure core under jit gives what the stateful API gives.
    pure = getattr(metrics, class_name)(**kwargs)
    pure.build(np.shape(batches[0][0]), np.shape(batches[0][1]))
    update, state = jax.jit(pure.update), pure.initial_state()
    for y_true, y_pred, weight in batches:
        state = update(state, y_true, y_pred, weight)
        ours.update_state(y_true, y_pred, sample_weight=weight)
    assert_close(jax.jit(pure.compute)(state), ours.result(), tolerance)


def assert_config_matches_keras(class_name, kwargs):
    ours, theirs = twins(lambda library: getattr(library.metrics, class_name)(**kwargs))
    our_config, their_config = ours.get_config(), theirs.get_config()
    if "name" not in kwargs:  # Keras's automatic names depend on how many exist
        our_config.pop("name"), their_config.pop("name")
    assert our_config == their_config
    serialized = metrics.serialize(ours)
    their_serialized = keras.metrics.serialize(theirs)
    assert {k: v for k, v in serialized.items() if k != "config"} == \
        {k: v for k, v in their_serialized.items() if k != "config"}
    rebuilt = metrics.deserialize(serialized)
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    from_keras = metrics.deserialize(their_serialized)
    assert type(from_keras) is type(ours)
    assert type(keras.metrics.deserialize(serialized)).__name__ == class_name


def assert_fit_matches_keras(make_metric, x, y, loss, output_units, activation,
                             tolerance=1e-5, sample_weight=None):
    """A small model compiled with the metric logs what Keras logs, epoch by epoch.

    Name the metric: automatic names count the metrics made before, in each library.
    """

    def make(library):
        library.utils.set_random_seed(3)
        model = library.Sequential([
            library.Input(x.shape[1:]),
            library.layers.Dense(output_units, activation=activation)])
        model.compile(library.optimizers.SGD(0.1), loss, metrics=[make_metric(library)])
        return model

    ours, theirs = twins(make)
    ours.set_weights(theirs.get_weights())
    arguments = dict(batch_size=8, epochs=2, shuffle=False, verbose=0,
                     sample_weight=sample_weight, validation_data=(x[:8], y[:8]))
    our_logs = ours.fit(x, y, **arguments).history
    their_logs = theirs.fit(x, y, **arguments).history
    assert our_logs.keys() == their_logs.keys()
    for key in their_logs:
        np.testing.assert_allclose(our_logs[key], their_logs[key], rtol=tolerance,
                                   atol=tolerance, err_msg=key)
    assert_close(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), tolerance)
