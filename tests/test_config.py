"""`layerwise.config` has Keras's names, defaults and validation."""
import pytest

import layerwise
from keras_oracle import keras


def test_every_keras_config_name_exists():
    names = {n for n in dir(keras.config) if not n.startswith("_")}
    assert names <= set(layerwise.config.__all__)


def test_defaults_match_keras():
    for name in ["backend", "epsilon", "floatx", "image_data_format", "max_epochs",
                 "max_steps_per_epoch", "is_interactive_logging_enabled",
                 "is_traceback_filtering_enabled", "is_flash_attention_enabled",
                 "is_nnx_enabled"]:
        assert getattr(layerwise.config, name)() == getattr(keras.config, name)(), name
    ours, theirs = layerwise.config.dtype_policy(), keras.config.dtype_policy()
    assert (ours.name, ours.compute_dtype, ours.variable_dtype) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype)
    assert repr(ours) == repr(theirs)


def test_settings_round_trip_and_are_shared_with_backend():
    config = layerwise.config
    try:
        config.set_epsilon(1e-4)
        assert layerwise.backend.epsilon() == 1e-4
        config.set_image_data_format("channels_first")
        assert layerwise.backend.image_data_format() == "channels_first"
        config.set_max_epochs(3)
        config.set_max_steps_per_epoch(5)
        assert (config.max_epochs(), config.max_steps_per_epoch()) == (3, 5)
        config.disable_interactive_logging()
        config.disable_traceback_filtering()
        config.enable_flash_attention()
        assert not config.is_interactive_logging_enabled()
        assert not config.is_traceback_filtering_enabled()
        assert config.is_flash_attention_enabled()
        config.set_dtype_policy("mixed_float16")
        assert config.dtype_policy().compute_dtype == "float16"
    finally:
        config.set_epsilon(1e-7)
        config.set_image_data_format("channels_last")
        config.set_max_epochs(None)
        config.set_max_steps_per_epoch(None)
        config.enable_interactive_logging()
        config.enable_traceback_filtering()
        layerwise.config._settings["flash_attention"] = None
        config.set_dtype_policy("float32")


def test_image_data_format_sets_the_ops_default():
    import numpy as np

    images = np.ones((1, 3, 4, 5), "float32")
    try:
        layerwise.config.set_image_data_format("channels_first")
        assert layerwise.ops.max_pool(images, (2, 2), (2, 2)).shape == (1, 3, 2, 2)
    finally:
        layerwise.config.set_image_data_format("channels_last")
    assert layerwise.ops.max_pool(images, (2, 2), (2, 2)).shape == (1, 1, 2, 5)


@pytest.mark.parametrize("call", [
    lambda c: c.set_image_data_format("channels_middle"),
    lambda c: c.set_floatx("int32"),
    lambda c: c.set_backend("torch"),
    lambda c: c.set_max_epochs(0),
    lambda c: c.set_dtype_policy("int8_policy"),
])
def test_bad_values_raise_value_error(call):
    with pytest.raises(ValueError):
        call(layerwise.config)


def test_backend_dtype_helpers_match_keras():
    ours, theirs = layerwise.backend, keras.backend
    for dtype in ["float32", "int8", "bool", "bfloat16", None, "uint16"]:
        assert ours.standardize_dtype(dtype) == theirs.standardize_dtype(dtype)
        if dtype is not None:
            assert ours.is_float_dtype(dtype) == theirs.is_float_dtype(dtype)
            assert ours.is_int_dtype(dtype) == theirs.is_int_dtype(dtype)
    for pair in [("int32", "float16"), ("uint8", "int8"), ("bool", "int16"),
                 ("float32", "bfloat16")]:
        assert ours.result_type(*pair) == theirs.result_type(*pair)
    assert ours.is_keras_tensor(layerwise.Input((3,)))
    assert not ours.is_keras_tensor(np_array())
    assert [ours.get_uid("x"), ours.get_uid("x"), ours.get_uid("y")] == [1, 2, 1]
    names = {n for n in dir(keras.backend) if not n.startswith("_")}
    assert names <= set(ours.__all__)


def np_array():
    import numpy as np

    return np.ones(2)
