"""An MLP on MNIST, loaded with `layerwise.datasets.mnist.load_data()`.

Run: python examples/mnist_mlp.py   (downloads mnist.npz into ~/.keras/datasets once;
set LAYERWISE_DATASETS_ORIGIN to fetch from a mirror). EPOCHS overrides the epoch count.
"""
import os

import layerwise as keras

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255.0
x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255.0

model = keras.Sequential([
    keras.Input((784,)),
    keras.layers.Dense(256, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=int(os.environ.get("EPOCHS", 5)),
          validation_split=0.1, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
