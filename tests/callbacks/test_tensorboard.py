"""TensorBoard writes event files that TensorBoard's own reader reads back."""
import numpy as np
import pytest

import layerwise

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")


def _read(folder):
    accumulator = event_accumulator.EventAccumulator(
        str(folder), size_guidance={event_accumulator.SCALARS: 0,
                                    event_accumulator.HISTOGRAMS: 0})
    accumulator.Reload()
    return accumulator


def _values(accumulator, tag):
    return [event.value for event in accumulator.Scalars(tag)], \
        [event.step for event in accumulator.Scalars(tag)]


def _fit(log_dir, **options):
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 3)).astype("float32"), rng.random((40, 1)).astype("float32")
    layerwise.utils.set_random_seed(0)
    model = layerwise.Sequential([layerwise.Input((3,)),
                                  layerwise.layers.Dense(4, activation="relu"),
                                  layerwise.layers.Dense(1)])
    model.compile(layerwise.optimizers.SGD(0.05), "mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[layerwise.callbacks.TensorBoard(log_dir, **options)])
    return model, history, (x, y)


def test_epoch_scalars_equal_the_history(tmp_path):
    model, history, _ = _fit(tmp_path, histogram_freq=1)
    train, validation = _read(tmp_path / "train"), _read(tmp_path / "validation")
    for name in ("loss", "mae"):
        values, steps = _values(train, f"epoch_{name}")
        np.testing.assert_allclose(values, history.history[name], rtol=1e-6)
        assert steps == [0, 1, 2]
        values, _ = _values(validation, f"epoch_{name}")
        np.testing.assert_allclose(values, history.history[f"val_{name}"], rtol=1e-6)
    np.testing.assert_allclose(_values(train, "epoch_learning_rate")[0], [0.05] * 3)
    expected_tags = {f"{w.path}/histogram" for layer in model.layers for w in layer.weights}
    assert set(train.Tags()["histograms"]) == expected_tags
    kernel = model.layers[0].weights[0]
    histogram = train.Histograms(f"{kernel.path}/histogram")[-1].histogram_value
    assert histogram.num == kernel.value.size
    np.testing.assert_allclose([histogram.min, histogram.max],
                               [float(np.min(kernel.value)), float(np.max(kernel.value))],
                               rtol=1e-6)


def test_batch_scalars_every_update_freq_batches(tmp_path):
    _, history, _ = _fit(tmp_path, update_freq=2)
    values, steps = _values(_read(tmp_path / "train"), "batch_loss")
    # 30 training rows in batches of 8: 4 batches an epoch, 12 in all.
    assert steps == [2, 4, 6, 8, 10, 12]
    np.testing.assert_allclose(values[1], history.history["loss"][0], rtol=1e-6)


def test_evaluate_writes_against_the_iterations(tmp_path):
    model, _, (x, y) = _fit(tmp_path / "fit")
    logs = model.evaluate(x, y, verbose=0, return_dict=True,
                          callbacks=[layerwise.callbacks.TensorBoard(tmp_path / "evaluate")])
    values, steps = _values(_read(tmp_path / "evaluate" / "validation"),
                            "evaluation_loss_vs_iterations")
    np.testing.assert_allclose(values, [logs["loss"]], rtol=1e-6)
    assert steps == [12]


def test_bad_arguments():
    with pytest.raises(ValueError, match="update_freq"):
        layerwise.callbacks.TensorBoard(update_freq="sometimes")
