"""The callback hook sequence and logs of fit (with validation), evaluate and predict,
recorded from Keras and compared; epoch-only callbacks keep the whole-epoch program."""
import numpy as np

import layerwise
from keras_oracle import keras

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
         "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"]


def _recorder(k):
    class Recorder(k.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

    def hook(name):
        def record(self, *args, **kwargs):
            logs = args[-1] if args and isinstance(args[-1], dict) else kwargs.get("logs")
            index = [a for a in args if not isinstance(a, dict)]
            values = {key: (np.asarray(v) if key == "outputs" else float(v))
                      for key, v in (logs or {}).items()}
            self.calls.append((name, *index, values))
        return record

    for name in HOOKS:
        setattr(Recorder, name, hook(name))
    return Recorder()


def _model(k):
    model = k.Sequential([k.Input((3,)), k.layers.Dense(2, activation="tanh"),
                          k.layers.Dense(1)])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(10, 3)).astype("float32"), rng.normal(size=(10, 1)).astype("float32")


def _assert_same_calls(ours, theirs):
    assert [call[:-1] for call in ours] == [call[:-1] for call in theirs]
    for our_call, their_call in zip(ours, theirs):
        assert sorted(our_call[-1]) == sorted(their_call[-1]), our_call[0]
        for key, value in their_call[-1].items():
            np.testing.assert_allclose(our_call[-1][key], value, rtol=1e-5, atol=1e-6,
                                       err_msg=f"{our_call[0]} {key}")


def test_fit_evaluate_and_predict_hook_sequences_and_logs_match_keras():
    x, y = _data()
    ours, theirs = _model(layerwise), _model(keras)
    theirs.set_weights(ours.get_weights())
    recorded = []
    for k, model in ((layerwise, ours), (keras, theirs)):
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        fit, evaluate, predict = _recorder(k), _recorder(k), _recorder(k)
        model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False,
                  validation_data=(x[:6], y[:6]), callbacks=[fit])
        model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[evaluate])
        model.predict(x, batch_size=4, verbose=0, callbacks=[predict])
        recorded.append((fit.calls, evaluate.calls, predict.calls))
    for ours_calls, their_calls in zip(*recorded):
        _assert_same_calls(ours_calls, their_calls)


def test_epoch_only_callbacks_see_test_begin_and_end_and_keep_the_epoch_program():
    x, y = _data()
    model = _model(layerwise)
    model.compile(optimizer="sgd", loss="mse")

    class EpochsOnly(layerwise.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_test_begin(self, logs=None):
            self.calls.append("test_begin")

        def on_test_end(self, logs=None):
            self.calls.append(("test_end", sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            self.calls.append(("epoch_end", sorted(logs)))

    model.fit(x, y, epochs=1, verbose=0)  # builds the step functions
    steps = model._steps
    counts = {"train_epoch": 0, "test_batch": 0}
    for name in counts:
        original = getattr(steps, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        setattr(steps, name, counted)
    callback = EpochsOnly()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_data=(x, y),
              callbacks=[callback])
    assert counts == {"train_epoch": 2, "test_batch": 0}  # one program per epoch
    assert callback.calls == ["test_begin", ("test_end", ["loss"]),
                              ("epoch_end", ["loss", "val_loss"])] * 2
