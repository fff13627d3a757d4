"""The workloads' data and sizes, shared by every engine so all of them see the same arrays.

W1 is the seed notes' example: make_moons(1000, noise=0.05), 2->4->2->1 tanh/tanh/sigmoid,
Adam(0.01), binary crossentropy, 100 epochs of batch 32.
W2 is the seed's dropout model at MNIST size on synthetic data: 60000x784 float32 inputs,
Dense(32, sigmoid) -> Dropout(0.2) -> Dense(10, softmax), batch 128, validation_split 0.1.
W3 is the keras.io "simple MNIST convnet" on synthetic 10000x28x28x1 images: Conv2D(32, 3,
relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten ->
Dropout(0.5) -> Dense(10, softmax), adam, batch 128, no validation, 3 epochs.
W4 is a text classifier on 5000 synthetic token sequences of length 200: Embedding(10000,
64) -> LSTM(64) -> Dense(1, sigmoid), adam, binary crossentropy, batch 64, 3 epochs.
W5 is a 2-block Transformer encoder on 4000 synthetic sequences of 64 tokens (vocabulary
5000): token + position embeddings (d=64), each block MultiHeadAttention(4 heads, key_dim
16) + residual + LayerNormalization + Dense(128, relu) -> Dense(64) + residual +
LayerNormalization, then GlobalAveragePooling1D -> Dense(2, softmax), adam, sparse
categorical crossentropy, batch 64, 3 epochs.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "PREDICT_ROWS", "W1_BATCH", "W1_EPOCHS", "W1_LAYERS", "W1_LEARNING_RATE", "W2_BATCH",
    "W2_CLASSES", "W2_DROPOUT", "W2_EPOCHS", "W2_FEATURES", "W2_HIDDEN",
    "W2_LEARNING_RATES", "W2_ROWS", "W2_VALIDATION_SPLIT", "W3_BATCH", "W3_CLASSES",
    "W3_DROPOUT", "W3_EPOCHS", "W3_FILTERS", "W3_IMAGE_SHAPE", "W3_KERNEL",
    "W3_LEARNING_RATE", "W3_POOL", "W3_ROWS", "W4_BATCH", "W4_EPOCHS", "W4_LENGTH",
    "W4_ROWS", "W4_UNITS", "W4_VOCABULARY", "W4_WIDTH", "W5_BATCH", "W5_BLOCKS",
    "W5_CLASSES", "W5_EPOCHS", "W5_FEED_FORWARD", "W5_HEADS", "W5_KEY_DIM", "W5_LENGTH",
    "W5_NORM_EPSILON", "W5_ROWS", "W5_VOCABULARY", "W5_WIDTH", "split_for_validation",
    "token_data", "w1_data", "w2_data", "w2_flops_per_epoch", "w3_data",
    "w3_flops_per_epoch", "w4_data", "w5_data",
]

W1_EPOCHS = 100
W1_BATCH = 32
W1_LEARNING_RATE = 0.01
W1_LAYERS = ((2, 4, "tanh"), (4, 2, "tanh"), (2, 1, "sigmoid"))

W2_ROWS = 60000
W2_FEATURES = 784
W2_HIDDEN = 32
W2_CLASSES = 10
W2_EPOCHS = 5
W2_BATCH = 128
W2_VALIDATION_SPLIT = 0.1
W2_DROPOUT = 0.2
# Keras's defaults for the optimizers the seed names by string.
W2_LEARNING_RATES = {"sgd": 0.01, "adam": 0.001}

# keras.io's example fits 15 epochs on 60000 MNIST images with validation_split 0.1; here
# one epoch is 10000 images, no validation (so an epoch is training steps only), and 3
# epochs so that epochs 2 and 3 give a steady figure apart from the compiling first one.
W3_ROWS = 10000
W3_IMAGE_SHAPE = (28, 28, 1)
W3_FILTERS = (32, 64)
W3_KERNEL = 3
W3_POOL = 2
W3_DROPOUT = 0.5
W3_CLASSES = 10
W3_BATCH = 128
W3_EPOCHS = 3
W3_LEARNING_RATE = 0.001  # Keras's Adam default: the example passes "adam"

# W4: 78 full batches + one of 8 an epoch; 3 epochs, so the steady epoch is the median of
# epochs 2 and 3.
W4_ROWS = 5000
W4_LENGTH = 200
W4_VOCABULARY = 10000
W4_WIDTH = 64  # the embedding's output size
W4_UNITS = 64  # the LSTM's
W4_BATCH = 64
W4_EPOCHS = 3

# W5: 62 full batches + one of 32 an epoch.
W5_ROWS = 4000
W5_LENGTH = 64
W5_VOCABULARY = 5000
W5_WIDTH = 64
W5_HEADS = 4
W5_KEY_DIM = 16  # W5_HEADS * W5_KEY_DIM == W5_WIDTH, as PyTorch's encoder layer requires
W5_FEED_FORWARD = 128
W5_BLOCKS = 2
W5_CLASSES = 2
W5_NORM_EPSILON = 1e-6  # keras.io's Transformer text classifier; PyTorch gets the same
W5_BATCH = 64
W5_EPOCHS = 3

PREDICT_ROWS = (1, 32, 10000)


def w1_data() -> tuple[np.ndarray, np.ndarray]:
    """The seed's moons: float64 x of shape (1000, 2) and int64 y of shape (1000,), as sklearn gives."""
    from sklearn.datasets import make_moons

    return make_moons(n_samples=1000, noise=0.05, random_state=0)


def w2_data(rows: int = W2_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic MNIST-sized data in [0, 1): a noisy prototype "image" per class, one-hot labels.

    Learnable enough that a few epochs give accuracies far from chance, so the final
    metrics show whether each engine actually trained.
    """
    generator = np.random.default_rng(0)
    labels = generator.integers(0, W2_CLASSES, rows)
    prototypes = generator.random((W2_CLASSES, W2_FEATURES), dtype=np.float32)
    x = generator.random((rows, W2_FEATURES), dtype=np.float32)
    x *= 0.7  # in place: these arrays are 188 MB each
    x += 0.3 * prototypes[labels]
    y = np.eye(W2_CLASSES, dtype=np.float32)[labels]
    return x, y


def split_for_validation(x: np.ndarray, y: np.ndarray, fraction: float):
    """Keras's split: the last `fraction` of the rows, taken before any shuffling."""
    split_at = int(np.floor(len(x) * (1 - fraction)))
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def w2_flops_per_epoch(train_rows: int, validation_rows: int) -> float:
    """Matmul FLOPs of one W2 epoch: training steps plus the validation forward pass.

    Forward: 2*rows*(784*32 + 32*10). Backward: the weight gradients of both layers
    (2*rows*784*32 + 2*rows*32*10) and the input gradient of the second layer
    (2*rows*32*10); no gradient flows into the data. Elementwise work is ignored.
    """
    first = W2_FEATURES * W2_HIDDEN
    second = W2_HIDDEN * W2_CLASSES
    forward = 2.0 * (first + second)
    train = train_rows * (forward + 2.0 * first + 4.0 * second)
    return train + validation_rows * forward


def w3_data(rows: int = W3_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic MNIST-shaped images, float32 (rows, 28, 28, 1) in [0, 1), one-hot labels.

    As `w2_data`, a noisy prototype image per class: learnable, but not in one step.
    """
    generator = np.random.default_rng(0)
    labels = generator.integers(0, W3_CLASSES, rows)
    prototypes = generator.random((W3_CLASSES, *W3_IMAGE_SHAPE), dtype=np.float32)
    x = generator.random((rows, *W3_IMAGE_SHAPE), dtype=np.float32)
    x *= 0.7
    x += 0.3 * prototypes[labels]
    y = np.eye(W3_CLASSES, dtype=np.float32)[labels]
    return x, y


def _w3_layer_sizes() -> list[tuple[int, int]]:
    """(positions, multiply-adds per position) of conv 1, conv 2 and the dense layer."""
    height, width, channels = W3_IMAGE_SHAPE
    sizes = []
    for filters in W3_FILTERS:
        height, width = height - W3_KERNEL + 1, width - W3_KERNEL + 1  # "valid"
        sizes.append((height * width * filters, W3_KERNEL * W3_KERNEL * channels))
        height, width, channels = height // W3_POOL, width // W3_POOL, filters
    sizes.append((W3_CLASSES, height * width * channels))
    return sizes


def w3_flops_per_epoch(rows: int) -> float:
    """Multiply-add FLOPs of one W3 epoch (two per multiply-add; no validation).

    Per sample, forward: conv 1 26*26*32 outputs of 3*3*1 terms, conv 2 11*11*64 outputs
    of 3*3*32 terms, dense 10 outputs of 5*5*64 terms (4.88 MFLOP). Backward: every
    layer's weight gradient (as much again) and the input gradients of conv 2 and the
    dense layer (none flows into the images). Pooling, activations and the update are
    ignored.
    """
    forward = [2.0 * positions * terms for positions, terms in _w3_layer_sizes()]
    return rows * (2.0 * sum(forward) + sum(forward[1:]))


def token_data(rows: int, length: int, vocabulary: int, classes: int,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic token sequences, int32 (rows, length), and int32 class labels (rows,).

    Background tokens are uniform over the vocabulary; a tenth of each row's positions hold
    tokens from a small set owned by the row's class, so the task is learnable without
    being solved in one step. Token 0 is never drawn (it would read as padding).
    """
    generator = np.random.default_rng(seed)
    labels = generator.integers(0, classes, rows)
    tokens = generator.integers(1, vocabulary, (rows, length))
    pool = 50  # marker tokens per class: 1..50 for class 0, 51..100 for class 1, ...
    marked = generator.random((rows, length)) < 0.1
    markers = 1 + labels[:, None] * pool + generator.integers(0, pool, (rows, length))
    tokens = np.where(marked, markers, tokens)
    return tokens.astype(np.int32), labels.astype(np.int32)


def w4_data(rows: int = W4_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """W4's sequences, int32 (rows, 200), and float32 binary labels (rows,)."""
    x, labels = token_data(rows, W4_LENGTH, W4_VOCABULARY, 2)
    return x, labels.astype(np.float32)


def w5_data(rows: int = W5_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """W5's sequences, int32 (rows, 64), and int32 class labels (rows,) for a sparse loss."""
    return token_data(rows, W5_LENGTH, W5_VOCABULARY, W5_CLASSES, seed=1)
