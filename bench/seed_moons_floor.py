"""The seed script without any training: its floor (interpreter, sklearn, matplotlib, savefig).

What neither layerwise nor Keras can make faster in examples/seed_moons.py; the bench
shows it beside both so the whole-process ratio can be read against it.
"""
from types import SimpleNamespace

from sklearn.datasets import make_moons

from seed_plot import plot_history

X, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
history = SimpleNamespace(history={"loss": [1.0 / (e + 1) for e in range(100)],
                                   "accuracy": [1.0 - 0.5 / (e + 1) for e in range(100)]})
figure = plot_history(history)
figure.savefig("loss_accuracy.png")
print("final training accuracy: n/a (no training)")
