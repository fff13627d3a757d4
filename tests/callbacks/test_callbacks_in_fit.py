"""Callbacks inside a real `fit` of a tiny seeded model, side by side with real Keras."""
import csv

import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, keras, moons, twins

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
    # Loading weights into a model whose optimizer is not built yet warns (as in Keras).
    pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer:UserWarning"),
]


def _pair(seed=0, learning_rate=0.05, optimizer="Adam"):
    """The same two-layer classifier in both libraries, with Keras's seeded weights."""
    def build(library):
        return library.Sequential([library.Input((2,)),
                                   library.layers.Dense(8, activation="tanh"),
                                   library.layers.Dense(1, activation="sigmoid")])

    keras.utils.set_random_seed(seed)
    return twins(build, optimizer=lambda k: getattr(k.optimizers, optimizer)(learning_rate),
                 loss="binary_crossentropy", metrics=["accuracy"])


def _assert_histories_close(ours, theirs):
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-6, err_msg=key)


def _read_csv(path):
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    return rows[0], np.array(rows[1:], dtype=float)


def test_early_stopping_reduce_lr_and_csv_logger_match_keras(tmp_path):
    x, y = moons(200, noise=0.2)
    results = []
    for model, library in zip(_pair(seed=0), (layerwise, keras)):
        early_stopping = library.callbacks.EarlyStopping(
            monitor="val_loss", patience=3, min_delta=0.002, restore_best_weights=True)
        reduce_lr = library.callbacks.ReduceLROnPlateau(monitor="loss", patience=1,
                                                        factor=0.5, min_delta=0.03)
        path = tmp_path / f"{library.__name__}.csv"
        csv_logger = library.callbacks.CSVLogger(str(path))
        history = model.fit(x, y, epochs=15, batch_size=16, validation_split=0.25,
                            shuffle=False, verbose=0,
                            callbacks=[reduce_lr, early_stopping, csv_logger])
        results.append((model, history.history, early_stopping, _read_csv(path)))
    (ours, our_history, our_stopping, our_csv), (theirs, their_history, their_stopping,
                                                 their_csv) = results

    _assert_histories_close(our_history, their_history)
    # Training stopped early, the rate was cut, and the best epoch's weights came back.
    assert our_stopping.stopped_epoch == their_stopping.stopped_epoch == 5
    assert our_stopping.best_epoch == their_stopping.best_epoch == 2
    # Logged as the float32 rate each epoch trained with.
    assert our_history["learning_rate"] == \
        np.float32([0.05, 0.05, 0.05, 0.05, 0.025, 0.0125]).tolist()
    assert_weights_close(ours, theirs)
    assert float(ours.evaluate(x[150:], y[150:], verbose=0)[0]) == \
        pytest.approx(our_stopping.best, rel=1e-6)

    assert our_csv[0] == their_csv[0] == ["epoch", "accuracy", "learning_rate", "loss",
                                          "val_accuracy", "val_loss"]
    np.testing.assert_allclose(our_csv[1], their_csv[1], rtol=1e-5, atol=1e-6)


def test_scheduler_and_batch_lambda_match_keras():
    x, y = moons(100)  # 3 batches of 32 and a partial batch of 4
    results = []
    for model, library in zip(_pair(seed=1, learning_rate=0.1, optimizer="SGD"),
                              (layerwise, keras)):
        batches = []
        callbacks = [
            library.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 ** epoch),
            library.callbacks.LambdaCallback(
                on_train_batch_end=lambda batch, logs: batches.append((batch, logs["loss"]))),
            library.callbacks.TerminateOnNaN(),
        ]
        history = model.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0,
                            callbacks=callbacks)
        results.append((model, history.history, batches))
    (ours, our_history, our_batches), (theirs, their_history, their_batches) = results
    _assert_histories_close(our_history, their_history)
    assert our_history["learning_rate"] == np.float32([0.1, 0.05, 0.0125]).tolist()
    assert [b for b, _ in our_batches] == [b for b, _ in their_batches] == [0, 1, 2, 3] * 3
    np.testing.assert_allclose([l for _, l in our_batches], [l for _, l in their_batches],
                               rtol=1e-5)
    assert_weights_close(ours, theirs)


@pytest.mark.parametrize("bad_row, bad_batch", [(70, 2), (98, 3)])  # batch 3 is the tail
def test_terminate_on_nan_stops_at_the_batch_keras_stops_at(capsys, bad_row, bad_batch):
    x, y = moons(100)
    x[bad_row, 0] = np.nan
    ours, theirs = _pair(seed=2, optimizer="SGD", learning_rate=0.01)
    outputs, histories, batches = [], [], []
    for model, library, extra in ((ours, layerwise, {"check_finite": False}),
                                  (theirs, keras, {})):
        seen = []
        epochs = library.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: seen.append(epoch))
        history = model.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0,
                            callbacks=[library.callbacks.TerminateOnNaN(), epochs], **extra)
        outputs.append(capsys.readouterr().out)
        histories.append(history.history)
        batches.append(seen)
    assert outputs[0] == outputs[1] == f"Batch {bad_batch}: Invalid loss, terminating training\n"
    assert batches[0] == batches[1] == [0]
    assert list(histories[0]) == list(histories[1]) == ["accuracy", "loss"]
    assert np.isnan(histories[0]["loss"][0]) and np.isnan(histories[1]["loss"][0])
    for our_weights, their_weights in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(np.isnan(our_weights), np.isnan(their_weights))


def test_terminate_on_nan_with_a_live_progress_bar(capsys):
    # verbose=1 runs the epoch in several compiled pieces; the halt must land the same.
    x, y = moons(100)
    x[40, 1] = np.nan
    runs = []
    for verbose in (0, 1):
        model = _pair(seed=2, optimizer="SGD")[0]
        history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=verbose,
                            check_finite=False,
                            callbacks=[layerwise.callbacks.TerminateOnNaN()])
        runs.append((capsys.readouterr().out, history.history, model.get_weights()))
    (quiet_output, quiet_history, quiet_weights), (bar_output, bar_history, bar_weights) = runs
    assert quiet_output == "Batch 5: Invalid loss, terminating training\n"
    assert quiet_output in bar_output
    assert len(bar_history["loss"]) == 1
    np.testing.assert_array_equal(bar_history["accuracy"], quiet_history["accuracy"])
    for bar, quiet in zip(bar_weights, quiet_weights):
        np.testing.assert_array_equal(bar, quiet)


def test_terminate_on_nan_raise_error_skips_on_train_end():
    x, y = moons(64)
    x[3, 0] = np.nan
    model = _pair(seed=2, optimizer="SGD")[0]
    ended = []
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        model.fit(x, y, epochs=2, shuffle=False, verbose=0, check_finite=False,
                  callbacks=[layerwise.callbacks.TerminateOnNaN(raise_error=True),
                             layerwise.callbacks.LambdaCallback(
                                 on_train_end=lambda logs: ended.append(True))])
    assert not ended


def test_model_checkpoint_writes_loadable_weights(tmp_path):
    x, y = moons(100)
    model = _pair(seed=3)[0]
    callback = layerwise.callbacks.ModelCheckpoint(
        str(tmp_path / "ckpt" / "{epoch:02d}-{loss:.3f}.weights.h5"), monitor="loss",
        save_weights_only=True)
    history = model.fit(x, y, epochs=3, shuffle=False, verbose=0, callbacks=[callback])
    names = sorted(path.name for path in (tmp_path / "ckpt").iterdir())
    assert names == [f"{epoch:02d}-{loss:.3f}.weights.h5"
                     for epoch, loss in enumerate(history.history["loss"], start=1)]
    restored = _pair(seed=4)[0]
    restored.load_weights(str(tmp_path / "ckpt" / names[-1]))
    assert_weights_close(restored, model, rtol=0, atol=0)


def test_model_checkpoint_best_only_keeps_the_best_weights(tmp_path):
    x, y = moons(100)
    model = _pair(seed=3, learning_rate=0.5)[0]  # a large rate, so the loss wobbles
    path = tmp_path / "best.weights.h5"
    snapshots = []
    callbacks = [layerwise.callbacks.ModelCheckpoint(str(path), monitor="loss",
                                                     save_weights_only=True,
                                                     save_best_only=True),
                 layerwise.callbacks.LambdaCallback(
                     on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))]
    history = model.fit(x, y, epochs=4, shuffle=False, verbose=0, callbacks=callbacks)
    best = int(np.argmin(history.history["loss"]))
    restored = _pair(seed=4)[0]
    restored.load_weights(str(path))
    for saved, expected in zip(restored.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(saved, expected)


def test_model_checkpoint_saves_the_whole_model(tmp_path):
    x, y = moons(100)
    model = _pair(seed=3)[0]
    callback = layerwise.callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"),
                                                   monitor="loss")
    model.fit(x, y, epochs=2, shuffle=False, verbose=0, callbacks=[callback])
    loaded = layerwise.saving.load_model(str(tmp_path / "m-2.keras"))
    assert_weights_close(loaded, model, rtol=0, atol=0)


def test_model_checkpoint_every_n_batches_in_fit_matches_keras(tmp_path):
    x, y = moons(100)  # 4 batches of up to 32 per epoch
    names = []
    for model, library in zip(_pair(seed=5), (layerwise, keras)):
        directory = tmp_path / library.__name__
        callback = library.callbacks.ModelCheckpoint(
            str(directory / "{epoch}-{batch}.weights.h5"), save_weights_only=True,
            save_freq=3)
        model.fit(x, y, epochs=2, shuffle=False, verbose=0, callbacks=[callback])
        names.append(sorted(path.name for path in directory.iterdir()))
    assert names[0] == names[1] == ["1-3.weights.h5", "2-2.weights.h5"]
