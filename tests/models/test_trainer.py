"""fit / evaluate / predict / *_on_batch, cross-checked against real Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, keras, moons, twins


CLASSIFIER = dict(loss="binary_crossentropy", metrics=("accuracy",))


def _seed_model(k):
    return k.Sequential([k.Input((2,)), k.layers.Dense(4, activation="tanh"),
                         k.layers.Dense(2, activation="tanh"),
                         k.layers.Dense(1, activation="sigmoid")])


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "nadam"])
def test_one_epoch_matches_keras(optimizer):
    x, y = moons(1000)  # 31 full batches of 32 and a partial batch of 8
    ours, theirs = twins(_seed_model, optimizer=optimizer, **CLASSIFIER)
    our_history = ours.fit(x, y, epochs=1, shuffle=False, verbose=0)
    their_history = theirs.fit(x, y, epochs=1, shuffle=False, verbose=0)
    assert_weights_close(ours, theirs, rtol=1e-5, atol=1e-6)
    assert list(our_history.history) == list(their_history.history)
    for key in their_history.history:
        np.testing.assert_allclose(our_history.history[key], their_history.history[key],
                                   rtol=1e-5)


def test_three_epochs_with_validation_match_keras():
    x, y = moons(300)
    ours, theirs = twins(_seed_model, optimizer="adam", **CLASSIFIER)
    kwargs = dict(epochs=3, shuffle=False, verbose=0, validation_split=0.2, batch_size=16)
    our_history = ours.fit(x, y, **kwargs).history
    their_history = theirs.fit(x, y, **kwargs).history
    assert list(our_history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert list(our_history) == list(their_history)
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=1e-5, atol=1e-7)
    assert_weights_close(ours, theirs)


def test_validation_freq_matches_keras():
    x, y = moons(300)
    ours, theirs = twins(_seed_model, optimizer="adam", **CLASSIFIER)
    kwargs = dict(epochs=4, shuffle=False, verbose=0, validation_split=0.2, batch_size=32,
                  validation_freq=2)
    our_history = ours.fit(x, y, **kwargs).history
    their_history = theirs.fit(x, y, **kwargs).history
    assert {key: len(values) for key, values in our_history.items()} == \
        {key: len(values) for key, values in their_history.items()}
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=1e-5, atol=1e-7)


def test_validation_inside_the_epoch_program_equals_a_separate_evaluation(capsys):
    """Validation is fused into the epoch's program unless callbacks see every batch."""
    x, y = moons(300)

    class EveryBatch(layerwise.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    histories = []
    for kwargs in (dict(verbose=0), dict(verbose=1), dict(verbose=0, callbacks=[EveryBatch()])):
        layerwise.utils.set_random_seed(3)
        model = _seed_model(layerwise)
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        histories.append(model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25,
                                   **kwargs).history)
        evaluated = model.evaluate(x[225:], y[225:], batch_size=16, verbose=0,
                                   return_dict=True)
        assert evaluated["loss"] == pytest.approx(histories[-1]["val_loss"][-1], rel=1e-6)
    capsys.readouterr()
    assert histories[0] == histories[1] == histories[2]


@pytest.mark.parametrize("metrics, weighted_metrics", [
    (["accuracy"], ["accuracy"]),            # the weighted one becomes weighted_accuracy
    ([], ["accuracy", "mse"]),
    (["mae", "mae"], ["mae", "accuracy"]),   # repeated names get _1, weighted_mae, ...
])
def test_weighted_metrics_match_keras(metrics, weighted_metrics):
    x, y = moons(300)  # 300 = 18 batches of 16 and a partial batch of 12
    weights = np.random.default_rng(1).uniform(0.1, 2.0, size=len(x)).astype("float32")
    ours, theirs = twins(_seed_model, optimizer=lambda k: k.optimizers.Adam(0.01),
                         loss="binary_crossentropy", metrics=list(metrics),
                         weighted_metrics=list(weighted_metrics))
    kwargs = dict(epochs=2, batch_size=16, shuffle=False, verbose=0, sample_weight=weights,
                  validation_data=(x[:50], y[:50], weights[:50]))
    their_history = theirs.fit(x, y, **kwargs).history
    our_history = ours.fit(x, y, **kwargs).history
    assert list(our_history) == list(their_history)
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=1e-5, atol=1e-7)
    their_eval = theirs.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    our_eval = ours.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    assert list(our_eval) == list(their_eval)
    for key in their_eval:
        np.testing.assert_allclose(our_eval[key], their_eval[key], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        ours.evaluate(x, y, sample_weight=weights, verbose=0),
        theirs.evaluate(x, y, sample_weight=weights, verbose=0), rtol=1e-5, atol=1e-7)
    assert ours.metrics_names == theirs.metrics_names


def test_categorical_model_with_mse_and_mae_metrics_matches_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 200)]

    def build(k):
        return k.Sequential([k.Input((5,)), k.layers.Dense(8, activation="relu"),
                             k.layers.Dense(3, activation="softmax")])

    ours, theirs = twins(build, optimizer="adam", loss="categorical_crossentropy",
                         metrics=["accuracy", "mse", "mae"])
    ours_h = ours.fit(x, y, epochs=2, shuffle=False, verbose=0, batch_size=50).history
    theirs_h = theirs.fit(x, y, epochs=2, shuffle=False, verbose=0, batch_size=50).history
    assert list(ours_h) == list(theirs_h)
    for key in theirs_h:
        np.testing.assert_allclose(ours_h[key], theirs_h[key], rtol=1e-5)


def test_evaluate_and_predict_match_keras():
    x, y = moons(100)
    ours, theirs = twins(_seed_model, optimizer="adam", **CLASSIFIER)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0),
                               rtol=1e-6)
    assert ours.evaluate(x, y, verbose=0, return_dict=True).keys() == \
        theirs.evaluate(x, y, verbose=0, return_dict=True).keys()
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(ours(x[:3])), np.asarray(theirs(x[:3])), rtol=1e-6)


def test_train_and_test_on_batch_match_keras():
    x, y = moons(64)
    ours, theirs = twins(_seed_model, optimizer="adam", **CLASSIFIER)
    for _ in range(3):
        ours_logs = ours.train_on_batch(x, y)
        theirs_logs = theirs.train_on_batch(x, y)
    np.testing.assert_allclose(ours_logs, theirs_logs, rtol=1e-5)
    assert_weights_close(ours, theirs)
    np.testing.assert_allclose(ours.test_on_batch(x, y), theirs.test_on_batch(x, y), rtol=1e-5)
    np.testing.assert_allclose(ours.predict_on_batch(x), theirs.predict_on_batch(x),
                               rtol=1e-6, atol=1e-7)


def test_sample_weight_matches_keras():
    x, y = moons(100)
    weights = np.linspace(0.1, 2.0, 100).astype("float32")
    ours, theirs = twins(_seed_model, optimizer="sgd", **CLASSIFIER)
    a = ours.fit(x, y, sample_weight=weights, shuffle=False, verbose=0, batch_size=30).history
    b = theirs.fit(x, y, sample_weight=weights, shuffle=False, verbose=0, batch_size=30).history
    for key in b:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5)
    assert_weights_close(ours, theirs)


def test_dropout_fit_matches_keras_under_the_same_seed():
    """Same seed -> same initial weights and the same dropout masks as Keras."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 6)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")

    def build(k):
        k.utils.set_random_seed(7)
        return k.Sequential([k.Input((6,)), k.layers.Dense(16, activation="relu"),
                             k.layers.Dropout(0.3), k.layers.Dense(1, activation="sigmoid")])

    theirs, ours = build(keras), build(layerwise)
    assert_weights_close(ours, theirs, rtol=0, atol=0)
    theirs.compile("adam", "binary_crossentropy")
    ours.compile("adam", "binary_crossentropy")
    a = ours.fit(x, y, epochs=2, shuffle=False, verbose=0).history
    b = theirs.fit(x, y, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-5)
    assert_weights_close(ours, theirs)


def test_shuffling_is_reproducible_and_changes_order():
    x, y = moons(200)

    def run(seed, shuffle=True):
        layerwise.utils.set_random_seed(seed)
        model = _seed_model(layerwise)
        model.compile("adam", "binary_crossentropy")
        model.fit(x, y, epochs=2, verbose=0, shuffle=shuffle)
        return model.get_weights()

    first, again, other = run(3), run(3), run(4)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    unshuffled = run(3, shuffle=False)
    assert any(not np.array_equal(a, b) for a, b in zip(first, unshuffled))
    assert any(not np.array_equal(a, b) for a, b in zip(first, other))


def test_fit_returns_history_with_params_and_model():
    x, y = moons(100)
    model = _seed_model(layerwise)
    model.compile("adam", "binary_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=2, verbose=0, batch_size=10, validation_data=(x, y))
    assert list(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 10}
    assert history.model is model and model.history is history


def test_progress_output_formats(capsys):
    x, y = moons(100)
    model = _seed_model(layerwise)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=2, batch_size=10, validation_split=0.2)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2"
    assert out[1].startswith("8/8 - ")
    assert "/step - accuracy: " in out[1] and " - loss: " in out[1]
    assert " - val_accuracy: " in out[1] and out[1].split(" - ")[-1].startswith("val_loss: ")
    model.fit(x, y, epochs=1, verbose=1, batch_size=10)
    out = capsys.readouterr().out
    assert "Epoch" not in out  # header only when epochs > 1
    assert "10/10 ━━━━━━━━━━━━━━━━━━━━" in out and "accuracy: " in out


def test_partial_last_batch_is_counted_once():
    """Epoch loss is the batch-size-weighted mean over all samples, partial batch included."""
    x, y = moons(70)
    model = _seed_model(layerwise)
    model.compile("sgd", "binary_crossentropy")
    before = model.evaluate(x, y, batch_size=70, verbose=0)
    assert np.isclose(before, model.evaluate(x, y, batch_size=32, verbose=0), rtol=1e-5)


def test_learning_rate_can_be_changed_between_fits():
    x, y = moons(64)
    model = _seed_model(layerwise)
    model.compile(layerwise.optimizers.SGD(learning_rate=0.1), "binary_crossentropy")
    model.fit(x, y, verbose=0)
    model.optimizer.learning_rate = 0.0
    frozen = model.get_weights()
    model.fit(x, y, verbose=0, epochs=2)
    for a, b in zip(frozen, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_predict_accepts_lists_and_any_number_of_rows():
    model = _seed_model(layerwise)
    for rows in (1, 31, 32, 33, 100, 257):
        x = np.random.default_rng(rows).normal(size=(rows, 2))
        assert model.predict(x, verbose=0).shape == (rows, 1)
    assert model.predict([[0.0, 1.0], [1.0, 0.0]], verbose=0).shape == (2, 1)


def test_seeded_shuffled_fit_matches_keras():
    """Same seed: same initial weights and the same shuffled batches as Keras 3.15."""
    x, y = moons(200)

    def run(k):
        k.utils.set_random_seed(21)
        model = _seed_model(k)
        model.compile(k.optimizers.Adam(learning_rate=0.01), "binary_crossentropy",
                      metrics=["accuracy"])
        first = model.fit(x, y, epochs=3, batch_size=16, verbose=0).history
        model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])  # a fresh optimizer
        second = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
        return model, first, second

    ours, our_first, our_second = run(layerwise)
    theirs, their_first, their_second = run(keras)
    for a, b in ((our_first, their_first), (our_second, their_second)):
        for key in b:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-5)
    assert_weights_close(ours, theirs)


def test_callbacks_written_with_required_logs_arguments_work():
    calls = []

    class Strict(layerwise.callbacks.Callback):
        def on_train_begin(self, logs):
            calls.append(("train_begin", logs))

        def on_epoch_begin(self, epoch, logs):
            calls.append(("epoch_begin", logs))

        def on_epoch_end(self, epoch, logs):
            calls.append(("epoch_end", sorted(logs)))

    x, y = moons(50)
    model = _seed_model(layerwise)
    model.compile("adam", "binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0, callbacks=[Strict()])
    assert calls == [("train_begin", {}), ("epoch_begin", {}), ("epoch_end", ["loss"])]


def _metrics_view(model):
    results = {name: float(np.asarray(value))
               for name, value in model.get_metrics_result().items()}
    return model.metrics_names, results


@pytest.mark.parametrize("validation_split", [0.0, 0.5])
def test_metric_objects_hold_the_last_epoch_or_evaluation_like_keras(validation_split):
    def make(k):
        inputs = k.Input((3,))
        first = k.layers.Dense(1, name="first")(inputs)
        second = k.layers.Dense(2, activation="softmax", name="second")(inputs)
        return k.Model(inputs, [first, second])

    ours, theirs = twins(make, loss=["mse", "categorical_crossentropy"], optimizer="sgd",
                         metrics=[["mae"], ["accuracy"]])
    assert ours.metrics_names == theirs.metrics_names
    rng = np.random.default_rng(1)
    x = rng.random((16, 3)).astype("float32")
    y = [rng.random((16, 1)).astype("float32"),
         np.eye(2, dtype="float32")[rng.integers(0, 2, 16)]]
    for model in (ours, theirs):
        model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0,
                  validation_split=validation_split)
    (our_names, our_results), (their_names, their_results) = map(_metrics_view, (ours, theirs))
    assert our_names == their_names and list(our_results) == list(their_results)
    np.testing.assert_allclose(list(our_results.values()), list(their_results.values()),
                               rtol=1e-5)
    for model in (ours, theirs):
        model.evaluate(x[:8], [y[0][:8], y[1][:8]], verbose=0)
    np.testing.assert_allclose(list(_metrics_view(ours)[1].values()),
                               list(_metrics_view(theirs)[1].values()), rtol=1e-5)
