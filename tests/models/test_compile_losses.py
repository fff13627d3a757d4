"""Multi-input / multi-output compile, fit, evaluate and predict, compared with Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def _two_in_two_out(k):
    a = k.Input((3,), name="a")
    b = k.Input((2,), name="b")
    hidden = k.layers.Dense(4, activation="tanh", name="hidden")(
        k.layers.Concatenate(name="joined")([a, b]))
    reg = k.layers.Dense(1, name="reg_head")(hidden)
    cls = k.layers.Dense(1, activation="sigmoid", name="cls_head")(hidden)
    return k.Model({"a": a, "b": b}, {"reg": reg, "cls": cls})


def _list_model(k):
    a = k.Input((3,), name="a")
    b = k.Input((2,), name="b")
    hidden = k.layers.Dense(4, activation="tanh")(k.layers.Concatenate()([a, b]))
    return k.Model([a, b], [k.layers.Dense(1, name="o1")(hidden),
                            k.layers.Dense(2, activation="softmax", name="o2")(hidden)])


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = {"a": rng.normal(size=(n, 3)).astype("float32"),
         "b": rng.normal(size=(n, 2)).astype("float32")}
    y = {"reg": rng.normal(size=(n, 1)).astype("float32"),
         "cls": (rng.random((n, 1)) > 0.5).astype("float32")}
    return x, y


def _twins(make):
    ours, theirs = make(layerwise), make(keras)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def _assert_same_logs(ours, theirs):
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-6, err_msg=key)


COMPILE_OPTIONS = {
    "dicts": dict(loss={"reg": "mse", "cls": "binary_crossentropy"},
                  loss_weights={"reg": 1.0, "cls": 0.5},
                  metrics={"reg": ["mae"], "cls": ["accuracy"]}),
    "lists_in_sorted_output_order": dict(loss=["binary_crossentropy", "mse"],
                                         metrics=[["accuracy"], ["mae", "mse"]]),
    "one_loss_for_all": dict(loss="mse"),
    "weighted_and_repeated": dict(loss={"cls": "binary_crossentropy", "reg": "mse"},
                                  metrics={"cls": "accuracy", "reg": ["mae", "mae"]},
                                  weighted_metrics={"reg": ["mae"], "cls": ["accuracy"]}),
}


@pytest.mark.parametrize("options", [
    pytest.param(name, marks=() if name in ("dicts", "weighted_and_repeated") else pytest.mark.slow)
    for name in COMPILE_OPTIONS])
def test_two_input_two_output_history_matches_keras(options):
    x, y = _data()
    x_val, y_val = _data(10, seed=1)
    histories, evaluations = [], []
    for model in _twins(_two_in_two_out):
        model.compile(optimizer="sgd", **COMPILE_OPTIONS[options])
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False,
                            validation_data=(x_val, y_val))
        histories.append(history.history)
        evaluations.append(model.evaluate(x_val, y_val, batch_size=8, verbose=0))
    _assert_same_logs(*histories)
    np.testing.assert_allclose(evaluations[0], evaluations[1], rtol=1e-5, atol=1e-6)


def test_per_output_sample_weights_and_a_partial_last_batch():
    x, y = _data(21)
    rng = np.random.default_rng(5)
    weights = {"reg": rng.random(21).astype("float32"), "cls": rng.random(21).astype("float32")}
    results = []
    for model in _twins(_two_in_two_out):
        model.compile(optimizer="sgd", loss={"reg": "mse", "cls": "binary_crossentropy"},
                      weighted_metrics={"reg": ["mae"], "cls": ["accuracy"]})
        history = model.fit(x, y, sample_weight=weights, batch_size=8, epochs=2, verbose=0,
                            shuffle=False)
        results.append((history.history, model.evaluate(
            x, y, sample_weight=weights, batch_size=8, verbose=0, return_dict=True)))
    _assert_same_logs(results[0][0], results[1][0])
    _assert_same_logs(results[0][1], results[1][1])


def test_list_outputs_take_list_targets_and_layer_names_and_predict_as_keras():
    x, y = _data()
    targets = [y["reg"], np.eye(2, dtype="float32")[y["cls"][:, 0].astype(int)]]
    results = []
    for model in _twins(_list_model):
        model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"],
                      loss_weights=[0.3, 1.0], metrics=[["mae"], ["accuracy"]])
        history = model.fit([x["a"], x["b"]], targets, batch_size=8, epochs=2, verbose=0,
                            shuffle=False)
        prediction = model.predict(x, verbose=0)  # a dict keyed by input name works too
        results.append((history.history, prediction,
                        model.evaluate([x["a"], x["b"]], targets, verbose=0)))
    _assert_same_logs(results[0][0], results[1][0])
    assert type(results[0][1]) is type(results[1][1]) is list
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-5, atol=1e-6)


def test_predict_returns_a_dict_for_dict_outputs():
    x, _ = _data()
    predictions = [model.predict(x, verbose=0) for model in _twins(_two_in_two_out)]
    assert isinstance(predictions[0], dict) and sorted(predictions[0]) == sorted(predictions[1])
    for key in predictions[1]:
        np.testing.assert_allclose(predictions[0][key], predictions[1][key], rtol=1e-5,
                                   atol=1e-6)


def test_metrics_list_that_does_not_match_the_outputs_is_rejected():
    x, y = _data()
    for k in (layerwise, keras):
        model = _list_model(k)
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        with pytest.raises(ValueError, match="metrics"):
            model.fit([x["a"], x["b"]], [y["reg"], np.zeros((24, 2), "float32")], verbose=0)


def test_outputs_of_one_layer_each_get_their_own_loss_as_in_keras():
    # LSTM(return_state=True) gives three outputs named after one layer: each output's
    # loss must use its own target, and the logs share one "<layer>_loss" key as in Keras.
    x = np.random.default_rng(0).normal(size=(8, 6, 4)).astype("float32")

    def make(library):
        library.utils.set_random_seed(0)
        inputs = library.Input((6, 4))
        outputs = library.layers.LSTM(3, return_state=True, return_sequences=True,
                                      name="recurrent")(inputs)
        model = library.Model(inputs, outputs)
        model.compile(library.optimizers.SGD(0.05), "mse")
        return model

    ours, theirs = make(layerwise), make(keras)
    ours.set_weights(theirs.get_weights())
    y = [np.random.default_rng(i).normal(size=np.shape(o)).astype("float32")
         for i, o in enumerate(theirs(x))]
    for model in (ours, theirs):
        model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    our_logs = ours.evaluate(x, y, verbose=0, return_dict=True)
    their_logs = theirs.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(our_logs) == sorted(their_logs) == ["loss", "recurrent_loss"]
    for name in their_logs:
        np.testing.assert_allclose(our_logs[name], their_logs[name], rtol=1e-5)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0),
                               theirs.evaluate(x, y, verbose=0), rtol=1e-5)


def _three_outputs(k):
    x = k.Input((3,), name="x")
    hidden = k.layers.Dense(4, name="hidden")(x)
    return k.Model(x, [k.layers.Dense(2, name="o")(hidden), hidden,
                       k.layers.Dense(2, name="p")(hidden)])


ONE_OR_SOME_LOSSES = {
    # A single output with a loss: `y` may be its array alone, no "<output>_loss" log.
    "one-loss-bare-y": (dict(loss=["mse", None, None], metrics=[["mae"], None, None]), "bare"),
    "one-loss-last-output": (dict(loss=[None, None, "mae"], loss_weights=[1.0, 1.0, 2.0]),
                             "bare"),
    "one-loss-full-list": (dict(loss=["mse", None, None]), "full"),
    # Two outputs with a loss: `y` may list just those two.
    "two-losses-short-list": (dict(loss=["mse", None, "mae"]), "short"),
}


@pytest.mark.parametrize("name", sorted(ONE_OR_SOME_LOSSES))
def test_targets_only_for_the_outputs_with_a_loss_as_in_keras(name):
    options, targets = ONE_OR_SOME_LOSSES[name]
    ours, theirs = _twins(_three_outputs)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = rng.normal(size=(40, 2)).astype("float32")
    hidden_y = rng.normal(size=(40, 4)).astype("float32")
    with_loss = [loss is not None for loss in options["loss"]] if isinstance(
        options["loss"], list) else [True, False, False]
    y = {"bare": y, "full": [y, hidden_y, y],
         "short": [y] * sum(with_loss)}[targets]
    # (Keras fails on one sample-weight array with a short list of targets.)
    weights = None if targets == "short" else np.linspace(0.1, 1.0, 40).astype("float32")
    for model in (ours, theirs):
        model.compile("sgd", **options)
    logs = [model.fit(x, y, sample_weight=weights, batch_size=16, epochs=2, verbose=0,
                      shuffle=False).history for model in (ours, theirs)]
    assert list(logs[0]) == list(logs[1])
    for key in logs[1]:
        np.testing.assert_allclose(logs[0][key], logs[1][key], rtol=1e-5, err_msg=key)
    # A second fit reuses the compiled steps (and their target checks).
    _assert_same_logs(*(model.evaluate(x, y, verbose=0, return_dict=True)
                        for model in (ours, theirs)))
    ours.fit(x, y, batch_size=16, epochs=1, verbose=0)
