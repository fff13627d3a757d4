"""examples/seed_moons.py on real Keras 3 (JAX backend), for the whole-process comparison.

Differences from the layerwise script, and why:
- Keras 3 rejects `Adam(lr=...)`, so the rate is passed as `learning_rate`.
- Keras has no `plot_loss_accuracy`; `seed_plot.plot_history` draws the same two panels.
- JAX's persistent compilation cache is turned on with the settings layerwise uses by
  default (models/cache/compile_cache.py), in the folder `$KERAS_JAX_CACHE_DIR` (default
  `~/.cache/keras-bench/jax`), so both scripts start from warm caches alike.

Run: KERAS_BACKEND=jax python bench/seed_moons_keras.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_compilation_cache_dir", os.environ.get(
    "KERAS_JAX_CACHE_DIR", os.path.expanduser("~/.cache/keras-bench/jax")))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)

from keras import Sequential  # noqa: E402
from keras.layers import Dense, Dropout  # noqa: E402,F401  (imported as in the notes)
from keras.optimizers import Adam  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402

from seed_plot import plot_history  # noqa: E402  (bench/, beside this script)


X, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
model = Sequential()
model.add(Dense(4, input_shape=(2,), activation='tanh'))
model.add(Dense(2, activation='tanh'))
model.add(Dense(1, activation='sigmoid'))
model.compile(Adam(learning_rate=0.01), 'binary_crossentropy', metrics=['accuracy'])
history = model.fit(X, y, verbose=0, epochs=100)
figure = plot_history(history)

figure.savefig("loss_accuracy.png")
print(f"final training accuracy: {history.history['accuracy'][-1]:.4f}")
print(f"final training loss: {history.history['loss'][-1]:.4f}")
print("wrote loss_accuracy.png")
