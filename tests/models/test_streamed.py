"""fit / evaluate / predict on generators, iterators and PyDatasets (models/streamed.py)."""
import random
import time
import warnings

import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, copy_weights, keras, moons
from layerwise.models.chunks import Chunker, programs_for
from layerwise.models.data_adapters import DatasetSource, is_stream
from layerwise.utils.py_dataset import PyDataset

ROWS, BATCH = 42, 8  # five full batches and a partial one of 2 rows


def _data():
    rng = np.random.default_rng(0)
    return (rng.random((ROWS, 3)).astype("float32"), rng.random((ROWS, 1)).astype("float32"))


def _dropout_model(seed=1):
    layerwise.utils.set_random_seed(seed)
    model = layerwise.Sequential([
        layerwise.Input((3,)), layerwise.layers.Dense(8, activation="relu"),
        layerwise.layers.Dropout(0.3), layerwise.layers.Dense(1)])
    model.compile("adam", "mse", metrics=["mae"])
    return model


def _batches(x, y):
    return [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]


class ListDataset(PyDataset):
    """Batches from a list; with `jitter`, each load sleeps a random moment so that
    workers finish out of order."""

    def __init__(self, batches, jitter=False, **kwargs):
        super().__init__(**kwargs)
        self.batches, self.jitter, self.loaded, self.epochs_ended = batches, jitter, [], 0

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        if self.jitter:
            time.sleep(random.Random(index).random() * 0.02)
        self.loaded.append(index)
        return self.batches[index]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _array_fit():
    x, y = _data()
    model = _dropout_model()
    history = model.fit(x, y, batch_size=BATCH, epochs=3, shuffle=False, verbose=0,
                        validation_data=(x, y))
    return model, history


def _assert_same_fit(model, history, reference_model, reference_history):
    for ours, theirs in zip(model.get_weights(), reference_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    assert list(history.history) == list(reference_history.history)
    for key, values in reference_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-6, atol=1e-7)


def test_generator_fit_equals_array_fit():
    reference_model, reference_history = _array_fit()
    x, y = _data()

    def endless():
        while True:
            yield from _batches(x, y)

    model = _dropout_model()
    history = model.fit(endless(), steps_per_epoch=6, epochs=3, verbose=0,
                        validation_data=(x, y))
    _assert_same_fit(model, history, reference_model, reference_history)


@pytest.mark.parametrize("workers", [1, 2])
def test_py_dataset_fit_equals_array_fit(workers):
    reference_model, reference_history = _array_fit()
    x, y = _data()
    dataset = ListDataset(_batches(x, y), jitter=workers > 1, workers=workers)
    model = _dropout_model()
    history = model.fit(dataset, epochs=3, verbose=0, validation_data=(x, y), shuffle=False)
    _assert_same_fit(model, history, reference_model, reference_history)
    assert dataset.epochs_ended == 3


def test_workers_deliver_batches_in_order():
    x, y = _data()
    batches = _batches(x, y)
    dataset = ListDataset(batches, jitter=True, workers=3, max_queue_size=4)
    received = list(DatasetSource(dataset).batches(None))
    assert sorted(dataset.loaded) == list(range(len(batches)))
    for got, expected in zip(received, batches, strict=True):
        np.testing.assert_array_equal(got[0], expected[0])


def test_validation_generator_and_evaluate_predict_steps():
    x, y = _data()
    model = _dropout_model()

    def endless():
        while True:
            yield from _batches(x, y)

    history = model.fit(endless(), steps_per_epoch=6, epochs=2, verbose=0,
                        validation_data=endless(), validation_steps=6)
    expected_validation = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    streamed = model.evaluate(endless(), steps=6, verbose=0, return_dict=True)
    for key, value in expected_validation.items():
        np.testing.assert_allclose(streamed[key], value, rtol=1e-6)
    np.testing.assert_allclose(history.history["val_loss"][-1], expected_validation["loss"],
                               rtol=1e-6)
    predicted = model.predict(endless(), steps=7, verbose=0)  # wraps around: 42 + 8 rows
    assert predicted.shape == (50, 1)
    np.testing.assert_allclose(predicted[:ROWS], model.predict(x, verbose=0), atol=1e-6)
    # Arrays with `steps` run through the same streamed path.
    np.testing.assert_allclose(model.predict(x, batch_size=BATCH, steps=2, verbose=0),
                               model.predict(x[:16], verbose=0), atol=1e-6)


def test_last_partial_chunk_compiles_once():
    x, y = _data()
    model = _dropout_model()
    model.compile("adam", "mse", steps_per_execution=4)  # 6 batches: a chunk of 4, then 2
    dataset = ListDataset(_batches(x, y))
    model.fit(dataset, epochs=2, verbose=0, shuffle=False)
    programs = programs_for(model._steps, False)
    compiled = programs.train._cache_size()
    model.fit(dataset, epochs=3, verbose=0, shuffle=False)
    assert programs.train._cache_size() == compiled == 2  # the full and the guarded chunk


def test_chunks_pad_the_short_batch_and_the_short_chunk():
    x, y = _data()
    chunker = Chunker(4, pad_rows=True, method="fit")
    chunks = list(chunker.chunks(iter(_batches(x, y))))
    assert [chunk.count for chunk in chunks] == [4, 2]
    assert [chunk.guarded for chunk in chunks] == [False, True]
    assert chunks[0].real_rows is None
    assert list(np.asarray(chunks[1].real_rows)) == [8, 2, 8, 8]
    assert chunks[1].data[0].shape == (4, BATCH, 3)


def test_nested_inputs_from_a_generator():
    x, y = _data()
    first = layerwise.Input((2,), name="a")
    second = layerwise.Input((1,), name="b")
    merged = layerwise.layers.Concatenate()([first, second])
    model = layerwise.Model({"a": first, "b": second}, layerwise.layers.Dense(1)(merged))
    model.compile("sgd", "mse")
    batches = [({"a": bx[:, :2], "b": bx[:, 2:]}, by, np.ones(len(bx), "float32"))
               for bx, by in _batches(x, y)]
    history = model.fit(iter(batches), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert model.predict(iter([(b[0],) for b in batches]), verbose=0).shape == (ROWS, 1)


def test_history_matches_keras_for_the_same_generator():
    x, y = moons(96)
    ours = layerwise.Sequential([layerwise.Input((2,)), layerwise.layers.Dense(4, "tanh"),
                                 layerwise.layers.Dense(1, "sigmoid")])
    theirs = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, "tanh"),
                               keras.layers.Dense(1, "sigmoid")])
    copy_weights(theirs, ours)
    for model in (ours, theirs):
        model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])

    def endless():
        while True:
            for start in range(0, 96, 20):
                yield x[start:start + 20], y[start:start + 20]

    records = {}
    for name, library, model in (("ours", layerwise, ours), ("theirs", keras, theirs)):
        seen = records[name] = []

        class Record(library.callbacks.Callback):
            def on_train_begin(self, logs=None):
                seen.append(("params", self.params["steps"]))

            def on_train_batch_end(self, batch, logs=None):
                seen.append((batch, sorted(logs)))

        history = model.fit(endless(), steps_per_epoch=5, epochs=2, verbose=0,
                            callbacks=[Record()], validation_data=endless(),
                            validation_steps=5)
        records[name + "_history"] = history.history
    assert records["ours"] == records["theirs"]
    assert list(records["ours_history"]) == list(records["theirs_history"])
    for key, values in records["theirs_history"].items():
        # Keras peeks at a validation generator again each epoch, which shifts its later
        # passes by the batches it peeked; ours continues exactly where the last pass
        # stopped, so only the first validation is comparable.
        compared = slice(1) if key.startswith("val_") else slice(None)
        np.testing.assert_allclose(records["ours_history"][key][compared], values[compared],
                                   rtol=1e-5)
    assert_weights_close(ours, theirs)


def test_generator_input_errors():
    x, y = _data()
    model = _dropout_model()
    with pytest.raises(ValueError, match="`y` must not be passed"):
        model.fit(iter(_batches(x, y)), y, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(iter(_batches(x, y)), validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(iter(_batches(x, y)), steps_per_epoch=0, verbose=0)
    with pytest.raises(ValueError, match="tuple of 4"):
        model.fit(iter([(x, y, y, y)]), verbose=0)
    with pytest.raises(ValueError, match="no batch"):
        model.fit(iter([]), verbose=0)


def test_exhausted_generator_stops_training_with_a_warning():
    x, y = _data()
    model = _dropout_model()
    with pytest.warns(UserWarning, match="ran out"):
        history = model.fit(iter(_batches(x, y)), epochs=3, verbose=0)
    assert history.epoch == [0]


def test_is_stream():
    x, _ = _data()
    assert is_stream(iter([1])) and is_stream(ListDataset([]))
    assert is_stream(x for x in [])
    assert not any(is_stream(value) for value in (x, [x], {"a": x}, None, (x, x)))


def test_py_dataset_arguments_are_checked():
    with pytest.raises(ValueError, match="workers"):
        ListDataset([], workers=0)
    assert layerwise.utils.Sequence is layerwise.utils.PyDataset


def test_progress_of_a_pass_of_unknown_length(capsys):
    x, y = _data()
    model = _dropout_model()
    model.fit((batch for batch in _batches(x, y)), verbose=1)
    shown = capsys.readouterr().out
    assert "6/Unknown" in shown and "6/6" in shown  # counted by the end, as Keras shows
    model.fit((batch for batch in _batches(x, y)), verbose=2)
    assert capsys.readouterr().out.startswith("6/6 - ")


class SliceDataset(PyDataset):
    """Module-level (importable by worker processes): batches sliced from fixed data."""

    def __len__(self):
        return len(_batches(*_data()))

    def __getitem__(self, index):
        return _batches(*_data())[index]


@pytest.mark.slow  # starts worker processes, each importing JAX
def test_worker_processes_give_the_same_fit():
    weights = []
    for options in ({}, {"workers": 2, "use_multiprocessing": True}):
        model = _dropout_model()
        model.fit(SliceDataset(**options), epochs=2, verbose=0)
        weights.append(model.get_weights())
    for ours, theirs in zip(*weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("steps_per_epoch", [3, 7])  # fewer, and more, than a pass has
def test_arrays_with_steps_per_epoch_match_keras(steps_per_epoch):
    x, y = _data()
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    ours = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1)])
    copy_weights(theirs, ours)
    histories = []
    for model in (theirs, ours):
        model.compile("sgd", "mse")
        with warnings.catch_warnings():  # with 7, each epoch runs out of data
            warnings.simplefilter("ignore")
            histories.append(model.fit(x, y, batch_size=BATCH, epochs=3, shuffle=False,
                                       steps_per_epoch=steps_per_epoch, verbose=0).history)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=1e-5)
    assert_weights_close(ours, theirs)


def test_an_empty_py_dataset_is_an_error_not_a_hang():
    model = _dropout_model()
    with pytest.raises(ValueError, match="no batch"):
        model.fit(ListDataset([]), steps_per_epoch=2, verbose=0)


@pytest.mark.parametrize("shuffle", [True, False])
def test_py_dataset_batch_order_is_shuffled_like_keras(shuffle):
    # fit's default shuffle=True visits a PyDataset's batches in an order drawn from
    # Python's `random` each epoch; the same seed must give Keras's order and weights.
    x, y = moons(96)
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 96, 16)]
    models = {name: library.Sequential([library.Input((2,)),
                                        library.layers.Dense(4, "tanh"),
                                        library.layers.Dense(1, "sigmoid")])
              for name, library in (("ours", layerwise), ("theirs", keras))}
    copy_weights(models["theirs"], models["ours"])
    orders = {}
    for name, library in (("ours", layerwise), ("theirs", keras)):
        class Recorded(library.utils.PyDataset):
            def __len__(self):
                return len(batches)

            def __getitem__(self, index):
                orders.setdefault(name, []).append(index)
                return batches[index]

        models[name].compile("sgd", "binary_crossentropy")
        library.utils.set_random_seed(3)
        models[name].fit(Recorded(), epochs=3, shuffle=shuffle, verbose=0)
    # Both load one batch to build from before the epochs; unshuffled, ours takes it from
    # the first epoch's pass instead of loading it again.
    ours_order = orders["ours"][1:] if shuffle else orders["ours"]
    assert ours_order == orders["theirs"][1:]
    assert (ours_order != list(range(6)) * 3) == shuffle
    assert_weights_close(models["ours"], models["theirs"])
