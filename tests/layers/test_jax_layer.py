"""JaxLayer: a JAX function as a layer, against real Keras where Keras can run it.

Keras 3.15's JaxLayer needs TensorFlow installed to run an `init_fn` (it asks
`tf.inside_function()`), which this environment lacks: the comparisons with Keras pass
`params`/`state` directly; `init_fn` is checked on its own.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import layerwise
from keras_oracle import keras


def linear(params, inputs):
    return inputs @ params["w"] + params["b"]


def noisy_counter(params, state, rng, inputs, training):
    noise = jax.random.normal(rng, (inputs.shape[0], 2)) if training else 0.0
    return inputs @ params["w"] + params["b"] + noise, {"count": state["count"] + 1}


def _params():
    rng = np.random.default_rng(0)
    return {"w": rng.normal(size=(4, 2)).astype("float32"), "b": np.zeros(2, "float32")}


def test_weights_outputs_and_draws_equal_keras():
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    layers = [library.layers.JaxLayer(noisy_counter, params=_params(),
                                      state={"count": np.zeros((), "float32")}, seed=5)
              for library in (layerwise, keras)]
    ours, theirs = layers
    assert [(w.name, tuple(w.shape), w.trainable) for w in ours.weights] == \
        [(w.name, tuple(w.shape), w.trainable) for w in theirs.weights]
    for training in (True, True, False):
        np.testing.assert_allclose(np.asarray(ours(x, training=training)),
                                   np.asarray(theirs(x, training=training)), rtol=1e-6,
                                   atol=1e-6)
    assert float(ours.state["count"].value) == float(theirs.state["count"].value) == 3.0
    config, their_config = ours.get_config(), theirs.get_config()
    assert sorted(config) == sorted(their_config)
    # An unregistered function: Keras writes module "builtins", layerwise's serializer
    # its defining module; both name it.
    assert config["call_fn"]["config"] == their_config["call_fn"]["config"]
    assert {k: v for k, v in config.items() if k != "call_fn"} == \
        {k: v for k, v in their_config.items() if k != "call_fn"}


def test_fit_trains_the_params_and_threads_the_state():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    true_w = rng.normal(size=(4, 2)).astype("float32")
    y = x @ true_w + 0.5

    def counting_linear(params, state, inputs):
        return linear(params, inputs), {"calls": state["calls"] + 1}

    layer = layerwise.layers.JaxLayer(counting_linear, params=_params(),
                                      state={"calls": np.zeros((), "float32")})
    model = layerwise.Sequential([layerwise.Input((4,)), layer])
    model.compile(layerwise.optimizers.SGD(0.1), "mse")
    history = model.fit(x, y, batch_size=32, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 1e-3
    np.testing.assert_allclose(np.asarray(layer.params["w"].value), true_w, atol=0.02)
    assert float(layer.state["calls"].value) == 20 * 8


def test_init_fn_gets_ones_and_the_global_rng_as_keras_would():
    def init_fn(rng, inputs, training):
        assert training is True
        return {"w": jax.random.normal(rng, (inputs.shape[-1], 3)),
                "b": jnp.sum(inputs, axis=0)[:3]}

    layerwise.utils.set_random_seed(7)
    layer = layerwise.layers.JaxLayer(linear, init_fn=init_fn)
    layer.build((None, 4))
    # Keras draws the init key from its global generator: the same key after the same seed.
    from keras.src.random.seed_generator import draw_seed

    keras.utils.set_random_seed(7)
    expected = jax.random.normal(jnp.asarray(draw_seed(None)), (4, 3))
    np.testing.assert_allclose(np.asarray(layer.params["w"].value), np.asarray(expected))
    np.testing.assert_allclose(np.asarray(layer.params["b"].value), [1.0, 1.0, 1.0])
    assert np.shape(layer(np.ones((2, 4), "float32"))) == (2, 3)


def initial_linear(rng, inputs):
    return {"w": jax.random.normal(rng, (inputs.shape[-1], 2)), "b": jnp.zeros(2)}


def test_saved_model_round_trips_with_registered_functions(tmp_path):
    """The config holds the functions, the weights file the params (as in Keras, a layer
    made from `params` alone has no `init_fn` to rebuild it from its config)."""
    register = layerwise.saving.register_keras_serializable("jax_layer_test")
    layer = layerwise.layers.JaxLayer(register(linear), init_fn=register(initial_linear))
    model = layerwise.Sequential([layerwise.Input((4,)), layer])
    layer.set_weights([np.full((2,), 0.5, "float32"), _params()["w"]])
    x = np.ones((2, 4), "float32")
    model.save(tmp_path / "jax.keras")
    loaded = layerwise.saving.load_model(tmp_path / "jax.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("call_fn, message", [
    (lambda params: params, "Missing required argument"),
    (lambda inputs, extra: inputs, "Unsupported argument"),
    (lambda params, inputs: inputs, "cannot all be `None`"),
])
def test_bad_functions_raise_like_keras(call_fn, message):
    with pytest.raises(ValueError, match=message):
        layerwise.layers.JaxLayer(call_fn)
