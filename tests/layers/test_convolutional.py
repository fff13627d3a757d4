"""Convolution layers vs real Keras; the CPU (im2col) and XLA formulations agree."""
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
import layerwise.ops.convolution
from keras_oracle import assert_weights_close, check_layer, keras, twins
from layerwise.engine.variables import StatelessScope
from layerwise.layers import convolutional

# (layer, arguments, input shape without the batch axis)
CASES = [
    ("Conv2D", dict(filters=4, kernel_size=3), (7, 8, 3)),
    ("Conv2D", dict(filters=4, kernel_size=(3, 2), strides=2, padding="same",
                    activation="relu"), (7, 8, 3)),
    ("Conv2D", dict(filters=5, kernel_size=(2, 3), strides=(3, 1), padding="valid",
                    use_bias=False), (8, 7, 2)),
    ("Conv2D", dict(filters=6, kernel_size=3, dilation_rate=2, padding="same", groups=3),
     (9, 8, 3)),
    ("Conv2D", dict(filters=4, kernel_size=3, dilation_rate=(1, 2)), (9, 8, 2)),
    ("Conv2D", dict(filters=4, kernel_size=3, data_format="channels_first", padding="same",
                    strides=(1, 2)), (3, 7, 8)),
    ("Conv2D", dict(filters=4, kernel_size=2, data_format="channels_first", groups=2,
                    dilation_rate=2), (4, 6, 6)),
    ("Conv1D", dict(filters=4, kernel_size=3), (10, 3)),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), (10, 3)),
    ("Conv1D", dict(filters=4, kernel_size=4, strides=3, padding="same", groups=2), (10, 6)),
    ("Conv1D", dict(filters=3, kernel_size=2, data_format="channels_first",
                    padding="causal"), (2, 9)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2), (5, 6, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same"), (5, 6, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=4, strides=3, padding="same",
                             output_padding=1), (5, 6, 3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, dilation_rate=2,
                             data_format="channels_first"), (3, 5, 6)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, strides=2, output_padding=1), (5, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same"), (7, 8, 3)),
    ("DepthwiseConv2D", dict(kernel_size=2, strides=2, data_format="channels_first"),
     (3, 6, 7)),
    ("SeparableConv2D", dict(filters=5, kernel_size=3, depth_multiplier=2, strides=2),
     (7, 8, 3)),
]


def _zero_initializers(name: str) -> dict:
    """Zero kernel initializers: a random one compiles a new program for every kernel
    shape (about 0.5 s each, in both libraries); the checks set random weights anyway."""
    return {key: "zeros" for key in ("kernel_initializer", "depthwise_initializer",
                                     "pointwise_initializer")
            if key in inspect.signature(getattr(keras.layers, name)).parameters}


def _built_with_random_weights(name, arguments, shape):
    layer = getattr(layerwise.layers, name)(**arguments, **_zero_initializers(name))
    layer.build((None,) + shape)
    rng = np.random.default_rng(7)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return layer


@pytest.mark.parametrize("name, arguments, shape", CASES)
def test_layer_contract_matches_keras(name, arguments, shape):
    check_layer(lambda k: getattr(k.layers, name)(**arguments, **_zero_initializers(name)),
                shape)
    # The configs with the default initializers too (not built: no random draws).
    ours, theirs = twins(lambda k: getattr(k.layers, name)(**arguments))
    assert sorted(ours.get_config()) == sorted(theirs.get_config())
    assert {**ours.get_config(), "name": None} == {**theirs.get_config(), "name": None}
    rebuilt = type(ours).from_config(ours.get_config())
    assert rebuilt.get_config() == ours.get_config()


def _value_and_grads(layer, x, implementation, monkeypatch, max_patch_bytes=1 << 28):
    """sum(sin(layer(x))) and its gradients for x and the weights, with one formulation."""
    monkeypatch.setattr(layerwise.ops.convolution, "default_implementation",
                        lambda: implementation)
    monkeypatch.setattr(layerwise.ops.convolution, "MAX_PATCH_BYTES", max_patch_bytes)

    def loss(inputs, weights):
        with StatelessScope(list(zip(layer.weights, weights))):
            return jnp.sum(jnp.sin(layer(inputs)))

    weights = [w.value for w in layer.weights]
    return jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))(x, weights)


def _assert_trees_close(a, b):
    for left, right in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(np.asarray(left), np.asarray(right), rtol=1e-5, atol=1e-5)


# One case per feature (strides with 'same', groups with dilation, channels_first, causal,
# grouped Conv1D, transposed with output_padding, transposed channels_first with
# dilation, depthwise, separable); the forward test above already compares every case's
# CPU formulation with Keras's XLA one.
FORMULATION_CASES = [CASES[i] for i in (1, 3, 5, 8, 9, 13, 14, 17, 18)]


@pytest.mark.parametrize("name, arguments, shape", FORMULATION_CASES)
def test_im2col_per_offset_and_xla_give_the_same_outputs_and_gradients(
        name, arguments, shape, monkeypatch):
    x = jnp.asarray(np.random.default_rng(1).normal(size=(2,) + shape), jnp.float32)
    layer = _built_with_random_weights(name, arguments, shape)
    xla = _value_and_grads(layer, x, "xla", monkeypatch)
    _assert_trees_close(_value_and_grads(layer, x, "im2col", monkeypatch), xla)
    # Inputs too large for stacked windows: one matmul per kernel offset.
    _assert_trees_close(_value_and_grads(layer, x, "im2col", monkeypatch, max_patch_bytes=0),
                        xla)


@settings(max_examples=20, deadline=None)
@given(size=st.integers(1, 12), kernel=st.integers(1, 4), stride=st.integers(1, 3),
       dilation=st.integers(1, 3), padding=st.sampled_from(["valid", "same", "causal"]),
       groups=st.sampled_from([1, 2]))
def test_conv1d_shapes_and_formulations_agree_on_random_configurations(
        size, kernel, stride, dilation, padding, groups):
    if stride > 1 and dilation > 1:
        stride = 1
    layer = layerwise.layers.Conv1D(2 * groups, kernel, strides=stride, padding=padding,
                                    dilation_rate=dilation, groups=groups)
    if padding == "valid" and size < (kernel - 1) * dilation + 1:
        with pytest.raises(ValueError, match="zero or negative"):
            layer.compute_output_shape((None, size, 2))
        return
    expected = layer.compute_output_shape((None, size, 2))
    rng = np.random.default_rng(size)
    x = jnp.asarray(rng.normal(size=(1, size, 2)), jnp.float32)
    kernel = jnp.asarray(rng.normal(size=(kernel, 2 // groups, 2 * groups)), jnp.float32)

    @jax.jit
    def both(x, kernel):
        return [layerwise.ops.convolution.conv(x, kernel, stride, layer._op_padding(), dilation,
                                   implementation=implementation)
                for implementation in ("im2col", "xla")]

    ours, xla = both(x, kernel)
    assert ours.shape == xla.shape == (1,) + expected[1:]
    np.testing.assert_allclose(np.asarray(ours), np.asarray(xla), rtol=1e-5, atol=1e-5)


def test_cpu_uses_im2col_and_no_xla_convolution(monkeypatch):
    assert jax.default_backend() == "cpu"
    layer = layerwise.layers.Conv2D(4, 3, padding="same", kernel_initializer="zeros")
    layer.build_for_shape((None, 6, 6, 2))
    x = jnp.ones((1, 6, 6, 2))
    jaxpr = str(jax.make_jaxpr(lambda inputs: layer(inputs))(x))
    assert "conv_general_dilated" not in jaxpr and "concatenate" in jaxpr
    xla = str(jax.make_jaxpr(lambda inputs: layerwise.ops.convolution.conv(
        inputs, layer.kernel.value, padding="same", implementation="xla"))(x))
    assert "conv_general_dilated" in xla
    monkeypatch.setattr(layerwise.ops.convolution, "MAX_PATCH_BYTES", 0)
    per_offset = str(jax.make_jaxpr(lambda inputs: layer(inputs))(x))  # a new trace
    assert "concatenate" not in per_offset and "conv_general_dilated" not in per_offset


def test_default_keras_initialization_and_unknown_spatial_axes():
    layer = layerwise.layers.Conv1D(8, 3, padding="same")
    assert layer.compute_output_shape((None, None, 5)) == (None, None, 8)
    assert layerwise.layers.Conv2D(2, 3).compute_output_shape((None, None, 9, 4)) == (
        None, None, 7, 2)
    layer.build_for_shape((None, None, 5))
    assert np.all(np.asarray(layer.bias.value) == 0)
    limit = np.sqrt(6 / (3 * 5 + 3 * 8))  # glorot_uniform over the receptive field
    assert np.abs(np.asarray(layer.kernel.value)).max() <= limit


def test_bad_arguments_raise_clear_errors():
    Conv2D = layerwise.layers.Conv2D
    with pytest.raises(ValueError, match="padding.*Received: padding='full'"):
        Conv2D(4, 3, padding="full")
    with pytest.raises(ValueError, match="padding"):
        Conv2D(4, 3, padding="causal")  # only Conv1D is causal
    with pytest.raises(ValueError, match="filters.*Received: filters=0"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size.*Received: kernel_size=\\(3, 3, 3\\)"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="data_format.*Received: data_format='nhwc'"):
        Conv2D(4, 3, data_format="nhwc")
    with pytest.raises(ValueError, match="strides > 1"):
        Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="divisible by the number of groups"):
        Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match="input channels must be evenly divisible"):
        Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="zero or negative"):
        Conv2D(4, 5)(np.ones((1, 3, 3, 1), "float32"))
    layer = Conv2D(4, 3)
    layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layer(np.ones((1, 5, 3), "float32"))
    with pytest.raises(ValueError, match="output_padding"):
        layerwise.layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)


def test_aliases_are_the_keras_names():
    assert layerwise.layers.Convolution2D is layerwise.layers.Conv2D
    assert layerwise.layers.SeparableConvolution2D is layerwise.layers.SeparableConv2D


def _image_model(k):
    L = k.layers
    return k.Sequential([
        k.Input((8, 8, 2)),
        L.Conv2D(4, 3, activation="relu", padding="same"),
        L.Conv2D(4, 3, strides=2, groups=2),
        L.Conv2DTranspose(3, 3, strides=2, padding="same"),
        L.DepthwiseConv2D(3, depth_multiplier=2),
        L.SeparableConv2D(4, 2, activation="relu"),
        L.Flatten(),
        L.Dense(1),
    ])


def _sequence_model(k):
    L = k.layers
    return k.Sequential([
        k.Input((12, 3)),
        L.Conv1D(4, 3, padding="causal", activation="relu"),
        L.Conv1DTranspose(2, 3, strides=2),
        L.Flatten(),
        L.Dense(1),
    ])


@pytest.mark.parametrize("build, input_shape", [(_image_model, (8, 8, 2)),
                                                (_sequence_model, (12, 3))])
def test_convnets_train_in_fit_like_keras(build, input_shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16,) + input_shape).astype("float32")
    y = np.ones((16, 1), "float32")
    ours, theirs = twins(build, optimizer="adam", loss="mse")
    kwargs = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    our_history, their_history = ours.fit(x, y, **kwargs), theirs.fit(x, y, **kwargs)
    np.testing.assert_allclose(our_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5)
    assert our_history.history["loss"][1] < our_history.history["loss"][0]


def test_models_saved_by_keras_load_and_predict_the_same(tmp_path):
    def build(k):
        L = k.layers
        return k.Sequential([
            k.Input((8, 8, 3)), L.Conv2D(4, 3, padding="same", activation="relu"),
            L.BatchNormalization(), L.MaxPooling2D(), L.SeparableConv2D(5, 2),
            L.Conv2DTranspose(3, 3, strides=2), L.GlobalAveragePooling2D(), L.Dense(2)])

    theirs = build(keras)
    theirs.layers[1].set_weights(
        [np.random.default_rng(3).uniform(0.5, 1.5, size=4).astype("float32")] * 4)
    theirs.save(tmp_path / "model.keras")
    theirs.save_weights(tmp_path / "model.weights.h5")
    x = np.random.default_rng(4).normal(size=(3, 8, 8, 3)).astype("float32")
    expected = theirs.predict(x, verbose=0)
    loaded = layerwise.models.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    ours = build(layerwise)
    ours.load_weights(tmp_path / "model.weights.h5")
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
