"""ArrayDataset, split_dataset and timeseries_dataset_from_array.

Keras returns tf.data datasets here (TensorFlow is not installed), so the expected values
follow Keras's documented semantics."""
import random

import numpy as np
import pytest

import layerwise
from layerwise.utils import ArrayDataset, split_dataset, timeseries_dataset_from_array


def test_array_dataset_batches_and_iterates():
    x, y = np.arange(10).reshape(10, 1), np.arange(10) * 2
    dataset = ArrayDataset((x, y), batch_size=4)
    assert len(dataset) == 3
    batches = list(dataset)
    assert [b[0].shape for b in batches] == [(4, 1), (4, 1), (2, 1)]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    shuffled = ArrayDataset((x, y), batch_size=4, shuffle=True, seed=1)
    xs, ys = shuffled.as_arrays()
    np.testing.assert_array_equal(ys, xs[:, 0] * 2)
    assert sorted(xs[:, 0]) == list(range(10)) and list(xs[:, 0]) != list(range(10))
    with pytest.raises(ValueError, match="same number"):
        ArrayDataset((x, y[:3]))


def test_split_dataset_sizes_and_contents():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = split_dataset((x, y), left_size=0.8)
    assert len(left) == 8 and len(right) == 2
    np.testing.assert_array_equal(right.as_arrays()[1], [8, 9])
    left, right = split_dataset(x, left_size=3, right_size=5, shuffle=True, seed=2)
    assert len(left) == 3 and len(right) == 5
    # Keras shuffles with Python's random seeded by `seed` and takes the right part from
    # the end.
    order = list(range(10))
    random.Random(2).shuffle(order)
    np.testing.assert_array_equal(left.as_arrays(), x[order[:3]])
    np.testing.assert_array_equal(right.as_arrays(), x[order[-5:]])
    batched = left.batch(2)
    assert [b.shape for b in batched] == [(2, 2), (1, 2)]
    with pytest.raises(ValueError, match="left_size"):
        split_dataset(x, left_size=1.5)
    with pytest.raises(ValueError, match="At least one"):
        split_dataset(x)


def test_timeseries_windows_and_targets_follow_keras_documentation():
    # Keras's example: data [0..99], sequence_length=10, sampling_rate=2, stride 3:
    # windows start at 0, 3, 6, ... and hold [0, 2, 4, ..., 18], [3, 5, ..., 21], ...
    data = np.arange(100)
    dataset = timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2,
                                            sequence_stride=3, batch_size=None)
    first, second = dataset[0], dataset[1]
    np.testing.assert_array_equal(first, np.arange(0, 20, 2))
    np.testing.assert_array_equal(second, np.arange(3, 23, 2))
    assert len(dataset) == len(range(0, 100 - 18, 3))
    # Targets: the value 10 steps after each window of 10 (Keras's documented recipe).
    x = np.arange(30, dtype="float32")
    batched = timeseries_dataset_from_array(x[:-10], x[10:], sequence_length=10, batch_size=4)
    inputs, targets = batched[0]
    assert inputs.shape == (4, 10)
    np.testing.assert_array_equal(targets, inputs[:, 0] + 10)
    assert sum(len(b[0]) for b in batched) == 11
    with pytest.raises(ValueError, match="sequence_length"):
        timeseries_dataset_from_array(x, None, sequence_length=0)


def test_a_model_fits_on_the_dataset_arrays():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    dataset = ArrayDataset((x, x.sum(1, keepdims=True)), batch_size=8)
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1)])
    model.compile("sgd", "mse")
    xs, ys = dataset.as_arrays()
    history = model.fit(xs, ys, batch_size=8, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_fit_evaluate_predict_take_the_dataset():
    # Runs once the streamed training loop (PyDataset input to fit) is on the branch.
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    dataset = ArrayDataset((x, x.sum(1, keepdims=True)), batch_size=8)
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    assert np.isfinite(model.evaluate(dataset, verbose=0))
    assert model.predict(ArrayDataset(x, batch_size=8), verbose=0).shape == (32, 1)


def test_timeseries_shuffle_order_and_short_targets_follow_keras():
    data = np.arange(40)
    dataset = timeseries_dataset_from_array(data, None, sequence_length=4, shuffle=True,
                                            seed=7, batch_size=None)
    offsets = np.arange(0, 37)
    np.random.RandomState(7).shuffle(offsets)  # Keras's window order
    assert [int(dataset[i][0]) for i in range(len(dataset))] == offsets.tolist()
    # Fewer targets than windows: Keras keeps as many windows as targets.
    short = timeseries_dataset_from_array(data, np.arange(10), sequence_length=4,
                                          batch_size=None)
    assert len(short) == 10


def test_take_and_skip_count_items_as_tf_data_does():
    x, y = np.arange(10).reshape(10, 1), np.arange(10) * 2
    dataset = ArrayDataset((x, y), batch_size=4, shuffle=True, seed=3)
    batches = [b[1].tolist() for b in dataset]
    assert [b[1].tolist() for b in dataset.take(2)] == batches[:2]
    assert [b[1].tolist() for b in dataset.skip(1)] == batches[1:]
    assert [b[1].tolist() for b in dataset.take(-1)] == batches
    assert len(dataset.take(0)) == 0 and len(dataset.skip(-1)) == 0
    assert len(dataset.take(9)) == 3 and len(dataset.skip(9)) == 0
    samples = ArrayDataset(x)
    assert [int(s[0]) for s in samples.skip(7)] == [7, 8, 9]
    with pytest.raises(ValueError, match="count"):
        dataset.take(-2)


def test_iterated_batches_answer_numpy_like_eager_tensors():
    windows = timeseries_dataset_from_array(np.arange(20.0), np.arange(20), 3, batch_size=5)
    inputs, targets = next(iter(windows.take(1)))
    assert inputs.numpy().shape == (5, 3) and type(inputs.numpy()) is np.ndarray
    np.testing.assert_array_equal(targets.numpy(), np.arange(5))
    assert inputs[:, 1].numpy().tolist() == [1.0, 2.0, 3.0, 4.0, 5.0] and targets[4].numpy() == 4
