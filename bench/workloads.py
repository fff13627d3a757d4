"""The workloads' data and sizes, shared by every engine so all of them see the same arrays.

W1 is the seed notes' example: make_moons(1000, noise=0.05), 2->4->2->1 tanh/tanh/sigmoid,
Adam(0.01), binary crossentropy, 100 epochs of batch 32.
W2 is the seed's dropout model at MNIST size on synthetic data: 60000x784 float32 inputs,
Dense(32, sigmoid) -> Dropout(0.2) -> Dense(10, softmax), batch 128, validation_split 0.1.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "PREDICT_ROWS", "W1_BATCH", "W1_EPOCHS", "W1_LAYERS", "W1_LEARNING_RATE",
    "W2_BATCH", "W2_CLASSES", "W2_DROPOUT", "W2_EPOCHS", "W2_FEATURES", "W2_HIDDEN",
    "W2_LEARNING_RATES", "W2_ROWS", "W2_VALIDATION_SPLIT", "split_for_validation",
    "w1_data", "w2_data", "w2_flops_per_epoch",
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
