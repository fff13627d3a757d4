"""A small network on make_moons, and the picture of what it learned.

Run: python examples/moons_decision_boundary.py [output.png]
(prints the training accuracy, writes moons_decision_boundary.png by default)
"""
import sys

from sklearn.datasets import make_moons

import layerwise as keras

keras.utils.set_random_seed(0)
X, y = make_moons(n_samples=500, noise=0.15, random_state=0)
model = keras.Sequential([
    keras.Input((2,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(X, y, epochs=100, batch_size=32, verbose=0)

path = sys.argv[1] if len(sys.argv) > 1 else "moons_decision_boundary.png"
keras.utils.plot_decision_boundary(model, X, y, path=path)
print(f"training accuracy: {history.history['accuracy'][-1]:.4f}")
print(f"wrote {path}")
