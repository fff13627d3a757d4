"""Overridden train_step / test_step / predict_step / compute_loss in the stateless JAX
style of Keras's guide "Customizing what happens in fit() with JAX", against real Keras."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

RNG = np.random.RandomState(0)
X = RNG.random((48, 6)).astype("float32")
Y = RNG.random((48, 1)).astype("float32")


def _copy(theirs, ours):
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])


def _assert_same(ours, theirs, our_history, their_history, rtol=1e-5):
    assert list(our_history.history) == list(their_history.history)
    for key, values in their_history.history.items():
        np.testing.assert_allclose(our_history.history[key], values, rtol=rtol, atol=1e-6)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, np.asarray(reference), rtol=rtol, atol=1e-6)


# -- the guide's first example: a hand-written train_step over self.metrics -------------
def _guide_model(library):
    class CustomModel(library.Model):
        def __init__(self):
            super().__init__()
            self.hidden = library.layers.Dense(8, activation="relu")
            self.out = library.layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))

        def loss_and_updates(self, trainable, non_trainable, x, y, training=False):
            y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x,
                                                        training=training)
            return self.compute_loss(x, y, y_pred), (y_pred, non_trainable)

        def train_step(self, state, data):
            trainable, non_trainable, optimizer_values, metric_values = state
            x, y = data
            (loss, (y_pred, non_trainable)), grads = jax.value_and_grad(
                self.loss_and_updates, has_aux=True)(trainable, non_trainable, x, y, True)
            trainable, optimizer_values = self.optimizer.stateless_apply(
                optimizer_values, grads, trainable)
            new_values, logs = [], {}
            for metric in self.metrics:
                start = len(new_values)
                mine = metric_values[start:start + len(metric.variables)]
                if metric.name == "loss":
                    mine = metric.stateless_update_state(mine, loss)
                else:
                    mine = metric.stateless_update_state(mine, y, y_pred)
                logs[metric.name] = metric.stateless_result(mine)
                new_values += mine
            return logs, (trainable, non_trainable, optimizer_values, new_values)

    model = CustomModel()
    model(np.zeros((1, 6), "float32"))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def test_guide_train_step_matches_keras():
    theirs, ours = _guide_model(keras), _guide_model(layerwise)
    _copy(theirs, ours)
    their_history = theirs.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    our_history = ours.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    _assert_same(ours, theirs, our_history, their_history)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics]
    np.testing.assert_allclose(ours.predict(X, verbose=0), theirs.predict(X, verbose=0),
                               atol=1e-6)


# -- compute_loss overridden; default train/test steps --------------------------------------
def _compute_loss_model(library):
    class PenalizedModel(library.Model):
        def __init__(self):
            super().__init__()
            self.hidden = library.layers.Dense(8, activation="tanh")
            self.out = library.layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            loss = super().compute_loss(x, y, y_pred, sample_weight, training=training)
            return loss + 0.1 * jnp.mean(jnp.square(y_pred))

    model = PenalizedModel()
    model(np.zeros((1, 6), "float32"))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def test_compute_loss_override_matches_keras():
    theirs, ours = _compute_loss_model(keras), _compute_loss_model(layerwise)
    _copy(theirs, ours)
    weights = np.linspace(0.5, 1.5, 48).astype("float32")
    their_history = theirs.fit(X, Y, sample_weight=weights, batch_size=16, epochs=3,
                               shuffle=False, verbose=0, validation_data=(X, Y))
    our_history = ours.fit(X, Y, sample_weight=weights, batch_size=16, epochs=3,
                           shuffle=False, verbose=0, validation_data=(X, Y))
    _assert_same(ours, theirs, our_history, their_history)
    np.testing.assert_allclose(ours.evaluate(X, Y, verbose=0),
                               theirs.evaluate(X, Y, verbose=0), rtol=1e-5)
    assert ours.evaluate(X, Y, verbose=0, return_dict=True).keys() == \
        theirs.evaluate(X, Y, verbose=0, return_dict=True).keys()


# -- a VAE: no targets, three trackers, a loss written in train_step ------------------------
def _vae(library):
    latent = 2

    class VAE(library.Model):
        def __init__(self):
            super().__init__()
            self.encoder_hidden = library.layers.Dense(8, activation="relu")
            self.z_mean = library.layers.Dense(latent)
            self.z_log_var = library.layers.Dense(latent)
            self.decoder_hidden = library.layers.Dense(8, activation="relu")
            self.decoder_out = library.layers.Dense(6, activation="sigmoid")
            self.total_loss_tracker = library.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = library.metrics.Mean(name="reconstruction_loss")
            self.kl_loss_tracker = library.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [self.total_loss_tracker, self.reconstruction_loss_tracker,
                    self.kl_loss_tracker]

        def call(self, inputs, training=False):
            x, epsilon = inputs
            hidden = self.encoder_hidden(x)
            z_mean, z_log_var = self.z_mean(hidden), self.z_log_var(hidden)
            z = z_mean + jnp.exp(0.5 * z_log_var) * epsilon
            return self.decoder_out(self.decoder_hidden(z)), z_mean, z_log_var

        def losses_of(self, trainable, non_trainable, inputs):
            (reconstruction, z_mean, z_log_var), non_trainable = self.stateless_call(
                trainable, non_trainable, inputs, training=True)
            x = inputs[0]
            reconstruction_loss = jnp.mean(jnp.sum(jnp.square(x - reconstruction), axis=1))
            kl_loss = jnp.mean(jnp.sum(
                -0.5 * (1 + z_log_var - jnp.square(z_mean) - jnp.exp(z_log_var)), axis=1))
            total = reconstruction_loss + kl_loss
            return total, (reconstruction_loss, kl_loss, non_trainable)

        def train_step(self, state, data):
            trainable, non_trainable, optimizer_values, metric_values = state
            inputs = data[0] if isinstance(data, tuple) and len(data) == 1 else data
            (total, (reconstruction_loss, kl_loss, non_trainable)), grads = \
                jax.value_and_grad(self.losses_of, has_aux=True)(trainable, non_trainable,
                                                                  inputs)
            trainable, optimizer_values = self.optimizer.stateless_apply(
                optimizer_values, grads, trainable)
            new_values, logs = [], {}
            for tracker, value in zip(self.metrics, (total, reconstruction_loss, kl_loss)):
                mine = metric_values[len(new_values):len(new_values) + len(tracker.variables)]
                mine = tracker.stateless_update_state(mine, value)
                logs[tracker.name] = tracker.stateless_result(mine)
                new_values += mine
            return logs, (trainable, non_trainable, optimizer_values, new_values)

    model = VAE()
    model((np.zeros((1, 6), "float32"), np.zeros((1, latent), "float32")))
    model.compile(optimizer=library.optimizers.Adam(0.01))
    return model


def test_vae_train_step_matches_keras():
    epsilon = np.random.RandomState(3).normal(size=(48, 2)).astype("float32")
    theirs, ours = _vae(keras), _vae(layerwise)
    _copy(theirs, ours)
    # Three steps: one epoch of three batches.
    their_history = theirs.fit((X, epsilon), batch_size=16, epochs=1, shuffle=False,
                               verbose=0)
    our_history = ours.fit((X, epsilon), batch_size=16, epochs=1, shuffle=False, verbose=0)
    _assert_same(ours, theirs, our_history, their_history)


# -- a GAN: alternating discriminator and generator updates ----------------------------------
def _gan(library):
    latent = 3

    class GAN(library.Model):
        def __init__(self):
            super().__init__()
            self.generator_hidden = library.layers.Dense(8, activation="relu")
            self.generator_out = library.layers.Dense(6)
            self.discriminator_hidden = library.layers.Dense(8, activation="relu")
            self.discriminator_out = library.layers.Dense(1)
            self.d_loss_tracker = library.metrics.Mean(name="d_loss")
            self.g_loss_tracker = library.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def call(self, inputs, training=False):
            real, noise = inputs
            fake = self.generator_out(self.generator_hidden(noise))
            both = jnp.concatenate([fake, real], axis=0)
            return self.discriminator_out(self.discriminator_hidden(both))

        def _generator_mask(self):
            names = {id(v) for layer in (self.generator_hidden, self.generator_out)
                     for v in layer.trainable_variables}
            return [id(v) in names for v in self.trainable_variables]

        def discriminator_loss(self, trainable, non_trainable, inputs):
            logits, non_trainable = self.stateless_call(trainable, non_trainable, inputs,
                                                        training=True)
            half = logits.shape[0] // 2
            labels = jnp.concatenate([jnp.ones((half, 1)), jnp.zeros((half, 1))])
            return jnp.mean(optax_sigmoid_ce(logits, labels)), non_trainable

        def generator_loss(self, trainable, non_trainable, inputs):
            logits, non_trainable = self.stateless_call(trainable, non_trainable, inputs,
                                                        training=True)
            half = logits.shape[0] // 2
            return jnp.mean(optax_sigmoid_ce(logits[:half], jnp.zeros((half, 1)))), \
                non_trainable

        def train_step(self, state, data):
            trainable, non_trainable, optimizer_values, metric_values = state
            inputs = data[0] if isinstance(data, tuple) and len(data) == 1 else data
            generator = self._generator_mask()
            (d_loss, non_trainable), grads = jax.value_and_grad(
                self.discriminator_loss, has_aux=True)(trainable, non_trainable, inputs)
            grads = [None if g_var else grad for grad, g_var in zip(grads, generator)]
            trainable, optimizer_values = self.optimizer.stateless_apply(
                optimizer_values, grads, trainable)
            (g_loss, non_trainable), grads = jax.value_and_grad(
                self.generator_loss, has_aux=True)(trainable, non_trainable, inputs)
            grads = [grad if g_var else None for grad, g_var in zip(grads, generator)]
            trainable, optimizer_values = self.optimizer.stateless_apply(
                optimizer_values, grads, trainable)
            d_values = self.d_loss_tracker.stateless_update_state(metric_values[:2], d_loss)
            g_values = self.g_loss_tracker.stateless_update_state(metric_values[2:], g_loss)
            logs = {"d_loss": self.d_loss_tracker.stateless_result(d_values),
                    "g_loss": self.g_loss_tracker.stateless_result(g_values)}
            return logs, (trainable, non_trainable, optimizer_values, d_values + g_values)

    model = GAN()
    model((np.zeros((1, 6), "float32"), np.zeros((1, latent), "float32")))
    model.compile(optimizer=library.optimizers.Adam(0.01))
    return model


def optax_sigmoid_ce(logits, labels):
    """Binary cross-entropy from logits, written out (the same in both runs)."""
    return jnp.maximum(logits, 0) - logits * labels + jnp.log1p(jnp.exp(-jnp.abs(logits)))


def test_gan_train_step_matches_keras():
    noise = np.random.RandomState(4).normal(size=(48, 3)).astype("float32")
    theirs, ours = _gan(keras), _gan(layerwise)
    _copy(theirs, ours)
    their_history = theirs.fit((X, noise), batch_size=16, epochs=1, shuffle=False, verbose=0)
    our_history = ours.fit((X, noise), batch_size=16, epochs=1, shuffle=False, verbose=0)
    _assert_same(ours, theirs, our_history, their_history)


def test_custom_steps_with_a_generator_and_run_eagerly():
    ours = _compute_loss_model(layerwise)
    eager = _compute_loss_model(layerwise)
    eager.set_weights(ours.get_weights())
    eager.compile(optimizer="sgd", loss="mse", metrics=["mae"], run_eagerly=True)
    batches = [(X[i:i + 16], Y[i:i + 16]) for i in range(0, 48, 16)]
    streamed = ours.fit(iter(batches), epochs=1, verbose=0)
    eager_history = eager.fit(X, Y, batch_size=16, shuffle=False, epochs=1, verbose=0)
    np.testing.assert_allclose(streamed.history["loss"], eager_history.history["loss"],
                               rtol=1e-5)
    for mine, reference in zip(ours.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


def test_stateless_call_checks_its_lists():
    model = _compute_loss_model(layerwise)
    with pytest.raises(ValueError, match="trainable_variables"):
        model.stateless_call([], [], X)
