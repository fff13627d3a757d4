"""The seed notes' dropout model on scikit-learn's 8x8 digits, with one-hot labels.

Run: python examples/seed_dropout_digits.py   (prints the validation accuracy)
"""
from sklearn.datasets import load_digits

from layerwise import Sequential
from layerwise.layers import Dense, Dropout
from layerwise.utils import set_random_seed, to_categorical

set_random_seed(0)
digits = load_digits()
x_train = (digits.data / 16.0).astype("float32")
image_vector_size = x_train.shape[1]  # 64
num_classes = 10
y_train = to_categorical(digits.target, num_classes)


def build_dropout_model():
    model = Sequential()
    # The input layer requires the special input_shape parameter which should match
    # the shape of our training data.
    model.add(Dense(units=32, activation='sigmoid', input_shape=(image_vector_size,)))
    model.add(Dropout(0.2))
    model.add(Dense(units=num_classes, activation='softmax'))
    return model


model = build_dropout_model()
model.summary()
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=128, epochs=60, verbose=2,
                    validation_split=0.1)
print(f"final validation accuracy: {history.history['val_accuracy'][-1]:.4f}")
