"""sweep.fit against Model.fit: every variant's History equals its own fit's."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import layerwise as keras
from layerwise import sweep

RELATIVE = 1e-5


@pytest.fixture(scope="module")
def moons():
    x, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
    return x.astype(np.float32), y.astype(np.float32)


def moons_model(variant):
    """The seed's moons model (examples/seed_moons.py), its learning rate swept."""
    model = keras.Sequential()
    model.add(keras.layers.Dense(4, input_shape=(2,), activation="tanh"))
    model.add(keras.layers.Dense(2, activation="tanh"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(keras.optimizers.Adam(learning_rate=variant.get("learning_rate", 0.01)),
                  "binary_crossentropy", metrics=["accuracy"])
    return model


def dropout_model(variant):
    model = keras.Sequential([
        keras.layers.Dense(16, input_shape=(2,), activation="relu"),
        keras.layers.Dropout(variant.get("rate", 0.2)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    optimizer = keras.optimizers.SGD(0.05, momentum=variant.get("momentum", 0.5)) \
        if variant.get("optimizer") == "sgd" else \
        keras.optimizers.Adam(0.01, beta_1=variant.get("beta_1", 0.9))
    model.compile(optimizer, keras.losses.BinaryCrossentropy(
        label_smoothing=variant.get("label_smoothing", 0.0)), metrics=["accuracy"])
    return model


@pytest.fixture
def compiled_programs(monkeypatch):
    """The number of sweep programs compiled (a group's epoch program each)."""
    count = []
    prepare = sweep.engine.SweepProgram.prepare

    def counted(self, arguments):
        unread = prepare(self, arguments)
        count.extend([] if unread else [1])
        return unread

    monkeypatch.setattr(sweep.engine.SweepProgram, "prepare", counted)
    return count


def alone(build, variant, x, y, **fit_kwargs):
    """The variant trained by itself with Model.fit, seeded as sweep.fit seeds it."""
    keras.utils.set_random_seed(variant["seed"])
    model = build(variant)
    return model, model.fit(x, y, verbose=0, **fit_kwargs)


def assert_same_history(expected, received):
    assert sorted(expected.history) == sorted(received.history)
    for key, values in expected.history.items():
        np.testing.assert_allclose(received.history[key], values, rtol=RELATIVE, atol=1e-7,
                                   err_msg=key)


def assert_same_weights(expected, received):
    for a, b in zip(expected.get_weights(), received.get_weights()):
        np.testing.assert_allclose(b, a, rtol=RELATIVE, atol=1e-6)


def test_sixteen_seeds_and_four_learning_rates_equal_their_own_fits(moons, compiled_programs):
    x, y = moons
    variants = [{"seed": seed} for seed in range(16)] + [
        {"seed": 0, "learning_rate": rate} for rate in (0.001, 0.003, 0.03, 0.1)]
    result = sweep.fit(moons_model, variants, x, y, epochs=30, batch_size=32, verbose=0)
    assert len(compiled_programs) == 1  # all twenty in one program
    assert len(result.models) == len(result.histories) == 20
    for variant, model, history in zip(variants, result.models, result.histories):
        reference, expected = alone(moons_model, variant, x, y, epochs=30, batch_size=32)
        assert_same_history(expected, history)
        assert_same_weights(reference, model)
        assert model.history is history
    # The seeds really differ, and the learning rates too.
    finals = result.final("loss")
    assert len(set(np.round(finals, 6))) == 20


def test_hyperparameters_dropout_and_validation_split_equal_their_own_fits(moons,
                                                                         compiled_programs):
    x, y = moons[0][:300], moons[1][:300]
    variants = [
        {"seed": 1, "beta_1": 0.8}, {"seed": 2, "beta_1": 0.95},
        {"seed": 3, "rate": 0.4},
        {"seed": 4, "label_smoothing": 0.1},  # a number the step holds elsewhere
    ]
    options = dict(epochs=3, batch_size=32, validation_split=0.2)
    result = sweep.fit(dropout_model, variants, x, y, verbose=0, **options)
    # beta_1 and the dropout rate are arguments of one program; label smoothing, held
    # where the step does not read the attribute, gets a program of its own.
    assert len(compiled_programs) == 2
    for variant, model, history in zip(variants, result.models, result.histories):
        reference, expected = alone(dropout_model, variant, x, y, **options)
        assert "val_accuracy" in history.history
        assert_same_history(expected, history)
        assert_same_weights(reference, model)


def test_sgd_momentum_class_weight_and_no_shuffle(moons, compiled_programs):
    x, y = moons[0][:200], moons[1][:200]
    variants = [{"seed": 5, "optimizer": "sgd", "momentum": m} for m in (0.0, 0.5, 0.9)]
    options = dict(epochs=2, batch_size=16, shuffle=False, class_weight={0: 1.0, 1: 3.0})
    result = sweep.fit(dropout_model, variants, x, y, verbose=0, **options)
    # Momentum 0 has no slots (a program of its own); 0.5 and 0.9 share one.
    assert len(compiled_programs) == 2
    for variant, history in zip(variants, result.histories):
        assert_same_history(alone(dropout_model, variant, x, y, **options)[1], history)


class Clip(keras.layers.Layer):
    """A layer whose number decides the step's structure in Python (`if limit == 0`)."""

    def __init__(self, limit, **kwargs):
        super().__init__(**kwargs)
        self.limit = limit

    def call(self, inputs):
        if self.limit == 0:
            return inputs
        return keras.ops.clip(inputs, -self.limit, self.limit)

    def get_config(self):
        return {**super().get_config(), "limit": self.limit}


def test_numbers_needed_as_python_values_split_the_sweep(moons, compiled_programs):
    x, y = moons[0][:120], moons[1][:120]

    def clipped(variant):
        model = keras.Sequential([keras.layers.Dense(4, input_shape=(2,)),
                                  Clip(variant["limit"]),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
        return model

    variants = [{"seed": 1, "limit": limit} for limit in (0.0, 0.5, 0.0)]
    result = sweep.fit(clipped, variants, x, y, epochs=2, verbose=0)
    assert len(compiled_programs) == 2  # limit 0 in one program, 0.5 in another
    for variant, history in zip(variants, result.histories):
        assert_same_history(alone(clipped, variant, x, y, epochs=2)[1], history)


def test_loss_weights_of_a_two_output_model_are_swept_in_one_program(compiled_programs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3)).astype("float32")
    targets = [(x[:, :1] > 0).astype("float32"), x[:, 1:2] * 2]

    def two_outputs(variant):
        inputs = keras.Input((3,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        model = keras.Model(inputs, [keras.layers.Dense(1, activation="sigmoid", name="a")(hidden),
                                     keras.layers.Dense(1, name="b")(hidden)])
        model.compile(keras.optimizers.Adam(0.01), ["binary_crossentropy", "mse"],
                      loss_weights=[1.0, variant["weight"]], metrics=[["accuracy"], []])
        return model

    variants = [{"seed": 1, "weight": weight} for weight in (0.1, 1.0, 3.0)]
    result = sweep.fit(two_outputs, variants, x, targets, epochs=2, verbose=0)
    assert len(compiled_programs) == 1
    for variant, history in zip(variants, result.histories):
        assert_same_history(alone(two_outputs, variant, x, targets, epochs=2)[1], history)


def test_forced_small_groups_give_the_same_histories(moons):
    x, y = moons[0][:200], moons[1][:200]
    variants = [{"seed": seed} for seed in range(4)]
    in_twos = sweep.fit(moons_model, variants, x, y, epochs=3, verbose=0, group_size=2)
    for variant, history in zip(variants, in_twos.histories):
        assert_same_history(alone(moons_model, variant, x, y, epochs=3)[1], history)


def test_folds_equal_fits_on_the_fold_rows(moons):
    x, y = moons[0][:250], moons[1][:250]
    folds = np.array_split(np.random.default_rng(0).permutation(250), 5)
    variants = [{"seed": 7, "train_index": np.concatenate(folds[:k] + folds[k + 1:]),
                 "validation_index": folds[k]} for k in range(5)]
    result = sweep.fit(moons_model, variants, x, y, epochs=3, batch_size=32, verbose=0)
    for variant, history in zip(variants, result.histories):
        train, held_out = variant["train_index"], variant["validation_index"]
        expected = alone(moons_model, variant, x[train], y[train], epochs=3, batch_size=32,
                         validation_data=(x[held_out], y[held_out]))[1]
        assert_same_history(expected, history)
    table = result.table
    assert [row["variant"] for row in table] == list(range(5))
    assert "train_index" not in table[0] and "val_loss" in table[0]
    # Folds given as training rows only, validated on a split of each fold's rows.
    masks = [np.arange(250) % 3 != k for k in range(2)]
    result = sweep.fit(moons_model, [{"seed": 8, "train_index": mask} for mask in masks], x, y,
                       epochs=2, batch_size=32, validation_split=0.25, verbose=0)
    for mask, history in zip(masks, result.histories):
        expected = alone(moons_model, {"seed": 8}, x[mask], y[mask], epochs=2, batch_size=32,
                         validation_split=0.25)[1]
        assert_same_history(expected, history)


def test_early_stopping_masks_stopped_variants(moons):
    x, y = moons[0][:200], moons[1][:200]
    variants = [{"seed": 0, "learning_rate": rate} for rate in (0.0, 0.05, 0.1)]

    def stopper():
        return keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=0.01,
                                             restore_best_weights=True)

    used = stopper()
    moons_model({"seed": 0}).fit(x, y, epochs=1, verbose=0, callbacks=[used])  # holds a model
    result = sweep.fit(moons_model, variants, x, y, epochs=12, batch_size=32, verbose=0,
                       callbacks=[used])
    lengths = [len(history.history["loss"]) for history in result.histories]
    assert lengths[0] < 12 and len(set(lengths)) > 1  # the frozen variant stops at once
    for variant, model, history in zip(variants, result.models, result.histories):
        reference, expected = alone(moons_model, variant, x, y, epochs=12, batch_size=32,
                                    callbacks=[stopper()])
        assert_same_history(expected, history)
        assert_same_weights(reference, model)


def test_callbacks_may_be_a_function_of_the_variant_and_validation_freq(moons):
    x, y = moons[0][:100], moons[1][:100]
    seen = {}

    def callbacks(variant):
        return [keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: seen.setdefault(variant["seed"], []).append(
                logs["loss"]))]

    options = dict(epochs=4, validation_split=0.2, validation_freq=2)
    variants = [{"seed": 1}, {"seed": 2}]
    result = sweep.fit(moons_model, variants, x, y, verbose=0, callbacks=callbacks, **options)
    assert seen[1] == result.histories[0].history["loss"]
    assert seen[2] == result.histories[1].history["loss"]
    for variant, history in zip(variants, result.histories):
        assert len(history.history["val_loss"]) == 2  # validated every second epoch
        assert_same_history(alone(moons_model, variant, x, y, **options)[1], history)


def test_progress_bar_shows_best_and_worst(moons, capsys):
    x, y = moons[0][:100], moons[1][:100]
    sweep.fit(moons_model, [{"seed": 1}, {"seed": 2, "learning_rate": 0.1}], x, y,
              epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "2/2" in out and "best #" in out and "worst #" in out
    sweep.fit(moons_model, [{"seed": 1}, {"seed": 2}], x, y, epochs=2, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    assert len(lines) == 2 and "best #" in lines[1]


def test_ensemble_predict_is_the_mean_of_the_models(moons):
    x, y = moons[0][:100], moons[1][:100]
    result = sweep.fit(moons_model, [{"seed": 1}, {"seed": 2}, {"seed": 3}], x, y, epochs=1,
                       verbose=0)
    expected = np.mean([model.predict(x, verbose=0) for model in result.models], axis=0)
    np.testing.assert_allclose(result.predict(x), expected, rtol=1e-6)
    np.testing.assert_allclose(result.predict(x, models=[0, 2]),
                               np.mean([result.models[i].predict(x, verbose=0)
                                        for i in (0, 2)], axis=0), rtol=1e-6)
    assert result.best("loss") == int(np.argmin(result.final("loss")))
    text = result.to_string()
    assert text.splitlines()[0].split()[:3] == ["variant", "seed", "epochs"]
    assert len(text.splitlines()) == 4


def test_plots(moons, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    x, y = moons[0][:100], moons[1][:100]
    variants = [{"seed": 0, "learning_rate": rate} for rate in (1e-3, 1e-2, 1e-1)]
    result = sweep.fit(moons_model, variants, x, y, epochs=2, verbose=0)
    curves = sweep.plot_curves(result, path=tmp_path / "curves.png")
    assert len(curves.axes) == 2 and (tmp_path / "curves.png").exists()
    final = sweep.plot_final_metric(result, "learning_rate", metric="accuracy")
    assert final.axes[0].get_xscale() == "log"
    with pytest.raises(ValueError, match="seed_count"):
        sweep.plot_final_metric(result, "seed_count")


# -- bad input ---------------------------------------------------------------------------
def test_empty_variants():
    with pytest.raises(ValueError, match="`variants` is empty"):
        sweep.fit(moons_model, [], np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(TypeError, match="sequence of dicts"):
        sweep.fit(moons_model, {"seed": 1}, np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(TypeError, match=r"variants\[1\]"):
        sweep.fit(moons_model, [{"seed": 1}, 3], np.zeros((4, 2)), np.zeros(4))


def test_unknown_keys(moons):
    x, y = moons[0][:50], moons[1][:50]
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['learing_rate'\] in variants\[1\]"):
        sweep.fit(moons_model, [{"seed": 1}, {"seed": 2, "learing_rate": 0.1}], x, y)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['epoch'\]"):
        sweep.fit(moons_model, [{"seed": 1}], x, y, epoch=3)
    with pytest.raises(ValueError, match="train_index.*outside the data"):
        sweep.fit(moons_model, [{"seed": 1, "train_index": np.arange(60)}], x, y)


def test_mismatched_structures_name_the_first_difference(moons):
    x, y = moons[0][:50], moons[1][:50]

    def widths(variant):
        model = keras.Sequential([keras.layers.Dense(variant["units"], input_shape=(2,)),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        return model

    with pytest.raises(ValueError, match=r"variants\[1\] differs from variants\[0\] in its "
                                         r"weight shapes"):
        sweep.fit(widths, [{"units": 4}, {"units": 5}], x, y)

    def optimizers(variant):
        model = moons_model({})
        model.compile(variant["optimizer"], "binary_crossentropy", metrics=["accuracy"])
        return model

    with pytest.raises(ValueError, match=r"in its optimizer\. variants\[0\]: Adam; "
                                         r"variants\[1\]: RMSprop"):
        sweep.fit(optimizers, [{"optimizer": "adam"}, {"optimizer": "rmsprop"}], x, y)

    def metrics(variant):
        model = moons_model({})
        model.compile("adam", "binary_crossentropy", metrics=variant["metrics"])
        return model

    with pytest.raises(ValueError, match="in its metrics"):
        sweep.fit(metrics, [{"metrics": ["accuracy"]}, {"metrics": []}], x, y)

    def layers(variant):
        model = keras.Sequential([keras.layers.Dense(4, input_shape=(2,)), variant["layer"],
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        return model

    with pytest.raises(ValueError, match=r"in its layers.*Dropout.*GaussianNoise"):
        sweep.fit(layers, [{"layer": keras.layers.Dropout(0.1)},
                           {"layer": keras.layers.GaussianNoise(0.1)}], x, y)


def test_build_model_must_return_a_compiled_model(moons):
    x, y = moons[0][:50], moons[1][:50]
    with pytest.raises(TypeError, match="not compiled"):
        sweep.fit(lambda variant: keras.Sequential([keras.layers.Dense(1, input_shape=(2,))]),
                  [{}], x, y)
    shared = moons_model({})
    with pytest.raises(ValueError, match=r"same Model object for variants\[0\] and "
                                         r"variants\[1\]"):
        sweep.fit(lambda variant: shared, [{}, {}], x, y)
    class OwnStep(keras.Sequential):
        def compute_loss(self, *args, **kwargs):
            return super().compute_loss(*args, **kwargs)

    def own_step(variant):
        model = OwnStep([keras.layers.Dense(1, input_shape=(2,))])
        model.compile("adam", "mse")
        return model

    with pytest.raises(ValueError, match="overrides a step or the loss"):
        sweep.fit(own_step, [{}], x, y)
    with pytest.raises(TypeError, match="must be a function"):
        sweep.fit("model", [{}], x, y)
    with pytest.raises(ValueError, match="group_size"):
        sweep.fit(moons_model, [{}], x, y, group_size=0)


def test_histories_equal_real_keras_fits(moons):
    """Seeded Keras-JAX fits of the same variants give the same numbers (dropout and
    shuffling included)."""
    from keras_oracle import keras as real_keras

    def build_with(library):
        def build(variant):
            model = library.Sequential([
                library.layers.Dense(8, input_shape=(2,), activation="relu"),
                library.layers.Dropout(0.2),
                library.layers.Dense(1, activation="sigmoid")])
            model.compile(library.optimizers.Adam(learning_rate=variant["learning_rate"]),
                          "binary_crossentropy", metrics=["accuracy"])
            return model
        return build

    x, y = moons[0][:300], moons[1][:300]
    variants = [{"seed": 3, "learning_rate": 0.01}, {"seed": 4, "learning_rate": 0.05}]
    options = dict(epochs=3, batch_size=32, validation_split=0.2)
    result = sweep.fit(build_with(keras), variants, x, y, verbose=0, **options)
    for variant, history in zip(variants, result.histories):
        real_keras.utils.set_random_seed(variant["seed"])
        expected = build_with(real_keras)(variant).fit(x, y, verbose=0, **options)
        assert_same_history(expected, history)
