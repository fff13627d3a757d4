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


def _softmax_model(loss):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", loss)
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
    ("sparse CE label past the last unit",
     lambda: _softmax_model("sparse_categorical_crossentropy").fit(X, np.arange(20) % 4,
                                                                  verbose=0),
     ValueError, ["[0, 3)", "3", "index 3"]),
    ("sparse CE negative label",
     lambda: _softmax_model("sparse_categorical_crossentropy").fit(X, -np.ones(20), verbose=0),
     ValueError, ["[0, 3)", "-1.0"]),
    ("categorical CE one-hot width differs",
     lambda: _softmax_model("categorical_crossentropy").fit(X, np.eye(4)[np.arange(20) % 4],
                                                           verbose=0),
     ValueError, ["width 3", "(20, 4)"]),
    ("categorical CE with integer labels",
     lambda: _softmax_model("categorical_crossentropy").fit(X, np.arange(20) % 3, verbose=0),
     ValueError, ["one-hot", "sparse_categorical_crossentropy"]),
    ("targets that cannot broadcast to the output",
     lambda: _softmax_model("mse").fit(X, np.ones((20, 2)), verbose=0),
     ValueError, ["(20, 2)", "(None, 3)"]),
    ("validation_data not a tuple", lambda: _model().fit(X, Y, validation_data=X, verbose=0),
     ValueError, ["validation_data", "tuple"]),
    ("validation_data lengths differ",
     lambda: _model().fit(X, Y, validation_data=(X, Y[:5]), verbose=0),
     ValueError, ["x_val: 20", "y_val: 5"]),
    ("complex data", lambda: _model().predict(np.ones((3, 2), complex), verbose=0),
     TypeError, ["real-valued", "complex"]),
    ("scalar x", lambda: _model().predict(3.0, verbose=0), ValueError, ["batch axis"]),
    ("get_layer unknown", lambda: _model().get_layer("nope"), ValueError, ["No such layer: nope"]),
    ("get_layer index out of range", lambda: _model().get_layer(index=7),
     ValueError, ["index 7", "2 layers"]),
    ("Input without shape", lambda: keras.Input(), ValueError, ["shape"]),
    ("negative Input shape", lambda: keras.Input((-2,)), ValueError, ["shape", "(-2,)"]),
    ("duplicate layer names", lambda: keras.Sequential([keras.layers.Dense(2, name="a"),
                                                        keras.layers.Dense(2, name="a")]),
     ValueError, ["unique names", "'a'"]),
    ("Reshape with two -1", lambda: keras.layers.Reshape((-1, -1)),
     ValueError, ["target_shape", "(-1, -1)"]),
    ("unknown initializer name", lambda: keras.layers.Dense(2, kernel_initializer="glorot_unifrom"),
     ValueError, ["glorot_unifrom", "glorot_uniform"]),
    ("optimizer unknown kwarg", lambda: keras.optimizers.SGD(momentun=0.9),
     ValueError, ["momentun"]),
    ("unknown loss kind in get", lambda: keras.losses.get(42), (ValueError, TypeError), ["42"]),
    ("class_weight with the wrong input width",
     lambda: _model().fit(np.ones((20, 5)), Y, class_weight={0: 1.0}, verbose=0),
     ValueError, ["incompatible"]),
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


def test_the_table_is_large():
    assert len(CASES) >= 40


def test_non_binary_targets_for_binary_crossentropy_warn_once():
    model = _model()
    with pytest.warns(UserWarning, match="not all 0 or 1"):
        model.fit(X, Y * 0.5 + 0.25, verbose=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, Y * 0.5 + 0.25, verbose=0)
