"""Layers under per-layer dtype policies: dtypes and numbers as Keras's."""
import numpy as np
import pytest

import layerwise
from keras_oracle import copy_weights, keras

LAYERS = {
    "dense": (lambda k, p: k.layers.Dense(3, dtype=p), (6,), "float32"),
    "dense_softmax": (lambda k, p: k.layers.Dense(3, activation="softmax", dtype=p), (6,),
                      "float32"),
    "conv2d": (lambda k, p: k.layers.Conv2D(2, 3, dtype=p), (5, 5, 3), "float32"),
    "batch_normalization": (lambda k, p: k.layers.BatchNormalization(dtype=p), (6,), "float32"),
    "layer_normalization": (lambda k, p: k.layers.LayerNormalization(dtype=p), (6,), "float32"),
    "embedding": (lambda k, p: k.layers.Embedding(10, 4, dtype=p), (3,), "int32"),
    "lstm": (lambda k, p: k.layers.LSTM(3, dtype=p), (4, 3), "float32"),
    "group_normalization": (lambda k, p: k.layers.GroupNormalization(2, dtype=p), (4,),
                            "float32"),
    "softmax": (lambda k, p: k.layers.Softmax(dtype=p), (6,), "float32"),
    "activation": (lambda k, p: k.layers.Activation("softmax", dtype=p), (6,), "float32"),
    "dropout": (lambda k, p: k.layers.Dropout(0.5, dtype=p), (6,), "float32"),
}


def _inputs(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "int32":
        return rng.integers(0, 10, size=(2,) + shape).astype("int32")
    return rng.normal(size=(2,) + shape).astype("float32")


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_layer_dtypes_and_outputs_match_keras(kind, policy):
    make, shape, input_dtype = LAYERS[kind]
    theirs, ours = make(keras, policy), make(layerwise, policy)
    x = _inputs(shape, input_dtype)
    for training in (False, True):
        expected = theirs(x, training=training) if kind != "dropout" else theirs(x)
        if ours.weights == [] and theirs.weights:
            ours(x)
        if theirs.weights and not ours.weights:
            ours.build((None,) + shape)
        copy_weights(theirs, ours)
        got = ours(x, training=training) if kind != "dropout" else ours(x)
        assert str(got.dtype) == str(expected.dtype) == ours.compute_dtype
        tolerance = 1e-2 if policy == "mixed_bfloat16" else 2e-3
        np.testing.assert_allclose(np.asarray(got, "float32"), np.asarray(expected, "float32"),
                                   rtol=tolerance, atol=tolerance)
    assert (ours.dtype, ours.compute_dtype, ours.variable_dtype) == (
        theirs.dtype, theirs.compute_dtype, theirs.variable_dtype)
    assert [str(w.dtype) for w in ours.weights] == [str(w.dtype) for w in theirs.weights]
    assert ours.get_config()["dtype"] == theirs.get_config()["dtype"]
    symbolic = ours(layerwise.Input(shape, dtype=input_dtype))
    their_symbolic = theirs(keras.Input(shape, dtype=input_dtype))
    assert symbolic.dtype == their_symbolic.dtype


# convert_element_type ops in each layer's float32 call, measured on the code before dtype
# policies existed (the layers' own math: masks and statistics); policies add none.
_CASTS_BEFORE_POLICIES = {("batch_normalization", True): 2, ("dropout", True): 2,
                          ("layer_normalization", False): 2, ("layer_normalization", True): 2,
                          ("group_normalization", False): 2, ("group_normalization", True): 2}


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_float32_policy_adds_no_casts(kind):
    import jax

    make, shape, input_dtype = LAYERS[kind]
    layer = make(layerwise, "float32")
    x = _inputs(shape, input_dtype)
    layer(x)
    for training in (False, True):
        jaxpr = str(jax.make_jaxpr(lambda v: layer(v, training=training))(x))
        assert jaxpr.count("convert_element_type") == _CASTS_BEFORE_POLICIES.get(
            (kind, training), 0)
        assert "bf16" not in jaxpr and "f16" not in jaxpr


def test_policy_argument_forms_are_equivalent():
    policy = layerwise.DTypePolicy("mixed_bfloat16")
    config = layerwise.dtype_policies.serialize(policy)
    for dtype in ("mixed_bfloat16", policy, config):
        layer = layerwise.layers.Dense(2, dtype=dtype)
        assert layer.dtype_policy == policy
        assert (layer.compute_dtype, layer.variable_dtype, layer.dtype) == (
            "bfloat16", "float32", "float32")


def test_global_policy_reaches_new_layers_and_not_inputs():
    try:
        layerwise.config.set_dtype_policy("mixed_bfloat16")
        keras.config.set_dtype_policy("mixed_bfloat16")
        models = [k.Sequential([k.Input((6,)), k.layers.Dense(4, activation="relu"),
                                k.layers.Dense(1, activation="sigmoid", dtype="float32")])
                  for k in (layerwise, keras)]
        ours, theirs = models
        copy_weights(theirs, ours)
        x = _inputs((6,), "float32")
        assert ours.dtype_policy == layerwise.DTypePolicy("mixed_bfloat16")
        assert ours.layers[0].compute_dtype == theirs.layers[0].compute_dtype == "bfloat16"
        assert ours.inputs[0].dtype == theirs.inputs[0].dtype == "float32"
        got, expected = ours(x), theirs(x)
        assert str(got.dtype) == str(expected.dtype) == "float32"
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-2, atol=1e-2)
        assert ours.get_config()["dtype"] == theirs.get_config()["dtype"]
    finally:
        layerwise.config.set_dtype_policy("float32")
        keras.config.set_dtype_policy("float32")


def test_autocast_false_keeps_inputs_and_variables_as_they_are():
    layer = layerwise.layers.Dense(2, dtype="mixed_float16", autocast=False)
    out = layer(np.ones((1, 3), "float32"))
    assert str(out.dtype) == "float32"


def test_nested_layers_in_a_mixed_model_match_keras():
    """Embedding, LSTM, normalization and a float32 head inside a mixed_bfloat16 model."""
    ids = np.random.default_rng(2).integers(1, 20, size=(4, 5)).astype("int32")
    try:
        for k in (layerwise, keras):
            k.config.set_dtype_policy("mixed_bfloat16")
        models = [k.Sequential([
            k.Input((5,), dtype="int32"), k.layers.Embedding(20, 6, mask_zero=True),
            k.layers.LSTM(4, return_sequences=True), k.layers.GroupNormalization(2),
            k.layers.BatchNormalization(), k.layers.GlobalAveragePooling1D(),
            k.layers.Dense(1, dtype="float32")]) for k in (keras, layerwise)]
    finally:
        for k in (layerwise, keras):
            k.config.set_dtype_policy("float32")
    theirs, ours = models
    copy_weights(theirs, ours)
    for training in (False, True):
        expected, got = theirs(ids, training=training), ours(ids, training=training)
        assert str(got.dtype) == str(expected.dtype) == "float32"
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected), atol=2e-2)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_attention_autocasts_every_tensor_argument_as_keras(policy):
    query = _inputs((3, 4), "float32")
    value = _inputs((5, 4), "float32", seed=1)
    theirs, ours = (k.layers.MultiHeadAttention(2, 3, dtype=policy) for k in (keras, layerwise))
    expected = theirs(query, value)
    ours(query, value)
    copy_weights(theirs, ours)
    got = ours(query, value)
    assert str(got.dtype) == str(expected.dtype) == ours.compute_dtype
    assert [layer.compute_dtype for layer in ours._sublayers()] == [ours.compute_dtype] * len(
        ours._sublayers())
    np.testing.assert_allclose(np.asarray(got, "float32"), np.asarray(expected, "float32"),
                               atol=2e-2)


SHAPE_LAYERS = {
    "Rescaling": lambda L, p: L.Rescaling(1 / 255.0, dtype=p),
    "Normalization": lambda L, p: L.Normalization(mean=0.5, variance=2.0, dtype=p),
    "Resizing": lambda L, p: L.Resizing(4, 4, dtype=p),
    "RandomFlip": lambda L, p: L.RandomFlip(dtype=p, seed=1),
    "RandomContrast": lambda L, p: L.RandomContrast(0.2, dtype=p, seed=1),
    "MaxPooling2D": lambda L, p: L.MaxPooling2D(dtype=p),
    "PReLU": lambda L, p: L.PReLU(dtype=p),
    "DepthwiseConv2D": lambda L, p: L.DepthwiseConv2D(3, dtype=p),
    "Conv2DTranspose": lambda L, p: L.Conv2DTranspose(2, 3, dtype=p),
    "UnitNormalization": lambda L, p: L.UnitNormalization(dtype=p),
}


@pytest.mark.parametrize("kind", sorted(SHAPE_LAYERS))
def test_more_layers_output_their_compute_dtype_as_keras(kind):
    images = np.random.default_rng(0).uniform(size=(2, 8, 8, 3)).astype("float32")
    theirs, ours = (SHAPE_LAYERS[kind](k.layers, "mixed_bfloat16") for k in (keras, layerwise))
    expected = theirs(images)
    if theirs.weights:  # built by a first call; random layers are called once only
        ours(images)
        copy_weights(theirs, ours)
    got = ours(images)
    assert str(got.dtype) == str(expected.dtype) == "bfloat16"
    np.testing.assert_allclose(np.asarray(got, "float32"), np.asarray(expected, "float32"),
                               rtol=1e-2, atol=1e-2)
