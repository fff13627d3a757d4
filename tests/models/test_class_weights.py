"""class_weight in fit on every data path, against Keras (models/class_weights.py)."""
import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, copy_weights, keras
from layerwise.models.class_weights import class_weights_to_sample_weights

ROWS, BATCH, CLASSES = 40, 8, 3
CLASS_WEIGHT = {0: 0.5, 1: 3.0}  # class 2 is not listed: weight 1


def _data(one_hot):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(ROWS, 4)).astype("float32")
    labels = rng.integers(0, CLASSES, ROWS)
    y = np.eye(CLASSES, dtype="float32")[labels] if one_hot else labels.astype("float32")
    return x, y


def _model(library, one_hot):
    library.utils.set_random_seed(2)
    model = library.Sequential([library.Input((4,)), library.layers.Dense(6, activation="tanh"),
                                library.layers.Dense(CLASSES, activation="softmax")])
    loss = "categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy"
    model.compile(library.optimizers.SGD(0.1), loss, metrics=["accuracy"])
    return model


def _twins(one_hot):
    ours, theirs = _model(layerwise, one_hot), _model(keras, one_hot)
    copy_weights(theirs, ours)
    return ours, theirs


def _dataset(library, x, y):
    class Batches(library.utils.PyDataset):
        def __len__(self):
            return ROWS // BATCH

        def __getitem__(self, index):
            rows = slice(index * BATCH, (index + 1) * BATCH)
            return x[rows], y[rows]

    return Batches()


def _assert_same_fit(our_history, their_history, ours, theirs):
    assert our_history.history.keys() == their_history.history.keys()
    for key, values in their_history.history.items():
        np.testing.assert_allclose(our_history.history[key], values, rtol=1e-5, atol=1e-6)
    assert_weights_close(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("one_hot", [False, True], ids=["sparse", "one_hot"])
def test_py_dataset_fit_matches_keras(one_hot):
    x, y = _data(one_hot)
    ours, theirs = _twins(one_hot)
    # shuffle=False: Keras shuffles a PyDataset's batch order with Python's `random`.
    arguments = dict(epochs=2, class_weight=CLASS_WEIGHT, shuffle=False, verbose=0)
    our_history = ours.fit(_dataset(layerwise, x, y), **arguments)
    their_history = theirs.fit(_dataset(keras, x, y), **arguments)
    _assert_same_fit(our_history, their_history, ours, theirs)


def test_arrays_with_steps_per_epoch_match_keras():
    x, y = _data(False)
    ours, theirs = _twins(False)
    arguments = dict(batch_size=BATCH, epochs=2, steps_per_epoch=3, shuffle=False,
                     class_weight=CLASS_WEIGHT, validation_split=0.25, verbose=0)
    _assert_same_fit(ours.fit(x, y, **arguments), theirs.fit(x, y, **arguments), ours, theirs)


def test_generator_with_class_weight_is_an_error_as_in_keras():
    x, y = _data(False)
    model = _model(layerwise, False)
    batches = ((x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, ROWS, BATCH))
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(batches, class_weight=CLASS_WEIGHT, verbose=0)


def test_py_dataset_batches_with_sample_weights_are_an_error_as_in_keras():
    x, y = _data(False)

    class Weighted(layerwise.utils.PyDataset):
        def __len__(self):
            return 1

        def __getitem__(self, index):
            return x[:BATCH], y[:BATCH], np.ones(BATCH, "float32")

    with pytest.raises(ValueError, match="class_weight"):
        _model(layerwise, False).fit(Weighted(), class_weight=CLASS_WEIGHT, verbose=0)


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_sparse_labels_are_rounded(shape):
    y = np.array([0.2, 0.9, 1.6, 2.0, 0.0, 1.1], "float32").reshape(shape)
    np.testing.assert_array_equal(class_weights_to_sample_weights(CLASS_WEIGHT, y),
                                  [0.5, 3.0, 1.0, 1.0, 0.5, 3.0])


def test_array_fit_leaves_validation_unweighted_as_keras_does():
    x, y = _data(False)
    ours, theirs = _twins(False)
    arguments = dict(batch_size=BATCH, epochs=2, shuffle=False, class_weight=CLASS_WEIGHT,
                     validation_split=0.25, verbose=0)
    _assert_same_fit(ours.fit(x, y, **arguments), theirs.fit(x, y, **arguments), ours, theirs)


def test_several_outputs_are_an_error_as_in_keras():
    rng = np.random.default_rng(4)
    inputs = layerwise.Input((4,))
    model = layerwise.Model(inputs, [layerwise.layers.Dense(2)(inputs),
                                     layerwise.layers.Dense(2)(inputs)])
    model.compile("sgd", "mse")
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    with pytest.raises(ValueError, match="single output"):
        model.fit(x, [y, y], class_weight=CLASS_WEIGHT, verbose=0)
    with pytest.raises(ValueError, match="single output"):
        model.fit(x, [y, y], class_weight=CLASS_WEIGHT, steps_per_epoch=1, batch_size=4,
                  verbose=0)
