"""Data that fit/evaluate/predict take as Keras does (bfloat16, scipy sparse), and
validation data checked as the training data is."""
import json

import ml_dtypes
import numpy as np
import pytest

import layerwise


def data(n=16, features=3):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, features)).astype(np.float32), np.arange(n) % 3


def classifier(library=layerwise, seed=0):
    library.utils.set_random_seed(seed)
    model = library.Sequential([library.Input((3,)), library.layers.Dense(3, activation="softmax")])
    model.compile(library.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("bad, message", [
    (lambda y: np.where(np.arange(len(y)) == 5, 7, y), r"fit \(validation_data\).*\[0, 3\).*7"),
    (lambda y: np.where(np.arange(len(y)) == 5, -1, y), r"fit \(validation_data\).*-1"),
    (lambda y: np.where(np.arange(len(y)) == 5, np.nan, y), r"`y_val` contains 1 NaN"),
])
def test_validation_labels_are_checked_like_training_labels(bad, message):
    x, y = data()
    model = classifier()
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, validation_data=(x, bad(y.astype(np.float32))), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=message.replace(r"fit \(validation_data\)", "fit")
                       .replace("y_val", "y")):
        model.fit(x, bad(y.astype(np.float32)), epochs=1, verbose=0)


def test_validation_inputs_with_nan_are_refused_unless_check_finite_is_off():
    x, y = data()
    x_val = x.copy()
    x_val[3, 1] = np.inf
    model = classifier()
    with pytest.raises(ValueError, match=r"`x_val` contains 1 NaN or infinite.*\(3, 1\)"):
        model.fit(x, y, validation_data=(x_val, y), epochs=1, verbose=0)
    history = model.fit(x, y, validation_data=(x_val, y), epochs=1, verbose=0,
                        check_finite=False)
    assert not np.isfinite(history.history["val_loss"][0])


def test_bfloat16_inputs_train_and_predict_as_in_keras():
    import keras

    x, y = data()
    x16 = x.astype(ml_dtypes.bfloat16)
    results = {}
    for library in (layerwise, keras):
        model = classifier(library)
        history = model.fit(x16, y.astype(ml_dtypes.bfloat16), epochs=2, batch_size=8,
                            verbose=0, shuffle=False)
        results[library.__name__] = (
            history.history["loss"], model.predict(x16, verbose=0),
            model.evaluate(x16, y, verbose=0), np.asarray(model.layers[0](x16)))
    ours, theirs = results["layerwise"], results["keras"]
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-5, atol=1e-6)
    assert ours[1].dtype == ours[3].dtype == np.float32


def test_scipy_sparse_inputs_are_densified():
    sparse = pytest.importorskip("scipy.sparse")
    x, y = data()
    x[x < 0.5] = 0.0
    dense_model, sparse_model = classifier(seed=1), classifier(seed=1)
    dense = dense_model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    for matrix in (sparse.csr_matrix(x), sparse.coo_matrix(x)):
        assert json.dumps(sparse_model.predict(matrix, verbose=0).tolist()) == json.dumps(
            sparse_model.predict(x, verbose=0).tolist())
    history = sparse_model.fit(sparse.csr_matrix(x), y, epochs=2, batch_size=8, verbose=0,
                               shuffle=False)
    assert history.history == dense.history


def test_a_json_string_nested_100k_deep_gives_a_clear_error():
    deep = '{"class_name": "Sequential", "config": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ValueError, match="nested too deeply"):
        layerwise.models.model_from_json(deep)
