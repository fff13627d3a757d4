"""The seed notes' example, run as written (seeded: 1 init in ~30 stalls, in Keras too)."""
import numpy as np
import pytest
from sklearn.datasets import make_moons

import layerwise as keras
from keras_oracle import assert_weights_close, keras as oracle
from layerwise import Sequential
from layerwise.layers import Dense, Dropout
from layerwise.optimizers import Adam
from layerwise.utils import plot_loss_accuracy, set_random_seed


def test_seed_moons_example_verbatim(tmp_path):
    set_random_seed(0)
    X, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
    model = Sequential()
    model.add(Dense(4, input_shape=(2,), activation='tanh'))
    model.add(Dense(2, activation='tanh'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(Adam(lr=0.01), 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(X, y, verbose=0, epochs=100)
    figure = plot_loss_accuracy(history)

    assert set(history.history) == {"loss", "accuracy"}
    assert len(history.history["loss"]) == len(history.history["accuracy"]) == 100
    assert history.history["accuracy"][-1] >= 0.97
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.epoch == list(range(100))
    assert history.params == {"verbose": 0, "epochs": 100, "steps": 32}
    assert len(figure.axes) == 2
    figure.savefig(tmp_path / "loss_accuracy.png")
    assert (tmp_path / "loss_accuracy.png").stat().st_size > 1000


def test_seed_written_the_keras3_way():
    keras.utils.set_random_seed(1)
    X, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
    model = keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(4, activation="tanh"),
        keras.layers.Dense(2, activation="tanh"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(keras.optimizers.Adam(learning_rate=0.01), "binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, y, verbose=0, epochs=100)
    assert history.history["accuracy"][-1] >= 0.97


@pytest.mark.parametrize("name", ["nadam", "adam", "sgd", "rmsprop", "adadelta", "adagrad"])
def test_every_optimizer_of_the_notes_trains_by_class_and_by_name_like_keras(name):
    from layerwise import optimizers

    opt_dict = {'nadam': optimizers.Nadam, 'adam': optimizers.Adam, 'sgd': optimizers.SGD,
                'rmsprop': optimizers.RMSprop, 'adadelta': optimizers.Adadelta,
                'adagrad': optimizers.Adagrad}
    X, y = make_moons(n_samples=200, noise=0.05, random_state=0)
    for optimizer in (opt_dict[name](lr=0.01), name):
        set_random_seed(2)
        model = Sequential()
        model.add(Dense(4, input_shape=(2,), activation='tanh'))
        model.add(Dense(1, activation='sigmoid'))
        model.compile(optimizer, 'binary_crossentropy', metrics=['accuracy'])
        history = model.fit(X, y, verbose=0, epochs=3)
        # Real Keras 3 (which spells the rate `learning_rate`) with the same seed: the same
        # initial weights, shuffles and steps.
        oracle.utils.set_random_seed(2)
        theirs = oracle.Sequential([oracle.Input((2,)),
                                    oracle.layers.Dense(4, activation='tanh'),
                                    oracle.layers.Dense(1, activation='sigmoid')])
        theirs.compile(optimizer if isinstance(optimizer, str) else getattr(
            oracle.optimizers, type(optimizer).__name__)(learning_rate=0.01),
            'binary_crossentropy', metrics=['accuracy'])
        their_history = theirs.fit(X, y, verbose=0, epochs=3)
        assert list(history.history) == list(their_history.history)
        for key in their_history.history:
            np.testing.assert_allclose(history.history[key], their_history.history[key],
                                       rtol=1e-5, err_msg=key)
        assert_weights_close(model, theirs)


def test_seed_dropout_model_on_digits():
    from sklearn.datasets import load_digits

    set_random_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = keras.utils.to_categorical(digits.target, 10)
    model = Sequential()
    model.add(Dense(units=32, activation='sigmoid', input_shape=(64,)))
    model.add(Dropout(0.2))
    model.add(Dense(units=10, activation='softmax'))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=128, epochs=40, verbose=0, validation_split=0.1)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["val_accuracy"][-1] > 0.85
