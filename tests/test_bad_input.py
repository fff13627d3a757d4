"""Bad input, as a table: each case names the call, the exception type and words of the message.

Every error must come before any compute, from our own checks: never a tracer error or an
XLA message.
"""
import numpy as np
import pytest

import layerwise as keras


def _model(compiled=True, metrics=("accuracy",)):
    model = keras.Sequential([keras.layers.Dense(4, input_shape=(2,), activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    if compiled:
        model.compile("adam", "binary_crossentropy", metrics=list(metrics))
    return model


X = np.random.default_rng(0).normal(size=(20, 2)).astype("float32")
Y = (X[:, 0] > 0).astype("float32")

CASES = [
    # (case id, callable, exception type, words that must appear in the message)
    ("x and y lengths differ", lambda: _model().fit(X, Y[:10], verbose=0),
     ValueError, ["x: 20", "y: 10"]),
    ("sample_weight length differs", lambda: _model().fit(X, Y, sample_weight=np.ones(3),
                                                          verbose=0),
     ValueError, ["sample_weight: 3"]),
    ("input width differs from input_shape", lambda: _model().fit(np.ones((20, 3)), Y, verbose=0),
     ValueError, ["incompatible", "(None, 2)", "(20, 3)"]),
    ("predict with wrong width", lambda: _model().predict(np.ones((5, 3)), verbose=0),
     ValueError, ["incompatible", "expected shape=(None, 2)"]),
    ("unknown optimizer name", lambda: _model(False).compile("adamm", "mse"),
     ValueError, ["adamm", "adam"]),
    ("unknown loss name", lambda: _model(False).compile("adam", "binary_crossentropyy"),
     ValueError, ["binary_crossentropyy", "binary_crossentropy"]),
    ("unknown metric name", lambda: _model(False).compile("adam", "mse", metrics=["acuracy"]),
     ValueError, ["acuracy"]),
    ("unknown activation name", lambda: keras.layers.Dense(3, activation="rellu"),
     ValueError, ["rellu", "relu"]),
    ("fit before compile", lambda: _model(False).fit(X, Y, verbose=0),
     ValueError, ["compile()", "fit()"]),
    ("evaluate before compile", lambda: _model(False).evaluate(X, Y, verbose=0),
     ValueError, ["compile()", "evaluate()"]),
    ("validation_split = 1", lambda: _model().fit(X, Y, validation_split=1.0, verbose=0),
     ValueError, ["validation_split", "[0, 1)", "1.0"]),
    ("validation_split < 0", lambda: _model().fit(X, Y, validation_split=-0.1, verbose=0),
     ValueError, ["validation_split", "-0.1"]),
    ("batch_size = 0", lambda: _model().fit(X, Y, batch_size=0, verbose=0),
     ValueError, ["batch_size", "positive", "0"]),
    ("batch_size negative in evaluate", lambda: _model().evaluate(X, Y, batch_size=-4, verbose=0),
     ValueError, ["batch_size", "-4"]),
    ("string data", lambda: _model().fit(np.array([["a", "b"]] * 20), Y, verbose=0),
     TypeError, ["`x` must be numeric", "<U1"]),
    ("object data", lambda: _model().fit(X, np.array([None] * 20), verbose=0),
     TypeError, ["`y` must be numeric", "object"]),
    ("ragged list", lambda: _model().predict([[1.0, 2.0], [3.0]], verbose=0),
     TypeError, ["`x` must be a numeric array"]),
    ("empty x", lambda: _model().fit(np.zeros((0, 2)), np.zeros((0,)), verbose=0),
     ValueError, ["empty"]),
    ("NaN in x", lambda: _model().fit(np.where(X > 1.0, np.nan, X), Y, verbose=0),
     ValueError, ["NaN or infinite", "first is at index"]),
    ("epochs negative", lambda: _model().fit(X, Y, epochs=-1, verbose=0),
     ValueError, ["epochs", "-1"]),
    ("verbose invalid", lambda: _model().fit(X, Y, verbose=3),
     ValueError, ["verbose", "3"]),
    ("metrics not a list", lambda: _model(False).compile("adam", "mse", metrics="accuracy"),
     TypeError, ["metrics", "list"]),
    ("Dense units zero", lambda: keras.layers.Dense(0), ValueError, ["units", "positive", "0"]),
    ("Dense units float", lambda: keras.layers.Dense(2.5), ValueError, ["units", "2.5"]),
    ("Dropout rate 1.5", lambda: keras.layers.Dropout(1.5), ValueError, ["rate", "1.5"]),
    ("Dropout rate negative", lambda: keras.layers.Dropout(-0.5), ValueError, ["rate", "-0.5"]),
    ("unknown layer kwarg", lambda: keras.layers.Dense(2, unitz=3),
     ValueError, ["Unrecognized keyword arguments passed to Dense", "unitz"]),
    ("non-layer added to Sequential", lambda: keras.Sequential().add("dense"),
     TypeError, ["keras.Layer", "str"]),
    ("callbacks of the wrong type", lambda: _model().fit(X, Y, callbacks=[print], verbose=0),
     TypeError, ["callbacks", "Callback"]),
    ("Adam learning rate negative", lambda: keras.optimizers.Adam(learning_rate=-1.0),
     ValueError, ["learning_rate"]),
    ("lr and learning_rate both", lambda: keras.optimizers.Adam(lr=0.1, learning_rate=0.1),
     ValueError, ["lr", "learning_rate"]),
    ("set_weights with wrong shape",
     lambda: _model().set_weights([np.ones((3, 4)), np.ones(4), np.ones((4, 1)), np.ones(1)]),
     ValueError, ["kernel", "(2, 4)", "(3, 4)"]),
]


@pytest.mark.parametrize("case, call, error, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(case, call, error, words):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    for word in words:
        assert word in message, f"{case}: {word!r} not in {message!r}"
    assert "Tracer" not in message and "XLA" not in message
