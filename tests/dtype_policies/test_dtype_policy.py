"""DTypePolicy, FloatDTypePolicy, DTypePolicyMap and the global policy, as Keras's."""
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

ours_module, their_module = layerwise.dtype_policies, keras.dtype_policies
NAMES = ["float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16",
         "int32"]


@pytest.mark.parametrize("name", NAMES)
def test_policy_names_dtypes_repr_and_config(name):
    ours, theirs = ours_module.DTypePolicy(name), their_module.DTypePolicy(name)
    assert (ours.name, ours.compute_dtype, ours.variable_dtype, ours.quantization_mode) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype, theirs.quantization_mode)
    assert repr(ours) == repr(theirs)
    assert ours.get_config() == theirs.get_config()
    assert ours_module.serialize(ours) == their_module.serialize(theirs)
    float_policy = ours_module.FloatDTypePolicy(name)
    assert ours_module.serialize(float_policy) == their_module.serialize(
        their_module.FloatDTypePolicy(name))
    assert repr(float_policy) == repr(their_module.FloatDTypePolicy(name))
    assert float_policy == ours and ours == ours_module.DTypePolicy(name)


@pytest.mark.parametrize("identifier", [
    None, "mixed_bfloat16", "float16", np.float16, np.dtype("float64"),
    {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"},
     "registered_name": None},
    {"class_name": "FloatDTypePolicy", "config": {"name": "bfloat16"}},
])
def test_get_accepts_what_keras_accepts(identifier):
    ours, theirs = ours_module.get(identifier), their_module.get(identifier)
    assert (type(ours).__name__, ours.name) == (type(theirs).__name__, theirs.name)
    policy = ours_module.DTypePolicy("mixed_float16")
    assert ours_module.get(policy) is policy


@pytest.mark.parametrize("identifier, error", [
    ("foo", ValueError), (3, ValueError), ("int8_policy", ValueError), ("float", ValueError),
])
def test_bad_identifiers_raise_as_in_keras(identifier, error):
    with pytest.raises(error):
        their_module.get(identifier)
    with pytest.raises(error) as raised:
        ours_module.get(identifier)
    if isinstance(identifier, str) and identifier == "foo":
        assert "Cannot convert 'foo'" in str(raised.value)


def test_quantized_policies_are_reported_as_not_implemented():
    with pytest.raises(NotImplementedError, match="Quantized"):
        ours_module.get("int8_from_float32")
    with pytest.raises(TypeError, match="'name' must be a string"):
        ours_module.DTypePolicy(3)


def test_policy_map_lookup_and_config():
    policies = {}
    for module in (ours_module, their_module):
        policy_map = module.DTypePolicyMap(default_policy="float32")
        policy_map["encoder/layer_0/dense"] = module.DTypePolicy("bfloat16")
        policy_map["encoder/.*"] = "float16"
        policy_map["decoder"] = module.DTypePolicy("mixed_bfloat16")
        policies[module] = policy_map
    ours, theirs = policies[ours_module], policies[their_module]
    for path in ["encoder/layer_0/dense", "encoder/attention/query", "decoder",
                 "decoder/attention", "other"]:
        assert ours[path].name == theirs[path].name, path
    assert (ours.name, ours.compute_dtype, len(ours), list(ours)) == (
        theirs.name, theirs.compute_dtype, len(theirs), list(theirs))
    assert ours_module.serialize(ours) == their_module.serialize(theirs)
    with pytest.raises(ValueError, match="already exist"):
        ours["decoder"] = "float32"
    ours["encoder/attention/.*"] = "bfloat16"
    with pytest.raises(ValueError, match="matches multiple dtype policy"):
        ours["encoder/attention/query"]
    rebuilt = ours_module.deserialize(their_module.serialize(theirs))
    assert isinstance(rebuilt, ours_module.DTypePolicyMap)
    assert rebuilt["encoder/x"].name == "float16"


def test_policy_map_without_default_writes_names_as_keras():
    ours, theirs = ours_module.DTypePolicyMap(), their_module.DTypePolicyMap()
    ours["dense"], theirs["dense"] = "bfloat16", their_module.DTypePolicy("bfloat16")
    assert ours_module.serialize(ours) == their_module.serialize(theirs)
    assert ours.default_policy.name == theirs.default_policy.name == "float32"


def test_layer_takes_its_policy_from_a_map_by_path():
    policy_map = ours_module.DTypePolicyMap(default_policy="float32")
    policy_map["special"] = "mixed_bfloat16"
    special = layerwise.layers.Dense(2, dtype=policy_map, name="special")
    plain = layerwise.layers.Dense(2, dtype=policy_map, name="plain")
    assert (special.compute_dtype, special.variable_dtype) == ("bfloat16", "float32")
    assert plain.compute_dtype == "float32"
    assert str(special(np.ones((1, 3), "float32")).dtype) == "bfloat16"


def test_global_policy_functions_and_names():
    mixed = layerwise.mixed_precision
    assert {n for n in dir(keras.mixed_precision) if not n.startswith("_")} <= set(mixed.__all__)
    assert {n for n in dir(keras.dtype_policies) if not n.startswith("_")} - set(
        ours_module.__all__) == {"AWQDTypePolicy", "GPTQDTypePolicy", "Int4DTypePolicy",
                                 "QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy"}
    assert mixed.Policy is mixed.DTypePolicy is layerwise.DTypePolicy
    assert layerwise.FloatDTypePolicy is ours_module.FloatDTypePolicy
    try:
        mixed.set_global_policy("mixed_float16")
        assert layerwise.config.dtype_policy() == layerwise.DTypePolicy("mixed_float16")
        assert mixed.global_policy().compute_dtype == "float16"
        assert layerwise.layers.Dense(2).compute_dtype == "float16"
        assert ours_module.DTypePolicy().name == "mixed_float16"
        with pytest.raises(ValueError, match="Invalid `policy` argument"):
            mixed.set_global_policy(3)
    finally:
        layerwise.config.set_dtype_policy("float32")
    assert layerwise.layers.Dense(2).compute_dtype == "float32"


@pytest.mark.parametrize("value", [np.ones((2,), "float32"), np.ones((2,), "int32"),
                                   np.ones((2,), "float64")])
@pytest.mark.parametrize("autocast", [True, False])
def test_convert_input_casts_floats_only_as_keras(value, autocast):
    ours = ours_module.DTypePolicy("mixed_bfloat16").convert_input(value, autocast, "bfloat16")
    theirs = their_module.DTypePolicy("mixed_bfloat16").convert_input(value, autocast, "bfloat16")
    assert str(ours.dtype) == str(theirs.dtype)


def test_setting_a_layer_policy():
    layer = layerwise.layers.Dense(2)
    layer.dtype_policy = "mixed_bfloat16"
    assert (layer.compute_dtype, layer.dtype) == ("bfloat16", "float32")
    assert str(layer(np.ones((1, 3), "float32")).dtype) == "bfloat16"
    assert [str(w.dtype) for w in layer.weights] == ["float32", "float32"]
