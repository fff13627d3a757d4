"""Pooling layers vs real Keras; the CPU (reshape) and XLA (reduce_window) paths agree."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import layerwise
from keras_oracle import assert_weights_close, check_layer, twins
from layerwise.layers import pooling

CASES = [
    ("MaxPooling2D", dict(), (7, 8, 3)),
    ("MaxPooling2D", dict(pool_size=3, strides=1, padding="same"), (7, 8, 3)),
    ("MaxPooling2D", dict(pool_size=(2, 3), strides=(1, 2)), (7, 8, 3)),
    ("MaxPooling2D", dict(pool_size=2, data_format="channels_first"), (3, 7, 8)),
    ("MaxPooling2D", dict(pool_size=2, strides=2, padding="same"), (5, 5, 2)),
    ("MaxPooling1D", dict(), (9, 3)),
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same",
                          data_format="channels_first"), (3, 9)),
    ("AveragePooling2D", dict(pool_size=2), (7, 8, 3)),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (7, 8, 3)),
    ("AveragePooling2D", dict(pool_size=(2, 2), data_format="channels_first"), (3, 6, 5)),
    ("AveragePooling2D", dict(pool_size=2, strides=1, padding="same",
                              data_format="channels_first"), (3, 6, 5)),
    ("AveragePooling1D", dict(pool_size=2), (9, 3)),
    ("AveragePooling1D", dict(pool_size=4, strides=3, padding="same"), (10, 3)),
    ("GlobalAveragePooling2D", dict(), (5, 6, 3)),
    ("GlobalAveragePooling2D", dict(keepdims=True, data_format="channels_first"), (3, 5, 6)),
    ("GlobalMaxPooling2D", dict(), (5, 6, 3)),
    ("GlobalMaxPooling2D", dict(keepdims=True), (5, 6, 3)),
    ("GlobalAveragePooling1D", dict(), (7, 3)),
    ("GlobalAveragePooling1D", dict(data_format="channels_first", keepdims=True), (3, 7)),
    ("GlobalMaxPooling1D", dict(), (7, 3)),
]


@pytest.mark.parametrize("name, arguments, shape", CASES)
def test_layer_contract_matches_keras(name, arguments, shape):
    check_layer(lambda k: getattr(k.layers, name)(**arguments), shape)


@pytest.mark.parametrize("function", [pooling.max_pool, pooling.average_pool])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_reshape_and_reduce_window_agree_with_gradients(function, data_format):
    # Distinct values: no ties, so max pooling's gradient is unambiguous.
    x = jnp.asarray(np.random.default_rng(2).permutation(2 * 7 * 9 * 3).reshape(2, 7, 9, 3),
                    jnp.float32) / 10
    if data_format == "channels_first":
        x = jnp.moveaxis(x, -1, 1)

    def loss(inputs, implementation):
        outputs = function(inputs, (2, 3), None, "valid", data_format, implementation)
        return jnp.sum(jnp.sin(outputs)), outputs

    (_, ours), grad_ours = jax.value_and_grad(loss, has_aux=True)(x, "im2col")
    (_, xla), grad_xla = jax.value_and_grad(loss, has_aux=True)(x, "xla")
    assert ours.shape == xla.shape
    np.testing.assert_allclose(np.asarray(ours), np.asarray(xla), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(grad_ours), np.asarray(grad_xla), rtol=1e-6,
                               atol=1e-6)


def test_cpu_max_pool_avoids_reduce_window_when_windows_do_not_overlap():
    layer = layerwise.layers.MaxPooling2D()
    jaxpr = str(jax.make_jaxpr(lambda x: layer(x))(jnp.ones((1, 6, 6, 2))))
    assert "reduce_window" not in jaxpr and "reduce_max" in jaxpr
    overlapping = layerwise.layers.MaxPooling2D(3, strides=1)
    jaxpr = str(jax.make_jaxpr(lambda x: overlapping(x))(jnp.ones((1, 6, 6, 2))))
    assert "reduce_window" in jaxpr


def test_default_arguments_and_unknown_spatial_axes():
    layer = layerwise.layers.MaxPooling1D()
    assert layer.pool_size == (2,) and layer.strides == (2,)
    assert layer.compute_output_shape((None, None, 4)) == (None, None, 4)
    with pytest.raises(TypeError):
        layerwise.layers.AveragePooling2D()  # pool_size is required, as in Keras
    assert layerwise.layers.MaxPool2D is layerwise.layers.MaxPooling2D
    assert layerwise.layers.GlobalAvgPool1D is layerwise.layers.GlobalAveragePooling1D


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="padding.*Received: padding='full'"):
        layerwise.layers.MaxPooling2D(padding="full")
    with pytest.raises(ValueError, match="pool_size.*Received: pool_size=0"):
        layerwise.layers.MaxPooling2D(pool_size=0)
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layerwise.layers.MaxPooling2D()(np.ones((1, 4, 4), "float32"))
    with pytest.raises(ValueError, match="zero or negative"):
        layerwise.layers.MaxPooling2D(3).compute_output_shape((None, 2, 2, 1))
    with pytest.raises(ValueError, match="data_format"):
        layerwise.layers.GlobalMaxPooling2D(data_format="NHWC")


def _image_model(k):
    L = k.layers
    inputs = k.Input((8, 8, 2))
    hidden = L.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    hidden = L.MaxPooling2D()(hidden)
    hidden = L.AveragePooling2D(3, strides=1, padding="same")(hidden)
    hidden = L.MaxPooling2D(3, strides=2, padding="same")(hidden)
    return k.Model(inputs, L.Dense(1)(L.GlobalAveragePooling2D()(hidden)))


def _sequence_model(k):
    L = k.layers
    return k.Sequential([
        k.Input((10, 3)), L.MaxPooling1D(), L.AveragePooling1D(2, padding="same"),
        L.GlobalMaxPooling1D(), L.Dense(1)])


@pytest.mark.parametrize("build, input_shape, optimizer", [
    (_image_model, (8, 8, 2), "adam"), (_sequence_model, (10, 3), "sgd")])
def test_pooling_models_train_in_fit_like_keras(build, input_shape, optimizer):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16,) + input_shape).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    ours, theirs = twins(build, optimizer=optimizer, loss="mse")
    kwargs = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    our_history, their_history = ours.fit(x, y, **kwargs), theirs.fit(x, y, **kwargs)
    np.testing.assert_allclose(our_history.history["loss"], their_history.history["loss"],
                               rtol=1e-5)
    assert_weights_close(ours, theirs, rtol=1e-4, atol=1e-5)
