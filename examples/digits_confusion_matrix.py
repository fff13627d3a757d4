"""A classifier of scikit-learn's 8x8 digits, and its confusion matrix on held-out images.

Run: python examples/digits_confusion_matrix.py [output.png]
(prints the test accuracy, writes digits_confusion_matrix.png by default)
"""
import sys

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import layerwise as keras

keras.utils.set_random_seed(0)
digits = load_digits()
x = (digits.data / 16.0).astype("float32")
x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.3,
                                                    random_state=0, stratify=digits.target)
model = keras.Sequential([
    keras.Input((64,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=30, batch_size=32, verbose=0)
_, accuracy = model.evaluate(x_test, y_test, verbose=0)

path = sys.argv[1] if len(sys.argv) > 1 else "digits_confusion_matrix.png"
keras.utils.plot_confusion_matrix(model, x_test, y_test,
                                  class_names=[str(d) for d in range(10)], path=path)
print(f"test accuracy: {accuracy:.4f}")
print(f"wrote {path}")
