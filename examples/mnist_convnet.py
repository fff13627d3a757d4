"""A small convnet on MNIST with augmentation, from `layerwise.datasets.mnist.load_data()`.

Run: python examples/mnist_convnet.py   (EPOCHS overrides the epoch count)
"""
import os

import numpy as np

import layerwise as keras

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)

model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Rescaling(1 / 255.0),
    keras.layers.RandomTranslation(0.1, 0.1, seed=1),  # only while training
    keras.layers.Conv2D(32, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Conv2D(64, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=int(os.environ.get("EPOCHS", 3)),
          validation_split=0.1, verbose=2)
print(f"test accuracy: {model.evaluate(x_test, y_test, verbose=0)[1]:.4f}")
