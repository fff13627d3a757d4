"""Graph attributes: layer.input/output, model.inputs/outputs/input/output, get_layer,
nested and shared layers, functional-style Model subclasses; each checked against Keras."""
import numpy as np
import pytest

import layerwise
from keras_oracle import copy_weights, keras

LIBRARIES = [layerwise, keras]


def _outcome(function):
    """What `function()` gives: ("ok", value) or (exception type name, message)."""
    try:
        return "ok", function()
    except Exception as error:  # noqa: BLE001 - the outcome itself is what we compare
        return type(error).__name__, str(error)


def _shape_tree(value):
    if isinstance(value, dict):
        return {key: _shape_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_shape_tree(item) for item in value)
    return tuple(value.shape)


def _two_dense(k):
    inputs = k.Input((4,), name="x")
    first = k.layers.Dense(3, name="d1")
    second = k.layers.Dense(2, name="d2")
    return inputs, first, second, second(first(inputs))


@pytest.mark.parametrize("attribute", ["input", "output"])
def test_layer_input_and_output_in_a_functional_graph(attribute):
    shapes = []
    for k in LIBRARIES:
        inputs, first, second, outputs = _two_dense(k)
        shapes.append([_shape_tree(getattr(layer, attribute)) for layer in (first, second)])
        assert first.output is second.input
        assert second.output is outputs
    assert shapes[0] == shapes[1]


def test_a_layer_never_called_has_no_input_or_output():
    for attribute in ("input", "output"):
        outcomes = []
        for k in LIBRARIES:
            layer = k.layers.Dense(3, name="lonely")
            outcomes.append(_outcome(lambda: getattr(layer, attribute)))
        assert outcomes[0] == outcomes[1]
        assert outcomes[0][0] == "AttributeError"


def test_multi_input_layer_input_is_a_list_and_shared_layer_output_is_its_first_call():
    results = []
    for k in LIBRARIES:
        a, b = k.Input((2,)), k.Input((2,))
        add = k.layers.Add()
        add([a, b])
        shared = k.layers.Dense(5)
        first, _ = shared(a), shared(b)
        results.append((_shape_tree(add.input), shared.output is first, shared.input is a))
    assert results[0] == results[1]


@pytest.mark.parametrize("structure", ["single", "list", "dict"])
def test_model_input_output_keep_the_given_structure(structure):
    described = []
    for k in LIBRARIES:
        x = k.Input((4,), name="a")
        y = k.layers.Dense(2)(x)
        model = {"single": lambda: k.Model(x, y), "list": lambda: k.Model([x], [y]),
                 "dict": lambda: k.Model({"a": x}, {"o": y})}[structure]()
        described.append((_shape_tree(model.input), _shape_tree(model.output),
                          _shape_tree(model.inputs), _shape_tree(model.outputs),
                          model.input_shape, model.output_shape))
    assert described[0] == described[1]


def test_feature_extraction_from_an_intermediate_layer_output():
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    predictions = []
    source = None
    for k in LIBRARIES:
        inputs, first, second, outputs = _two_dense(k)
        model = k.Model(inputs, outputs)
        if source is None:
            source = model
        else:
            copy_weights(source, model)
        extractor = k.Model(model.inputs, model.layers[1].output)
        assert [layer.name for layer in extractor.layers] == ["x", "d1"]
        predictions.append(extractor.predict(x, verbose=0))
    np.testing.assert_allclose(predictions[0], predictions[1], rtol=1e-5, atol=1e-6)


def _sequential(k, with_input):
    layers = [k.layers.Dense(3, name="s1"), k.layers.Dense(5, name="s2"),
              k.layers.Dense(1, name="s3")]
    return k.Sequential(([k.Input((4,))] if with_input else []) + layers)


def test_sequential_inputs_and_outputs_and_feature_extraction():
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    results, source = [], None
    for k in LIBRARIES:
        model = _sequential(k, with_input=True)
        if source is None:
            source = model
        else:
            copy_weights(source, model)
        extractor = k.Model(model.inputs, model.layers[1].output)
        results.append((_shape_tree(model.inputs), _shape_tree(model.outputs),
                        _shape_tree(model.layers[0].input), _shape_tree(model.layers[2].output),
                        extractor.predict(x, verbose=0)))
    assert results[0][:4] == results[1][:4]
    np.testing.assert_allclose(results[0][4], results[1][4], rtol=1e-5, atol=1e-6)


def test_sequential_graph_attributes_before_and_after_build():
    outcomes = []
    for k in LIBRARIES:
        model = _sequential(k, with_input=False)
        before = [_outcome(lambda: model.inputs)[0], _outcome(lambda: model.outputs)[0],
                  _outcome(lambda: model.input)[0]]
        model.build((None, 6))
        after = (_shape_tree(model.inputs), _shape_tree(model.outputs),
                 _shape_tree(model.layers[0].input))
        outcomes.append((before, after))
    assert outcomes[0] == outcomes[1]


def test_get_layer_by_name_and_index_and_its_errors():
    outcomes = []
    for k in LIBRARIES:
        a, b = k.Input((2,), name="ga"), k.Input((2,), name="gb")
        model = k.Model([a, b], k.layers.Add(name="plus")([a, b]))
        outcomes.append([
            model.get_layer("plus").name, model.get_layer(index=1).name,
            _outcome(lambda: model.get_layer(name="plus", index=0)),
            _outcome(lambda: model.get_layer()),
            _outcome(lambda: model.get_layer("missing")),
            _outcome(lambda: model.get_layer(index=9)),
        ])
    assert outcomes[0] == outcomes[1]


def test_models_nested_both_ways_and_shared_layers_predict_as_keras():
    rng = np.random.default_rng(2)
    x1, x2 = (rng.normal(size=(4, 4)).astype("float32") for _ in range(2))
    results, sources = [], None
    for k in LIBRARIES:
        inner = k.Sequential([k.layers.Dense(3, name="inner_dense")], name="inner")
        x = k.Input((4,))
        sequential_in_functional = k.Model(x, k.layers.Dense(1)(inner(x)))
        y = k.Input((4,))
        functional = k.Model(y, k.layers.Dense(2)(y))
        functional_in_sequential = k.Sequential([k.Input((4,)), functional, k.layers.Dense(1)])
        left, right = k.Input((4,)), k.Input((4,))
        shared = k.layers.Dense(2, name="shared")
        shared_model = k.Model([left, right], k.layers.Add()([shared(left), shared(right)]))
        models = [sequential_in_functional, functional_in_sequential, shared_model]
        if sources is None:
            sources = models
        else:
            for source, model in zip(sources, models):
                copy_weights(source, model)
        results.append([len(shared_model.weights),
                        sequential_in_functional.predict(x1, verbose=0),
                        functional_in_sequential.predict(x1, verbose=0),
                        shared_model.predict([x1, x2], verbose=0)])
    assert results[0][0] == results[1][0] == 2
    for ours, theirs in zip(results[0][1:], results[1][1:]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_input_with_batch_shape_name_and_dtype():
    described = []
    for k in LIBRARIES:
        tensor = k.Input(batch_shape=(8, 3), name="batched", dtype="int32")
        described.append((tensor.shape, str(tensor.dtype), tensor.name))
    assert described[0] == described[1]


def test_model_subclass_built_from_inputs_and_outputs_trains():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    models = []
    for k in LIBRARIES:
        class CustomModel(k.Model):
            def describe(self):
                return "custom"

        inputs, _, _, outputs = _two_dense(k)
        model = CustomModel(inputs, outputs)
        assert isinstance(model, CustomModel) and model.describe() == "custom"
        models.append(model)
    copy_weights(models[0], models[1])
    results = []
    for model in models:
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        results.append((_shape_tree(model.outputs), history.history["loss"]))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)
