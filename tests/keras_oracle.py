"""Helpers for tests that compare layerwise with real Keras (JAX backend), the oracle."""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

import keras


def moons(n: int = 1000, noise: float = 0.05, seed: int = 0):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype("float32"), y.astype("float32")


def copy_weights(source, target) -> None:
    """Give `target` the weights of `source` (either library), layer by layer."""
    target.set_weights([np.asarray(w) for w in source.get_weights()])


def assert_weights_close(ours, theirs, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    ours_weights, their_weights = ours.get_weights(), theirs.get_weights()
    assert len(ours_weights) == len(their_weights)
    for a, b in zip(ours_weights, their_weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def _inputs_for(input_shape: Any, input_dtype: str, batch: int, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    if isinstance(input_shape, list):
        return [_inputs_for(shape, input_dtype, batch, seed + i) for i, shape in
                enumerate(input_shape)]
    if np.issubdtype(np.dtype(input_dtype), np.integer):
        return rng.integers(0, 10, size=(batch,) + tuple(input_shape)).astype(input_dtype)
    return rng.normal(size=(batch,) + tuple(input_shape)).astype(input_dtype)


def _batch_shapes(input_shape: Any, batch: int | None = None) -> Any:
    if isinstance(input_shape, list):
        return [(batch,) + tuple(shape) for shape in input_shape]
    return (batch,) + tuple(input_shape)


def _symbolic_inputs(library: Any, input_shape: Any, input_dtype: str) -> Any:
    if isinstance(input_shape, list):
        return [library.Input(tuple(shape), dtype=input_dtype) for shape in input_shape]
    return library.Input(tuple(input_shape), dtype=input_dtype)


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check_layer(make: Callable[[Any], Any], input_shape: Any, *,
                keras_make: Callable[[Any], Any] | None = None,
                input_dtype: str = "float32", call_kwargs: dict | None = None,
                train: bool = True, batch: int = 4, seed: int = 1,
                rtol: float = 1e-5, atol: float = 1e-5, positional_inputs: bool = False,
                model_call_kwargs: dict | None = None) -> Any:
    """The contract every layer keeps, checked against real Keras.

    `make(library)` builds the layer from `layerwise` or from `keras` (the same code for
    both unless `keras_make` is given); `input_shape` excludes the batch axis, or is a list
    of such shapes for layers with several inputs. Checked: explicit `build` marks the layer
    built with Keras's weights (same count, order, shapes and names); outputs and
    `compute_output_shape` (unknown and concrete batch) equal Keras's from identical random
    weights; `count_params`; the exact config keys and values Keras writes; the config
    round trip (the rebuilt layer computes the same); a `.keras` file of the layer in a
    model, read by real Keras, computes the same; and (with `train`) one SGD epoch from
    identical weights gives Keras's loss and weights. Automatic names are compared without
    their counter suffix, which depends on how many layers of the class each library has
    made. With `positional_inputs`, the several inputs are passed as separate arguments
    (`build(*shapes)`, `layer(*inputs)`), as MultiHeadAttention takes them;
    `model_call_kwargs` are call arguments for the one-layer model's symbolic call.
    Returns our layer.
    """
    import tempfile

    import layerwise

    call_kwargs = call_kwargs or {}
    ours, theirs = make(layerwise), (keras_make or make)(keras)
    spread = _spreader(positional_inputs)
    spread(ours.build, _batch_shapes(input_shape))
    spread(theirs.build, _batch_shapes(input_shape))
    assert ours.built, f"{type(ours).__name__}.build() did not mark the layer built"
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    _give_random_weights([ours, theirs], seed)

    x = _inputs_for(input_shape, input_dtype, batch, seed)
    our_outputs = spread(ours, x, **call_kwargs)
    their_outputs = spread(theirs, x, **call_kwargs)
    for a, b in zip(_as_list(our_outputs), _as_list(their_outputs)):
        assert tuple(np.shape(a)) == tuple(np.shape(b))
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)
    for shapes in (_batch_shapes(input_shape), _batch_shapes(input_shape, batch)):
        our_shape = spread(ours.compute_output_shape, shapes)
        assert _shapes_as_lists(our_shape) == _shapes_as_lists(
            spread(theirs.compute_output_shape, shapes))
    # The shape for a concrete batch fits the outputs (a None it leaves, as Keras does for
    # an axis a layer declares unknown, fits any size). Call arguments such as
    # return_attention_scores change the outputs beyond what compute_output_shape models.
    assert call_kwargs or _fits(_shapes_as_lists(our_shape), _shapes_as_lists(
        [np.shape(a) for a in our_outputs] if isinstance(our_outputs, (list, tuple))
        else np.shape(our_outputs)))
    assert ours.count_params() == theirs.count_params()

    config = ours.get_config()
    their_config = theirs.get_config()
    assert sorted(config) == sorted(their_config)
    assert _plain(_unnumbered(config)) == _plain(_unnumbered(their_config))
    assert config["name"] == ours.name
    rebuilt = type(ours).from_config(config)
    assert rebuilt.get_config() == config
    spread(rebuilt.build, _batch_shapes(input_shape))
    rebuilt.set_weights(ours.get_weights())
    for a, b in zip(_as_list(spread(rebuilt, x, **call_kwargs)), _as_list(our_outputs)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))

    # The layer inside a model, with the same weights: saved by us, read by Keras.
    our_model = _one_layer_model(layerwise, make, input_shape, input_dtype, spread,
                                 model_call_kwargs)
    their_model = _one_layer_model(keras, keras_make or make, input_shape, input_dtype, spread,
                                   model_call_kwargs)
    _give_random_weights([our_model, their_model], seed)
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/layer.keras"
        our_model.save(path)
        loaded = keras.saving.load_model(path)
        for a, b, c in zip(_as_list(our_model(x)), _as_list(loaded(x)), _as_list(our_outputs)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(c), rtol=rtol, atol=atol)
            np.testing.assert_allclose(np.asarray(b), np.asarray(c), rtol=rtol, atol=atol)

    if train and our_model.trainable_weights:
        rng = np.random.default_rng(seed + 99)
        y = [rng.normal(size=np.shape(o)).astype("float32") for o in _as_list(their_outputs)]
        y = y[0] if len(y) == 1 else y
        losses = []
        for model in (our_model, their_model):
            library = layerwise if model is our_model else keras
            model.compile(library.optimizers.SGD(0.05), "mse")
            history = model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
            losses.append(history.history["loss"])
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
        assert_weights_close(our_model, their_model, rtol=1e-4, atol=1e-5)
    return ours


def twins(make: Callable[[Any], Any], **compile_arguments: Any) -> tuple[Any, Any]:
    """`make(library)` from layerwise and from Keras (made first), as `(ours, theirs)`.

    A built layer or model gets Keras's weights; given compile arguments, both are
    compiled alike (`optimizer` may be a name or a function of the library).
    """
    import layerwise

    theirs, ours = make(keras), make(layerwise)
    if isinstance(theirs, keras.layers.Layer) and theirs.weights:
        copy_weights(theirs, ours)
    if compile_arguments:
        optimizer = compile_arguments.pop("optimizer", "rmsprop")
        for model, library in ((ours, layerwise), (theirs, keras)):
            model.compile(optimizer=optimizer(library) if callable(optimizer)
                          else library.optimizers.get(optimizer), **compile_arguments)
    return ours, theirs


def _give_random_weights(layers: list, seed: int) -> None:
    """The same random weights for every layer or model given (variances kept positive).

    Random rather than initial values: a zero bias or an identity BatchNormalization
    would hide a wrong use of the weight."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=w.shape).astype("float32") for w in layers[0].weights]
    weights = [np.abs(w) + 0.5 if "variance" in v.name else w
               for w, v in zip(weights, layers[0].weights)]
    for layer in layers:
        layer.set_weights(weights)


def _spreader(positional_inputs: bool) -> Callable:
    """Calls `function(inputs)`, or `function(*inputs)` for layers taking them apart."""
    def spread(function: Callable, inputs: Any, **kwargs: Any) -> Any:
        if positional_inputs:
            return function(*inputs, **kwargs)
        return function(inputs, **kwargs)
    return spread


def _one_layer_model(library: Any, make: Callable[[Any], Any], input_shape: Any,
                     input_dtype: str, spread: Callable = None,
                     call_kwargs: dict | None = None) -> Any:
    inputs = _symbolic_inputs(library, input_shape, input_dtype)
    layer = make(library)
    if spread is None:
        return library.Model(inputs, layer(inputs))
    return library.Model(inputs, spread(layer, inputs, **(call_kwargs or {})))


def _shapes_as_lists(shape: Any) -> Any:
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return [None if d is None else int(d) for d in shape]
    if isinstance(shape, (list, tuple)):
        return [_shapes_as_lists(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _shapes_as_lists(v) for k, v in shape.items()}
    return shape


def _fits(computed: Any, actual: Any) -> bool:
    if isinstance(computed, list) and isinstance(actual, list):
        return len(computed) == len(actual) and all(_fits(c, a)
                                                    for c, a in zip(computed, actual))
    return computed is None or computed == actual


def _unnumbered(config: dict) -> dict:
    """The config with an automatic name's counter (`dense_3` -> `dense`) dropped."""
    return {**config, "name": re.sub(r"_\d+$", "", config["name"])}


def _plain(value: Any) -> Any:
    """A config with tuples as lists, as both libraries write it to JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


__all__ = ["assert_weights_close", "check_layer", "copy_weights", "keras", "moons", "twins"]
