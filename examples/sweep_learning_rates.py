"""A 20-value learning-rate sweep of the seed's dropout model on scikit-learn's digits.

All 20 models train side by side in one compiled program per epoch (layerwise.sweep),
each with the History its own `fit` would give. Writes sweep_learning_rates.png: the
spread of the training curves, and the final validation accuracy against the learning
rate (log axis).

Run: python examples/sweep_learning_rates.py
     SWEEP_EPOCHS=3 python examples/sweep_learning_rates.py   (a quick run)
"""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from layerwise import Sequential, sweep  # noqa: E402
from layerwise.layers import Dense, Dropout  # noqa: E402
from layerwise.optimizers import Adam  # noqa: E402
from layerwise.utils import to_categorical  # noqa: E402

EPOCHS = int(os.environ.get("SWEEP_EPOCHS", "60"))
OUTPUT = os.environ.get("SWEEP_PLOT", "sweep_learning_rates.png")

digits = load_digits()
x_train = (digits.data / 16.0).astype("float32")
image_vector_size = x_train.shape[1]  # 64
num_classes = 10
y_train = to_categorical(digits.target, num_classes)


def build_dropout_model(variant):
    model = Sequential()
    model.add(Dense(units=32, activation='sigmoid', input_shape=(image_vector_size,)))
    model.add(Dropout(0.2))
    model.add(Dense(units=num_classes, activation='softmax'))
    model.compile(optimizer=Adam(learning_rate=variant["learning_rate"]),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


# 20 learning rates, evenly spaced on a log scale from 1e-4 to 1; one seed for all, so
# only the learning rate differs.
variants = [{"seed": 0, "learning_rate": float(rate)} for rate in np.logspace(-4, 0, 20)]
result = sweep.fit(build_dropout_model, variants, x_train, y_train, batch_size=128,
                   epochs=EPOCHS, validation_split=0.1, verbose=1)

print(result.to_string())
best = result.best("val_accuracy")
print(f"best learning rate: {variants[best]['learning_rate']:.4g} "
      f"(final validation accuracy {result.final('val_accuracy')[best]:.4f})")

figure, axes = plt.subplots(1, 3, figsize=(18, 4))
sweep.plot_curves(result, ["loss", "val_accuracy"], axes=axes[:2])
sweep.plot_final_metric(result, "learning_rate", metric="val_accuracy", axis=axes[2])
figure.tight_layout()
figure.savefig(OUTPUT)
print(f"wrote {OUTPUT}")
