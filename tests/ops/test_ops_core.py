"""Ops that take functions or return non-tensors, user `Operation`s, and ops inside models:
a custom layer written in ops trained with fit, and functional models mixing layers and
ops saved and loaded across Keras and layerwise."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3)).astype("float32")


def _assert_tree_close(ours, theirs):
    ours_leaves, their_leaves = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(
        theirs)
    assert len(ours_leaves) == len(their_leaves)
    for a, b in zip(ours_leaves, their_leaves):
        assert keras.backend.standardize_dtype(a.dtype) == keras.backend.standardize_dtype(
            b.dtype)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)


def _both(call):
    return call(layerwise.ops), call(keras.ops)


@pytest.mark.parametrize("case", [
    lambda ops: ops.cond(True, lambda: ops.relu(X), lambda: ops.sigmoid(X)),
    lambda ops: ops.cond(jnp.asarray(False), lambda: ops.relu(X), lambda: ops.sigmoid(X)),
    lambda ops: ops.scan(lambda c, x: (c + x, c * x), jnp.zeros(3), X),
    lambda ops: ops.scan(lambda c, x: (c + 1.0, c), jnp.zeros(()), None, length=5,
                         reverse=True),
    lambda ops: ops.fori_loop(0, 4, lambda i, v: v * 2 + i, jnp.ones(3)),
    lambda ops: ops.while_loop(lambda a, b: a < 10, lambda a, b: (a + 3, b * 2),
                               (jnp.asarray(0), jnp.asarray(1.0))),
    lambda ops: ops.while_loop(lambda a: a < 100, lambda a: a * 3, jnp.asarray(1),
                               maximum_iterations=3),
    lambda ops: ops.switch(1, [lambda x: x + 1, lambda x: x * 5], jnp.asarray(X)),
    lambda ops: ops.switch(7, [lambda x: x + 1, lambda x: x * 5], jnp.asarray(X)),
    lambda ops: ops.map(lambda row: ops.softmax(row), X),
    lambda ops: ops.associative_scan(lambda a, b: a + b, X, axis=1),
    lambda ops: ops.associative_scan(lambda a, b: a * b, X, reverse=True),
    lambda ops: ops.vectorized_map(lambda row: ops.logsumexp(row), X),
], ids=lambda case: None)
def test_control_flow_matches_keras(case):
    ours, theirs = _both(case)
    _assert_tree_close(ours, theirs)


def test_custom_gradient_and_jvp_match_keras():
    def make(ops):
        @ops.custom_gradient
        def clipped_square(x):
            def grad(upstream):
                return ops.clip(upstream * 2 * x, -1.0, 1.0) if hasattr(
                    ops, "clip") else jnp.clip(upstream * 2 * x, -1.0, 1.0)
            return x * x, grad
        return clipped_square

    ours = jax.grad(lambda v: jnp.sum(make(layerwise.ops)(v)))(jnp.asarray(X))
    theirs = jax.grad(lambda v: jnp.sum(make(keras.ops)(v)))(jnp.asarray(X))
    _assert_tree_close(ours, theirs)
    ours, theirs = _both(lambda ops: ops.linalg.jvp(jnp.sin, (X,), (np.ones_like(X),)))
    _assert_tree_close(ours, theirs)


def test_non_tensor_results_match_keras():
    for value in [X, np.arange(3), jnp.ones((2, 5), "int32"), np.array(True)]:
        assert layerwise.ops.shape(value) == keras.ops.shape(value)
        assert layerwise.ops.dtype(value) == keras.ops.dtype(value)
        assert layerwise.ops.is_tensor(value) == keras.ops.is_tensor(value)
        converted = layerwise.ops.convert_to_tensor(value)
        assert layerwise.ops.is_tensor(converted) == keras.ops.is_tensor(
            keras.ops.convert_to_tensor(value))
        numpy_value = layerwise.ops.convert_to_numpy(converted)
        assert isinstance(numpy_value, np.ndarray)
        np.testing.assert_array_equal(numpy_value, keras.ops.convert_to_numpy(value))
    symbolic = layerwise.KerasTensor((None, 3), dtype="int32")
    assert layerwise.ops.shape(symbolic) == keras.ops.shape(keras.KerasTensor((None, 3)))
    assert layerwise.ops.dtype(symbolic) == "int32"


def test_eig_reconstructs_the_matrix_as_keras_does():
    matrix = RNG.standard_normal((4, 4)).astype("float32")
    for ops in (layerwise.ops, keras.ops):
        values, vectors = ops.linalg.eig(matrix)
        rebuilt = np.asarray(vectors) @ np.diag(np.asarray(values)) @ np.linalg.inv(
            np.asarray(vectors))
        np.testing.assert_allclose(rebuilt.real, matrix, atol=1e-4)
    assert str(layerwise.ops.linalg.eig(matrix)[0].dtype) == str(
        keras.ops.linalg.eig(matrix)[0].dtype)


@pytest.mark.parametrize("case", [
    lambda lib, t: lib.ops.vectorized_map(lambda row: lib.ops.softmax(row), t),
    lambda lib, t: lib.ops.map(lambda row: lib.ops.logsumexp(row), t),
    lambda lib, t: lib.ops.associative_scan(lambda a, b: a + b, t, axis=1),
    lambda lib, t: lib.ops.scan(lambda c, x: (c + x, c * x), jnp.zeros(3), t),
])
def test_symbolic_control_flow_shapes_match_keras(case):
    ours = jax.tree_util.tree_leaves(case(layerwise, layerwise.KerasTensor((7, 3))))
    theirs = jax.tree_util.tree_leaves(case(keras, keras.KerasTensor((7, 3))))
    assert [(t.shape, t.dtype) for t in ours] == [(t.shape, t.dtype) for t in theirs]


# -- user operations ---------------------------------------------------------------------
class Scale(layerwise.ops.Operation):
    def __init__(self, factor, name=None):
        super().__init__(name=name)
        self.factor = factor

    def call(self, x):
        return layerwise.ops.relu(x) * self.factor


def test_user_operation_runs_eagerly_and_symbolically():
    op = Scale(3.0)
    np.testing.assert_allclose(np.asarray(op(X)), np.maximum(X, 0) * 3.0, rtol=1e-6)
    symbolic = op(layerwise.KerasTensor((None, 3)))
    assert isinstance(symbolic, layerwise.KerasTensor)
    assert symbolic.shape == (None, 3) and symbolic.dtype == "float32"
    assert symbolic._keras_history[0] is op


def test_ops_on_symbolic_inputs_build_a_model_that_predicts_like_keras():
    def build(library):
        inputs = library.Input((4,))
        x = library.ops.relu(inputs)
        x = library.layers.Dense(3)(x)
        x = library.ops.softmax(x, axis=-1)
        return library.Model(inputs, library.ops.log_softmax(x))

    ours, theirs = build(layerwise), build(keras)
    assert [type(l).__name__ for l in ours.layers] == [type(l).__name__ for l in theirs.layers]
    assert len(ours.operations) == len(theirs.operations) == 5
    ours.set_weights(theirs.get_weights())
    data = RNG.standard_normal((5, 4)).astype("float32")
    np.testing.assert_allclose(ours.predict(data, verbose=0), theirs.predict(data, verbose=0),
                               rtol=1e-6, atol=1e-6)


# -- files move between the libraries ----------------------------------------------------
def _ops_model(library):
    inputs = library.Input((4,))
    # sigmoid, not relu, first: an all-zero row would reach `normalize`, whose gradient
    # at the zero vector is NaN (in Keras too).
    x = library.ops.sigmoid(inputs)
    x = library.layers.Dense(5)(x)
    x = library.ops.leaky_relu(x, negative_slope=0.1)
    x = library.ops.normalize(x, axis=-1)
    x = library.layers.Dense(2)(x)
    return library.Model(inputs, library.ops.softmax(x, axis=-1))


def test_functional_ops_model_trains_saves_and_loads_in_keras_and_back(tmp_path):
    x = RNG.standard_normal((64, 4)).astype("float32")
    y = np.eye(2, dtype="float32")[RNG.integers(0, 2, 64)]
    ours = _ops_model(layerwise)
    ours.compile(optimizer="adam", loss="categorical_crossentropy")
    history = ours.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)

    keras_model = _ops_model(keras)
    keras_model.save(tmp_path / "theirs.keras")
    loaded = layerwise.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), keras_model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert [op.name for op in loaded.operations] == [op.name for op in keras_model.operations]


def test_training_a_functional_ops_model_gives_keras_numbers():
    x = RNG.standard_normal((64, 4)).astype("float32")
    y = np.eye(2, dtype="float32")[RNG.integers(0, 2, 64)]
    ours, theirs = _ops_model(layerwise), _ops_model(keras)
    ours.set_weights(theirs.get_weights())
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
    ours_history = ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    their_history = theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# -- the keras.io custom-layer idiom -----------------------------------------------------
def _custom_layer_class(library):
    ops = library.ops

    class OpsOnly(library.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

        def call(self, inputs):
            hidden = ops.matmul(inputs, self.w) + self.b
            hidden = ops.where(hidden > 0, hidden, 0.1 * hidden)
            centered = hidden - ops.mean(hidden, axis=-1, keepdims=True)
            return ops.softmax(ops.cast(centered, "float32"), axis=-1)

    return OpsOnly


@pytest.mark.skipif(not hasattr(layerwise.ops, "matmul"),
                    reason="the numpy half of layerwise.ops (ops-numpy branch) is not merged")
def test_custom_layer_written_in_ops_trains_like_keras():
    x = RNG.standard_normal((96, 5)).astype("float32")
    y = np.eye(3, dtype="float32")[RNG.integers(0, 3, 96)]
    models = []
    for library in (layerwise, keras):
        model = library.Sequential([library.Input((5,)), _custom_layer_class(library)(3)])
        model.compile(optimizer=library.optimizers.SGD(0.1), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        models.append(model)
    ours, theirs = models
    ours.set_weights(theirs.get_weights())
    our_history = ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    their_history = theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(our_history.history[key], their_history.history[key],
                                   rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not hasattr(layerwise.ops, "einsum"),
                    reason="the numpy half of layerwise.ops (ops-numpy branch) is not merged")
def test_numpy_ops_and_tensor_operators_save_and_load_across_libraries(tmp_path):
    def build(library):
        ops = library.ops
        x, y = library.Input((3,)), library.Input((3,))
        outputs = [ops.concatenate([x, y], axis=-1), ops.einsum("bi,bj->bij", x, y),
                   ops.stack([x, y], axis=1), ops.where(x > 0, x * 2 + 1, -y), x[:, 0]]
        return library.Model([x, y], outputs)

    ours, theirs = build(layerwise), build(keras)
    assert [(t.shape, t.dtype) for t in ours.outputs] == [
        (tuple(t.shape), t.dtype) for t in theirs.outputs]
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    a, b = RNG.standard_normal((2, 4, 3)).astype("float32")
    for loaded, original in [(keras.saving.load_model(tmp_path / "ours.keras"), ours),
                             (layerwise.saving.load_model(tmp_path / "theirs.keras"), theirs)]:
        for got, expected in zip(loaded.predict([a, b], verbose=0),
                                 original.predict([a, b], verbose=0)):
            np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-6)


def test_summary_lists_op_calls_as_keras_does():
    layerwise.backend.clear_session()
    keras.backend.clear_session()
    lines = []
    for library, sink in ((layerwise, lines), (keras, [])):
        inputs = library.Input((4,))
        model = library.Model(inputs, library.ops.softmax(
            library.layers.Dense(2)(library.ops.relu(inputs))))
        model.summary(print_fn=lambda line, *args, **kwargs: sink.append(line))
        if library is keras:
            theirs = sink
    ours_rows = [row.split("│")[1].strip() for row in "\n".join(lines).splitlines()
                 if row.startswith("│")]
    their_rows = [row.split("│")[1].strip() for row in "\n".join(theirs).splitlines()
                  if row.startswith("│")]
    assert ours_rows == their_rows


def test_registered_user_operation_saves_and_loads_in_a_functional_model(tmp_path):
    @layerwise.saving.register_keras_serializable(package="ops_test")
    class Doubled(layerwise.Operation):
        def __init__(self, factor, name=None):
            super().__init__(name=name)
            self.factor = factor

        def call(self, x):
            return layerwise.ops.relu(x) * self.factor

        def get_config(self):
            return {"name": self.name, "factor": self.factor}

    inputs = layerwise.Input((3,))
    model = layerwise.Model(inputs, Doubled(2.0)(layerwise.layers.Dense(3)(inputs)))
    model.save(tmp_path / "user_op.keras")
    loaded = layerwise.saving.load_model(tmp_path / "user_op.keras")
    data = RNG.standard_normal((4, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(data, verbose=0),
                                  model.predict(data, verbose=0))
    assert type(loaded.operations[-1]).__name__ == "Doubled"
    assert loaded.operations[-1].factor == 2.0
