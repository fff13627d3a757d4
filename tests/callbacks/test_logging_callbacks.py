"""CSVLogger, ModelCheckpoint, LambdaCallback, LearningRateScheduler and TerminateOnNaN,
driven directly with the same logs as their Keras twins."""
import jax.numpy as jnp
import numpy as np
import pytest

import layerwise
from callback_oracle import fake_models, run_epochs
from keras_oracle import twins
from keras_oracle import keras

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

_WITH_VALIDATION = [{"accuracy": 0.5, "loss": 0.6931471824645996, "val_accuracy": 0.25,
                     "val_loss": 0.75},
                    {"accuracy": 0.625, "loss": 0.5, "val_accuracy": 0.5, "val_loss": 0.625}]


# -- CSVLogger -------------------------------------------------------------------------
@pytest.mark.parametrize("logs, separator", [
    (_WITH_VALIDATION, ","),
    ([{"loss": 0.25}, {"loss": 0.125}], ","),  # no val_ keys: "NA" columns are added
    ([{"loss": 0.25, "note": "a;b", "vector": np.array([1.0, 2.0]),
       "scalar": np.array(3.0)}], ";"),
])
def test_csv_logger_writes_the_file_keras_writes(tmp_path, logs, separator):
    contents = []
    for library in (layerwise, keras):
        path = tmp_path / f"{library.__name__}.csv"
        callback = library.callbacks.CSVLogger(str(path), separator=separator)
        run_epochs(callback, fake_models()[0], logs)
        contents.append(path.read_bytes())
    assert contents[0] == contents[1]
    assert contents[0].count(b"\r\n") == len(logs) + 1


def test_csv_logger_append_keeps_one_header(tmp_path):
    contents = []
    for library in (layerwise, keras):
        path = tmp_path / f"{library.__name__}.csv"
        for _ in range(2):
            callback = library.callbacks.CSVLogger(path, append=True)
            run_epochs(callback, fake_models()[0], _WITH_VALIDATION)
        contents.append(path.read_bytes())
    assert contents[0] == contents[1]
    assert contents[0].decode().splitlines()[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert len(contents[0].decode().splitlines()) == 5


def test_csv_logger_overwrites_without_append(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    run_epochs(layerwise.callbacks.CSVLogger(path), fake_models()[0], [{"loss": 1.0}])
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "0,1.0,NA"]


def test_csv_logger_bad_arguments():
    with pytest.raises(TypeError, match="`filename`.*Received: filename=3"):
        layerwise.callbacks.CSVLogger(3)
    with pytest.raises(ValueError, match="`separator`.*Received: separator=';;'"):
        layerwise.callbacks.CSVLogger("log.csv", separator=";;")


# -- ModelCheckpoint ---------------------------------------------------------------------
def _checkpoint_saves(tmp_path, batches_per_epoch=0, **arguments):
    """What each library's ModelCheckpoint saves, and prints, over the same epochs."""
    results = []
    for library, model in zip((layerwise, keras), fake_models()):
        callback = library.callbacks.ModelCheckpoint(**arguments)
        callback.set_model(model)
        callback.on_train_begin({})
        for epoch, logs in enumerate(_WITH_VALIDATION * 2):
            callback.on_epoch_begin(epoch, {})
            for batch in range(batches_per_epoch):
                callback.on_train_batch_end(batch, {"loss": 0.5 - batch / 100})
            callback.on_epoch_end(epoch, dict(logs))
        results.append([(kind, path.replace(str(tmp_path), "")) for kind, path in model.saved])
    return results


@pytest.mark.parametrize("arguments", [
    dict(filepath="{epoch:02d}-{val_loss:.2f}.keras"),
    dict(filepath="best.weights.h5", save_weights_only=True, save_best_only=True),
    dict(filepath="best.keras", save_best_only=True, monitor="val_accuracy", mode="max"),
    dict(filepath="best.keras", save_best_only=True, initial_value_threshold=0.7),
])
def test_model_checkpoint_saves_what_keras_saves(tmp_path, arguments):
    arguments = dict(arguments, filepath=str(tmp_path / arguments["filepath"]))
    ours, theirs = _checkpoint_saves(tmp_path, **arguments)
    assert ours == theirs
    assert ours  # something was saved in each case


def test_model_checkpoint_saves_every_epoch_when_the_monitor_is_missing(tmp_path):
    arguments = dict(filepath=str(tmp_path / "best.keras"), save_best_only=True,
                     monitor="missing", mode="min")
    with pytest.warns(UserWarning, match="Can save best model only with missing available"):
        ours, theirs = _checkpoint_saves(tmp_path, **arguments)
    assert ours == theirs == [("model", "/best.keras")] * 4


def test_model_checkpoint_every_n_batches_matches_keras(tmp_path):
    ours, theirs = _checkpoint_saves(
        tmp_path, batches_per_epoch=5, save_freq=3,
        filepath=str(tmp_path / "e{epoch}-b{batch}-{loss:.3f}.weights.h5"),
        save_weights_only=True)
    assert ours == theirs
    # The count carries over epochs: 5 batches per epoch, a save every 3.
    assert ours[:2] == [("weights", "/e1-b3-0.480.weights.h5"),
                        ("weights", "/e2-b1-0.500.weights.h5")]


def test_model_checkpoint_verbose_messages_match_keras(tmp_path, capsys):
    outputs = []
    for library, model in zip((layerwise, keras), fake_models()):
        callback = library.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), verbose=1,
                                                     save_best_only=True)
        run_epochs(callback, model, [{"val_loss": 0.5}, {"val_loss": 0.6}, {"val_loss": 0.4}])
        outputs.append(capsys.readouterr().out.replace(str(tmp_path), ""))
    assert outputs[0] == outputs[1]
    assert "val_loss did not improve from 0.50000" in outputs[0]


@pytest.mark.parametrize("arguments, message", [
    (dict(filepath="w.h5", save_weights_only=True), "must end in `.weights.h5`"),
    (dict(filepath="model.pt"), "must end in `.keras`"),
    (dict(filepath="m.keras", save_freq="batch"), "Unrecognized save_freq: 'batch'"),
    (dict(filepath="m.keras", save_freq=0), "Unrecognized save_freq: 0"),
])
def test_model_checkpoint_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        layerwise.callbacks.ModelCheckpoint(**arguments)


def test_model_checkpoint_reports_unknown_format_fields(tmp_path):
    callback = layerwise.callbacks.ModelCheckpoint(str(tmp_path / "{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath.*val_acc"):
        run_epochs(callback, fake_models()[0], [{"val_loss": 0.5}])


def test_model_checkpoint_refuses_a_directory(tmp_path):
    (tmp_path / "dir.keras").mkdir()
    callback = layerwise.callbacks.ModelCheckpoint(str(tmp_path / "dir.keras"))
    with pytest.raises(OSError, match="non-directory filepath"):
        run_epochs(callback, fake_models()[0], [{"val_loss": 0.5}])


# -- LambdaCallback ----------------------------------------------------------------------
def test_lambda_callback_calls_hooks_with_keras_arguments():
    calls = []
    callback = layerwise.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs)),
        on_test_end=lambda logs: calls.append(("test_end", logs)))
    assert not callback.wants_batch_hooks()
    callback.on_train_begin()  # the engine passes no logs; Keras's functions get {}
    callback.on_epoch_begin(0)  # not given: the base class's no-op
    callback.on_epoch_end(0, {"loss": 1.0})
    callback.on_test_end(None)
    assert calls == [("train_begin", {}), ("epoch_end", 0, {"loss": 1.0}), ("test_end", {})]


@pytest.mark.parametrize("hook", ["on_train_batch_begin", "on_train_batch_end",
                                  "on_batch_end"])
def test_lambda_callback_asks_for_batch_hooks_only_when_given_one(hook):
    batches = []
    callback = layerwise.callbacks.LambdaCallback(
        **{hook: lambda batch, logs: batches.append((batch, logs))})
    assert callback.wants_batch_hooks()
    callback.on_train_batch_begin(3, {"loss": 1.0})
    callback.on_train_batch_end(3, {"loss": 1.0})
    assert batches == [(3, {"loss": 1.0})]


def test_lambda_callback_warns_about_names_that_are_not_hooks():
    with pytest.warns(UserWarning, match=r"`on_epoch_ends` is not a callback hook.*"
                                         r"Did you mean.*on_epoch_end"):
        callback = layerwise.callbacks.LambdaCallback(on_epoch_ends=print)
    assert callback.on_epoch_ends is print
    with pytest.raises(TypeError, match="`on_epoch_end`.*Received: on_epoch_end=3"):
        layerwise.callbacks.LambdaCallback(on_epoch_end=3)


# -- LearningRateScheduler ---------------------------------------------------------------
@pytest.mark.parametrize("schedule", [
    lambda epoch, lr: lr * 0.5 if epoch % 2 else lr + 0.001,
    lambda epoch: 0.1 / (epoch + 1),  # the old one-argument API
])
def test_learning_rate_scheduler_matches_keras(schedule):
    ours, theirs = twins(lambda k: k.callbacks.LearningRateScheduler(schedule))
    our_model, their_model = fake_models(0.01)
    logs = [{"loss": 1.0}] * 4
    our_logs = run_epochs(ours, our_model, logs)
    their_logs = run_epochs(theirs, their_model, logs)
    assert [l["learning_rate"] for l in our_logs] == [l["learning_rate"] for l in their_logs]


def test_learning_rate_scheduler_checks_the_schedule_output():
    model, _ = fake_models()
    callback = layerwise.callbacks.LearningRateScheduler(lambda epoch, lr: 1)
    callback.set_model(model)
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        callback.on_epoch_begin(0)
    with pytest.raises(TypeError, match="`schedule`.*Received: schedule=0.1"):
        layerwise.callbacks.LearningRateScheduler(0.1)


def test_learning_rate_scheduler_accepts_a_scalar_float_array():
    model, _ = fake_models(0.01)
    # Keras's docstring example returns `lr * ops.exp(-0.1)`, a 0-d tensor.
    callback = layerwise.callbacks.LearningRateScheduler(lambda epoch, lr: lr * jnp.exp(-0.1))
    callback.set_model(model)
    callback.on_epoch_begin(0)
    np.testing.assert_allclose(float(np.asarray(model.optimizer.learning_rate)),
                               0.01 * np.exp(-0.1), rtol=1e-6)


def test_learning_rate_scheduler_verbose_message(capsys):
    model, _ = fake_models(0.01)
    callback = layerwise.callbacks.LearningRateScheduler(lambda epoch, lr: 0.5, verbose=1)
    callback.set_model(model)
    callback.on_epoch_begin(2)
    assert capsys.readouterr().out == \
        "\nEpoch 3: LearningRateScheduler setting learning rate to 0.5.\n"


def test_learning_rate_scheduler_with_a_schedule_optimizer_fails_clearly():
    model, _ = fake_models()
    model.optimizer = layerwise.optimizers.SGD(
        layerwise.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))
    callback = layerwise.callbacks.LearningRateScheduler(lambda epoch, lr: lr)
    callback.set_model(model)
    with pytest.raises(TypeError, match="not settable"):
        callback.on_epoch_begin(0)


# -- TerminateOnNaN ----------------------------------------------------------------------
@pytest.mark.parametrize("loss", [float("nan"), float("inf"), -float("inf")])
def test_terminate_on_nan_stops_on_an_invalid_loss(capsys, loss):
    model, _ = fake_models()
    callback = layerwise.callbacks.TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    callback.on_train_batch_end(4, {"loss": loss})
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 4: Invalid loss, terminating training\n"


def test_terminate_on_nan_can_raise():
    callback = layerwise.callbacks.TerminateOnNaN(raise_error=True)
    callback.set_model(fake_models()[0])
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
        callback.on_train_batch_end(2, {"loss": float("nan")})
