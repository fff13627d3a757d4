"""BackupAndRestore: a fit killed part-way and restarted ends as an uninterrupted one."""
import json

import numpy as np
import pytest

import layerwise

RNG = np.random.default_rng(0)
X = RNG.random((60, 4)).astype("float32")
Y = (RNG.random((60, 1)) > 0.5).astype("float32")


class Kill(layerwise.callbacks.Callback):
    """Raises at the start of `epoch`, or at the end of batch `batch` of it."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch
        if self.batch is None and epoch == self.epoch:
            raise RuntimeError("killed")

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            raise RuntimeError("killed")


def _model():
    layerwise.utils.set_random_seed(7)
    model = layerwise.Sequential([
        layerwise.Input((4,)), layerwise.layers.Dense(8, activation="relu"),
        layerwise.layers.Dropout(0.25), layerwise.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, callbacks, x=X, y=Y, **kwargs):
    return model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=callbacks, **kwargs)


@pytest.mark.parametrize("save_freq, kill", [("epoch", Kill(3)), (2, Kill(2, batch=4))])
def test_a_killed_fit_resumes_to_the_uninterrupted_weights(tmp_path, save_freq, kill):
    reference = _model()
    reference_history = _fit(reference, [layerwise.callbacks.BackupAndRestore(
        tmp_path / "reference", save_freq=save_freq)])

    backup = tmp_path / "backup"
    with pytest.raises(RuntimeError, match="killed"):
        _fit(_model(), [layerwise.callbacks.BackupAndRestore(backup, save_freq=save_freq),
                        kill])
    metadata = json.loads((backup / "latest" / "training_metadata.json").read_text())
    assert (metadata["epoch"], metadata["batch"]) == ((3, 0) if save_freq == "epoch"
                                                      else (2, 4))
    resumed = _model()  # a new process would start from scratch like this
    history = _fit(resumed, [layerwise.callbacks.BackupAndRestore(backup,
                                                                  save_freq=save_freq)])
    for ours, theirs in zip(resumed.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(resumed.optimizer.variables, reference.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(ours.value), np.asarray(theirs.value))
    resumed_epochs = 2 if save_freq == "epoch" else 3
    assert history.epoch == list(range(5 - resumed_epochs, 5))
    if save_freq == "epoch":  # whole epochs resumed: their logs are the reference's
        np.testing.assert_allclose(history.history["loss"],
                                   reference_history.history["loss"][3:], rtol=1e-6)
    assert not backup.exists()  # deleted once the fit completed


def test_a_generator_fed_fit_resumes_at_the_epoch(tmp_path):
    def batches():
        while True:
            for start in range(0, 60, 8):
                yield X[start:start + 8], Y[start:start + 8]

    reference = _model()
    reference.fit(batches(), steps_per_epoch=8, epochs=4, verbose=0)
    with pytest.raises(RuntimeError, match="killed"):
        _model().fit(batches(), steps_per_epoch=8, epochs=4, verbose=0, callbacks=[
            layerwise.callbacks.BackupAndRestore(tmp_path), Kill(2)])
    resumed = _model()
    resumed.fit(batches(), steps_per_epoch=8, epochs=4, verbose=0,
                callbacks=[layerwise.callbacks.BackupAndRestore(tmp_path)])
    for ours, theirs in zip(resumed.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_keep_the_backup_and_bad_arguments(tmp_path):
    model = _model()
    _fit(model, [layerwise.callbacks.BackupAndRestore(tmp_path / "kept",
                                                      delete_checkpoint=False,
                                                      double_checkpoint=True)])
    assert (tmp_path / "kept" / "latest" / "training_state.npz").exists()
    assert (tmp_path / "kept" / "previous" / "training_state.npz").exists()
    # A finished backup restarts at its end: nothing left to train.
    history = _fit(model, [layerwise.callbacks.BackupAndRestore(tmp_path / "kept",
                                                                delete_checkpoint=False)])
    assert history.epoch == []
    with pytest.raises(ValueError, match="save_freq"):
        layerwise.callbacks.BackupAndRestore(tmp_path, save_freq="batch")
    with pytest.raises(ValueError, match="backup_dir"):
        layerwise.callbacks.BackupAndRestore("")
