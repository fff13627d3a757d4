"""compile's run_eagerly / jit_compile / steps_per_execution and summary's options, against Keras."""
import numpy as np
import pytest

import layerwise
from tests.keras_oracle import copy_weights, keras


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def _printing_model(library, seen):
    class Spy(library.layers.Layer):
        def call(self, inputs):
            seen.append(inputs)
            return inputs

    return library.Sequential([library.Input((3,)), Spy(), library.layers.Dense(1)])


@pytest.mark.parametrize("option", [{"run_eagerly": True}, {"jit_compile": False}])
def test_eager_steps_see_concrete_values_and_give_the_compiled_numbers(option):
    x, y = _data()
    seen = []
    eager = _printing_model(layerwise, seen)
    compiled = _printing_model(layerwise, [])
    copy_weights(eager, compiled)
    eager.compile("sgd", "mse", **option)
    compiled.compile("sgd", "mse")
    eager.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    compiled.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    concrete = [value for value in seen if isinstance(value, np.ndarray) or hasattr(
        value, "__array__") and not type(value).__name__.endswith("Tracer")]
    # 3 batches (4, 4, 2 rows) in each of 2 epochs ran with real arrays.
    assert [np.shape(value)[0] for value in concrete][-6:] == [4, 4, 2, 4, 4, 2]
    for ours, theirs in zip(eager.get_weights(), compiled.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_steps_per_execution_spaces_the_batch_hooks_as_in_keras():
    x, y = _data()
    seen = {}
    for library in (layerwise, keras):
        batches = []
        hook = library.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs=None: batches.append(batch))
        model = library.Sequential([library.Input((3,)), library.layers.Dense(1)])
        model.compile("sgd", "mse", steps_per_execution=2)
        model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0, callbacks=[hook])
        seen[library.__name__] = batches
    assert seen["layerwise"] == seen["keras"]


def test_bad_steps_per_execution_is_refused():
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1)])
    with pytest.raises(ValueError, match="steps_per_execution"):
        model.compile("sgd", "mse", steps_per_execution=0)


def _summary_rows(library, **options):
    model = library.Sequential([library.Input((3,)), library.layers.Dense(2, name="first"),
                                library.layers.Dense(2, name="second"),
                                library.layers.Dense(1, name="third")])
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), **options)
    text = "\n".join(lines)
    return [name for name in ("first", "second", "third") if f"{name} (Dense)" in text]


def test_summary_layer_range_shows_the_layers_keras_shows():
    options = {"layer_range": ["second", "third"]}
    assert _summary_rows(layerwise, **options) == _summary_rows(keras, **options)
    with pytest.raises(ValueError, match="layer_range"):
        _summary_rows(layerwise, layer_range=["second", "missing"])


# Keras's table library rebalances columns given in characters (line_length=70,
# positions=[25, 50, 70]); layerwise keeps the edges asked for.
@pytest.mark.parametrize("line_length, positions", [(60, [0.5, 0.8, 1.0]),
                                                     (80, [0.3, 0.6, 1.0])])
def test_summary_positions_set_the_columns_keras_sets(line_length, positions):
    headers = []
    for library in (layerwise, keras):
        lines = []
        model = library.Sequential([library.Input((3,)), library.layers.Dense(2)])
        model.summary(line_length=line_length, positions=positions,
                      print_fn=lambda line, *args, **kwargs: lines.append(line))
        headers.append(next(line for line in "\n".join(lines).splitlines()
                            if "Layer (type)" in line))
    assert headers[0] == headers[1]


@pytest.mark.parametrize("options", [{}, {"run_eagerly": True}, {"jit_compile": False},
                                     {"steps_per_execution": 3}])
def test_compile_options_read_back_as_in_keras(options):
    seen = []
    for library in (layerwise, keras):
        model = library.Sequential([library.Input((3,)), library.layers.Dense(1)])
        model.compile("sgd", "mse", **options)
        before = (model.run_eagerly, model.jit_compile, model.steps_per_execution)
        model.run_eagerly = True
        seen.append((before, model.run_eagerly, model.jit_compile))
        config = model.get_compile_config()
        twin = library.Sequential([library.Input((3,)), library.layers.Dense(1)])
        twin.compile_from_config(config)
        seen.append(twin.steps_per_execution)
    assert seen[:2] == seen[2:]
