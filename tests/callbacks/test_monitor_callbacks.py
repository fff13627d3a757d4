"""EarlyStopping and ReduceLROnPlateau decide exactly as Keras does, given the same logs."""
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import layerwise
from callback_oracle import fake_models, run_epochs
from keras_oracle import twins

# Values with exact ties and near-ties (which float32 comparison must resolve like Keras).
_values = st.one_of(st.sampled_from([0.5, 0.4, 0.45, 0.4 + 1e-9, 0.3, 0.6]),
                    # Subnormal losses are left out: XLA flushes them to zero on our side.
                    st.floats(0.0, 1.0, width=32, allow_subnormal=False))


pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


@settings(max_examples=60, deadline=None)
# A near-tie: equal in float32 (no improvement, as in Keras), not in float64.
@example(values=[0.4 + 1e-9, 0.4], patience=0, min_delta=0, mode="min", baseline=None,
         start_from_epoch=0, restore_best_weights=False)
@given(values=st.lists(_values, min_size=1, max_size=12),
       patience=st.integers(0, 3), min_delta=st.sampled_from([0, 1e-4, 0.05, -0.05]),
       mode=st.sampled_from(["auto", "min", "max"]),
       baseline=st.sampled_from([None, 0.45, 0.2]), start_from_epoch=st.integers(0, 2),
       restore_best_weights=st.booleans())
def test_early_stopping_matches_keras(values, patience, min_delta, mode, baseline,
                                      start_from_epoch, restore_best_weights):
    arguments = dict(monitor="loss", patience=patience, min_delta=min_delta, mode=mode,
                     baseline=baseline, start_from_epoch=start_from_epoch,
                     restore_best_weights=restore_best_weights)
    ours, theirs = twins(lambda k: k.callbacks.EarlyStopping(**arguments))
    our_model, their_model = fake_models()
    logs = [{"loss": v} for v in values]
    our_epochs = run_epochs(ours, our_model, logs)
    their_epochs = run_epochs(theirs, their_model, logs)
    assert len(our_epochs) == len(their_epochs)
    for attribute in ("stopped_epoch", "best", "best_epoch", "wait"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    assert our_model.stop_training == their_model.stop_training
    assert our_model.restored == their_model.restored


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_values, min_size=1, max_size=15),
       factor=st.sampled_from([0.1, 0.5, 0.3]), patience=st.integers(0, 3),
       cooldown=st.integers(0, 2), min_lr=st.sampled_from([0.0, 1e-3, 0.004]),
       min_delta=st.sampled_from([0, 1e-4, 0.05]), mode=st.sampled_from(["min", "max"]))
def test_reduce_lr_on_plateau_matches_keras(values, factor, patience, cooldown, min_lr,
                                            min_delta, mode):
    arguments = dict(monitor="val_loss", factor=factor, patience=patience, cooldown=cooldown,
                     min_lr=min_lr, min_delta=min_delta, mode=mode)
    ours, theirs = twins(lambda k: k.callbacks.ReduceLROnPlateau(**arguments))
    our_model, their_model = fake_models(0.01)
    logs = [{"loss": 1.0, "val_loss": v} for v in values]
    our_logs = run_epochs(ours, our_model, logs)
    their_logs = run_epochs(theirs, their_model, logs)
    # Logged rates (the rate each epoch trained with), bit for bit, and the final one.
    assert [l["learning_rate"] for l in our_logs] == [l["learning_rate"] for l in their_logs]
    assert float(np.asarray(our_model.optimizer.learning_rate)) == \
        float(np.asarray(their_model.optimizer.learning_rate))
    assert (ours.wait, ours.cooldown_counter, ours.best) == \
        (theirs.wait, theirs.cooldown_counter, theirs.best)


def test_early_stopping_docstring_example_runs_four_epochs():
    # Keras's own example: patience=3 on a constant loss stops after 4 epochs.
    model = layerwise.Sequential([layerwise.layers.Dense(10)])
    model.compile(layerwise.optimizers.SGD(), loss="mse")
    callback = layerwise.callbacks.EarlyStopping(monitor="loss", patience=3)
    history = model.fit(np.arange(100).reshape(5, 20).astype("float32"), np.zeros(5),
                        epochs=10, batch_size=1, callbacks=[callback], verbose=0)
    assert len(history.history["loss"]) == 4
    assert callback.stopped_epoch == 3


def test_early_stopping_verbose_messages(capsys):
    callback = layerwise.callbacks.EarlyStopping(monitor="loss", patience=1, verbose=1,
                                                 restore_best_weights=True)
    model, _ = fake_models()
    run_epochs(callback, model, [{"loss": 0.5}, {"loss": 0.4}, {"loss": 0.6}, {"loss": 0.7}])
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n")
    assert model.restored == 1


def test_early_stopping_warns_when_monitor_is_missing():
    callback = layerwise.callbacks.EarlyStopping(monitor="val_loss")
    model, _ = fake_models()
    with pytest.warns(UserWarning, match=r"`val_loss` which is not available. Available "
                                         r"metrics are: loss,accuracy"):
        run_epochs(callback, model, [{"loss": 0.5, "accuracy": 0.5}])
    assert not model.stop_training


def test_auto_mode_reads_the_direction_of_compiled_metrics():
    model = layerwise.Sequential([layerwise.Input((2,)), layerwise.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["accuracy", "mae"])
    model.fit(np.zeros((4, 2), "float32"), np.zeros(4), verbose=0)
    accuracy = layerwise.callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.1)
    error = layerwise.callbacks.EarlyStopping(monitor="mae", min_delta=0.1)
    for callback in (accuracy, error):
        callback.set_model(model)
        callback._set_monitor_op()
    assert accuracy._is_improvement(0.6, 0.4) and not accuracy._is_improvement(0.45, 0.4)
    assert accuracy.min_delta == 0.1
    assert error._is_improvement(0.2, 0.4) and not error._is_improvement(0.35, 0.4)
    assert error.min_delta == -0.1


def test_auto_mode_without_a_known_direction_raises():
    callback = layerwise.callbacks.EarlyStopping(monitor="my_score")
    model, _ = fake_models()
    with pytest.raises(ValueError, match="monitor=my_score.*mode='max'"):
        run_epochs(callback, model, [{"my_score": 1.0}])


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'maxx' is unknown.*Did you mean 'max'"):
        callback = layerwise.callbacks.EarlyStopping(mode="maxx")
    assert callback.mode == "auto"


@pytest.mark.parametrize("name, arguments, error, message", [
    ("EarlyStopping", dict(patience="3"), TypeError, "`patience`.*Received: patience='3'"),
    ("EarlyStopping", dict(min_delta=None), TypeError, "`min_delta`"),
    ("EarlyStopping", dict(monitor=3), TypeError, "`monitor`.*Received: monitor=3"),
    ("ReduceLROnPlateau", dict(factor=1.0), ValueError, "factor >= 1.0. Received factor=1.0"),
    ("ReduceLROnPlateau", dict(cooldown=None), TypeError, "`cooldown`"),
])
def test_bad_arguments(name, arguments, error, message):
    with pytest.raises(error, match=message):
        getattr(layerwise.callbacks, name)(**arguments)


def test_reduce_lr_on_plateau_ignores_unknown_arguments_with_a_warning():
    with pytest.warns(UserWarning, match=r"ignores these arguments.*\['epsilon'\]"):
        callback = layerwise.callbacks.ReduceLROnPlateau(epsilon=0.5)
    assert callback.min_delta == 1e-4


def test_reduce_lr_on_plateau_verbose_message(capsys):
    callback = layerwise.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5,
                                                     verbose=1)
    model, _ = fake_models(0.5)
    run_epochs(callback, model, [{"loss": 1.0}, {"loss": 1.0}])
    assert capsys.readouterr().out == "\nEpoch 2: ReduceLROnPlateau reducing learning rate " \
                                      "to 0.25.\n"


def test_epoch_level_callbacks_do_not_ask_for_batch_hooks():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        callbacks = [layerwise.callbacks.EarlyStopping(),
                     layerwise.callbacks.ReduceLROnPlateau(),
                     layerwise.callbacks.LearningRateScheduler(lambda epoch, lr: lr),
                     layerwise.callbacks.TerminateOnNaN(),
                     layerwise.callbacks.CSVLogger("unused.csv"),
                     layerwise.callbacks.ModelCheckpoint("unused.keras")]
    assert not any(callback.wants_batch_hooks() for callback in callbacks)
    assert layerwise.callbacks.ModelCheckpoint("unused.keras", save_freq=3).wants_batch_hooks()
