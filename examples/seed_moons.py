"""The seed notes' example, verbatim: a 2-4-2-1 tanh network on make_moons.

Run: python examples/seed_moons.py   (prints the final accuracy, writes loss_accuracy.png)
"""
from sklearn.datasets import make_moons

from layerwise import Sequential
from layerwise.layers import Dense, Dropout  # noqa: F401  (imported as in the notes)
from layerwise.optimizers import Adam
from layerwise.utils import plot_loss_accuracy

X, y = make_moons(n_samples=1000, noise=0.05, random_state=0)
model = Sequential()
model.add(Dense(4, input_shape=(2,), activation='tanh'))
model.add(Dense(2, activation='tanh'))
model.add(Dense(1, activation='sigmoid'))
model.compile(Adam(lr=0.01), 'binary_crossentropy', metrics=['accuracy'])
history = model.fit(X, y, verbose=0, epochs=100)
figure = plot_loss_accuracy(history)

figure.savefig("loss_accuracy.png")
print(f"final training accuracy: {history.history['accuracy'][-1]:.4f}")
print(f"final training loss: {history.history['loss'][-1]:.4f}")
print("wrote loss_accuracy.png")
