"""Sentiment classification of IMDB reviews: word ids padded with `pad_sequences`,
Embedding -> average pooling -> Dense; then the same kind of model end to end on raw
strings, with TextVectorization as its first layer (fit runs it on the host, then the
rest compiled).

Run: python examples/text_classification.py   (EPOCHS overrides the epoch count)
"""
import os

import numpy as np

import layerwise as keras

keras.utils.set_random_seed(0)
epochs = int(os.environ.get("EPOCHS", 3))
vocabulary_size, length = 10_000, 200
(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=vocabulary_size)
x_train = keras.utils.pad_sequences(x_train, maxlen=length)
x_test = keras.utils.pad_sequences(x_test, maxlen=length)


def classifier(vocabulary: int, sequence_length: int) -> keras.Model:
    return keras.Sequential([
        keras.Input((sequence_length,), dtype="int32"),
        keras.layers.Embedding(vocabulary, 32),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


model = classifier(vocabulary_size, length)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.1, verbose=2)
print(f"IMDB test accuracy: {model.evaluate(x_test, y_test, verbose=0)[1]:.4f}")

# Raw strings: TextVectorization learns the vocabulary and turns text into ids on the host.
index = {i + 3: word for word, i in keras.datasets.imdb.get_word_index().items()}
texts = np.array([" ".join(index.get(int(w), "") for w in row if w > 3) for row in x_train])
vectorizer = keras.layers.TextVectorization(max_tokens=vocabulary_size,
                                            output_sequence_length=length)
vectorizer.adapt(texts)
inputs = keras.Input((1,), dtype="string")
strings_model = keras.Model(inputs, classifier(vocabulary_size, length)(vectorizer(inputs)))
strings_model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
strings_model.fit(texts, y_train, batch_size=64, epochs=epochs, verbose=2)
print("P(positive) for two reviews:",
      strings_model.predict(np.array(["a wonderful , moving film", "dull and awful"]),
                            verbose=0).ravel())
