"""The workloads as a plain PyTorch loop: what a careful PyTorch user writes by hand.

Keras's initialisation (Glorot-uniform kernels, zero biases) and its clipped
crossentropies, so the final metrics are comparable. Losses and correct counts are
summed on the tensor side and read once per epoch (no per-step host sync).
"""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import torch
from torch import nn

import workloads

__all__ = [
    "build_w1", "build_w2", "build_w3", "build_w4", "build_w5", "predictors", "threads",
    "train_w1", "train_w2", "train_w3", "train_w4", "train_w5",
]

_EPSILON = 1e-7  # Keras's backend epsilon, used to clip probabilities

# One intra-op thread by default: on this shared 2-core machine torch's default (one
# OpenMP thread per core) stalls for up to a second at a time whenever another process
# holds a core, which made W1 take 40-60 s instead of 2 s. BENCH_TORCH_THREADS=0 keeps
# torch's default (the engine `torch-default` runs that way).
_THREADS = int(os.environ.get("BENCH_TORCH_THREADS", "1"))
if _THREADS > 0:
    torch.set_num_threads(_THREADS)


def threads() -> int:
    """The intra-op thread count this process trains with."""
    return torch.get_num_threads()


def _dense(fan_in: int, fan_out: int) -> nn.Linear:
    layer = nn.Linear(fan_in, fan_out)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def build_w1() -> nn.Module:
    activations = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
    modules: list[nn.Module] = []
    for fan_in, fan_out, activation in workloads.W1_LAYERS:
        modules += [_dense(fan_in, fan_out), activations[activation]()]
    return nn.Sequential(*modules)


def build_w2() -> nn.Module:
    return nn.Sequential(_dense(workloads.W2_FEATURES, workloads.W2_HIDDEN), nn.Sigmoid(),
                         nn.Dropout(workloads.W2_DROPOUT),
                         _dense(workloads.W2_HIDDEN, workloads.W2_CLASSES),
                         nn.Softmax(dim=1))


def build_w3() -> nn.Module:
    """W3 channels-first, as PyTorch wants it; Keras's init for both convolutions."""
    first, second = workloads.W3_FILTERS
    channels = workloads.W3_IMAGE_SHAPE[-1]
    convolutions = [nn.Conv2d(channels, first, workloads.W3_KERNEL),
                    nn.Conv2d(first, second, workloads.W3_KERNEL)]
    for convolution in convolutions:
        # xavier_uniform_ takes fans as in_channels*k*k and out_channels*k*k, as Keras's
        # glorot_uniform does for a (k, k, in, out) kernel.
        nn.init.xavier_uniform_(convolution.weight)
        nn.init.zeros_(convolution.bias)
    side = workloads.W3_IMAGE_SHAPE[0]
    for _ in workloads.W3_FILTERS:
        side = (side - workloads.W3_KERNEL + 1) // workloads.W3_POOL
    return nn.Sequential(convolutions[0], nn.ReLU(), nn.MaxPool2d(workloads.W3_POOL),
                         convolutions[1], nn.ReLU(), nn.MaxPool2d(workloads.W3_POOL),
                         nn.Flatten(), nn.Dropout(workloads.W3_DROPOUT),
                         _dense(side * side * second, workloads.W3_CLASSES),
                         nn.Softmax(dim=1))


def _embedding(vocabulary: int, width: int) -> nn.Embedding:
    """Keras's Embedding initialisation: uniform in [-0.05, 0.05]."""
    layer = nn.Embedding(vocabulary, width)
    nn.init.uniform_(layer.weight, -0.05, 0.05)
    return layer


class TextClassifier(nn.Module):
    """W4: embedding, one LSTM (its last output), a sigmoid unit."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = _embedding(workloads.W4_VOCABULARY, workloads.W4_WIDTH)
        self.lstm = nn.LSTM(workloads.W4_WIDTH, workloads.W4_UNITS, batch_first=True)
        # Keras's LSTM initialisation: Glorot-uniform input kernel, orthogonal recurrent
        # kernel, zero bias but 1 for the forget gate. PyTorch keeps two bias vectors and
        # orders the gates i, f, g, o (Keras: i, f, c, o): the forget gate is the second
        # quarter of `bias_ih_l0`; `bias_hh_l0` stays zero so their sum is Keras's bias.
        units = workloads.W4_UNITS
        nn.init.xavier_uniform_(self.lstm.weight_ih_l0)
        nn.init.orthogonal_(self.lstm.weight_hh_l0)
        with torch.no_grad():
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_ih_l0[units:2 * units] = 1.0
            self.lstm.bias_hh_l0.zero_()
        self.output = _dense(units, 1)

    def forward(self, tokens):
        _, (hidden, _) = self.lstm(self.embedding(tokens))
        return torch.sigmoid(self.output(hidden[-1]))


class TransformerClassifier(nn.Module):
    """W5: token and position embeddings, PyTorch's post-norm encoder layers, mean, softmax.

    `nn.TransformerEncoderLayer` with batch_first=True, norm_first=False, no dropout and
    the same sizes and LayerNorm epsilon as the Keras model; its attention and feed-forward
    weights keep PyTorch's own initialisation.
    """

    def __init__(self) -> None:
        super().__init__()
        width = workloads.W5_WIDTH
        self.tokens = _embedding(workloads.W5_VOCABULARY, width)
        self.positions = nn.Parameter(torch.empty(workloads.W5_LENGTH, width))
        nn.init.uniform_(self.positions, -0.05, 0.05)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(width, workloads.W5_HEADS,
                                       dim_feedforward=workloads.W5_FEED_FORWARD,
                                       dropout=0.0, activation="relu",
                                       layer_norm_eps=workloads.W5_NORM_EPSILON,
                                       batch_first=True, norm_first=False)
            for _ in range(workloads.W5_BLOCKS)])
        self.output = _dense(width, workloads.W5_CLASSES)

    def forward(self, tokens):
        x = self.tokens(tokens) + self.positions
        for block in self.blocks:
            x = block(x)
        return torch.softmax(self.output(x.mean(dim=1)), dim=1)


def build_w4() -> nn.Module:
    return TextClassifier()


def build_w5() -> nn.Module:
    return TransformerClassifier()


def binary_crossentropy(y_pred, y_true):
    p = y_pred.clamp(_EPSILON, 1 - _EPSILON)
    return -(y_true * torch.log(p) + (1 - y_true) * torch.log(1 - p)).mean()


def categorical_crossentropy(y_pred, y_true):
    p = y_pred.clamp(_EPSILON, 1 - _EPSILON)
    return -(y_true * torch.log(p)).sum(dim=1).mean()


def sparse_categorical_crossentropy(y_pred, y_true):
    p = y_pred.gather(1, y_true[:, None]).clamp(_EPSILON, 1 - _EPSILON)
    return -torch.log(p).mean()


def binary_correct(y_pred, y_true):
    return ((y_pred > 0.5).float() == y_true).float().sum()


def categorical_correct(y_pred, y_true):
    return (y_pred.argmax(dim=1) == y_true.argmax(dim=1)).float().sum()


def sparse_categorical_correct(y_pred, y_true):
    return (y_pred.argmax(dim=1) == y_true).float().sum()


def _fit(model, loss_fn, correct_fn, optimizer, x, y, epochs, batch_size, validation=None):
    n = x.shape[0]
    stamps = [time.perf_counter()]
    logs: dict[str, float] = {}
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n)
        loss_sum = torch.zeros(())
        correct = torch.zeros(())
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            x_batch, y_batch = x[rows], y[rows]
            y_pred = model(x_batch)
            loss = loss_fn(y_pred, y_batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += loss.detach() * rows.shape[0]
                correct += correct_fn(y_pred, y_batch)
        logs = {"loss": loss_sum.item() / n, "accuracy": correct.item() / n}
        if validation is not None:
            model.eval()
            x_val, y_val = validation
            with torch.no_grad():
                y_pred = model(x_val)
                logs["val_loss"] = loss_fn(y_pred, y_val).item()
                logs["val_accuracy"] = correct_fn(y_pred, y_val).item() / x_val.shape[0]
        stamps.append(time.perf_counter())
    return stamps, logs


def train_w1(epochs: int) -> dict[str, Any]:
    x, y = workloads.w1_data()
    torch.manual_seed(0)
    start = time.perf_counter()
    x = torch.from_numpy(x.astype(np.float32))
    y = torch.from_numpy(y.astype(np.float32).reshape(-1, 1))
    model = build_w1()
    optimizer = torch.optim.Adam(model.parameters(), lr=workloads.W1_LEARNING_RATE,
                                 eps=_EPSILON)
    stamps, logs = _fit(model, binary_crossentropy, binary_correct, optimizer, x, y, epochs,
                        workloads.W1_BATCH)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def train_w2(optimizer_name: str, epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w2_data(rows)
    torch.manual_seed(0)
    start = time.perf_counter()
    (x, y), (x_val, y_val) = workloads.split_for_validation(
        x, y, workloads.W2_VALIDATION_SPLIT)
    x, y, x_val, y_val = (torch.from_numpy(np.ascontiguousarray(a))
                          for a in (x, y, x_val, y_val))
    model = build_w2()
    rate = workloads.W2_LEARNING_RATES[optimizer_name]
    if optimizer_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=rate)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=rate, eps=_EPSILON)
    stamps, logs = _fit(model, categorical_crossentropy, categorical_correct, optimizer, x, y,
                        epochs, workloads.W2_BATCH, validation=(x_val, y_val))
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def train_w3(epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w3_data(rows)
    torch.manual_seed(0)
    start = time.perf_counter()
    # NHWC -> NCHW once, outside the loop: the layout torch's convolutions are built for.
    x = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(y)
    model = build_w3()
    optimizer = torch.optim.Adam(model.parameters(), lr=workloads.W3_LEARNING_RATE,
                                 eps=_EPSILON)
    stamps, logs = _fit(model, categorical_crossentropy, categorical_correct, optimizer, x, y,
                        epochs, workloads.W3_BATCH)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def _train_adam(model, loss_fn, correct_fn, x, y, epochs, batch_size, start):
    """Keras's Adam defaults (learning rate 0.001, epsilon 1e-7) on `model`, timed from `start`."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=_EPSILON)
    stamps, logs = _fit(model, loss_fn, correct_fn, optimizer, x, y, epochs, batch_size)
    return {"first_fit_s": time.perf_counter() - start, "epoch_stamps": stamps, "final": logs}


def train_w4(epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w4_data(rows)
    torch.manual_seed(0)
    start = time.perf_counter()
    # Token ids as int64, the index type nn.Embedding works in.
    x = torch.from_numpy(x.astype(np.int64))
    y = torch.from_numpy(y.reshape(-1, 1))
    return _train_adam(build_w4(), binary_crossentropy, binary_correct, x, y, epochs,
                       workloads.W4_BATCH, start)


def train_w5(epochs: int, rows: int) -> dict[str, Any]:
    x, y = workloads.w5_data(rows)
    torch.manual_seed(0)
    start = time.perf_counter()
    x = torch.from_numpy(x.astype(np.int64))
    y = torch.from_numpy(y.astype(np.int64))
    return _train_adam(build_w5(), sparse_categorical_crossentropy,
                       sparse_categorical_correct, x, y, epochs, workloads.W5_BATCH, start)


def predictors(which: str) -> tuple[Any, Any, np.ndarray]:
    """(predict(x), call(x), inputs): batches of 32 like Keras's predict, and one forward."""
    torch.manual_seed(0)
    if which == "w1":
        model = build_w1()
        inputs = np.tile(workloads.w1_data()[0].astype(np.float32), (10, 1))
    else:
        model = build_w2()
        inputs = workloads.w2_data(10000)[0]
    model.eval()

    def predict(x, batch_size=32):
        tensor = torch.from_numpy(x)
        with torch.no_grad():
            parts = [model(tensor[start:start + batch_size])
                     for start in range(0, tensor.shape[0], batch_size)]
        return torch.cat(parts).numpy()

    def call(x):
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()

    return predict, call, inputs
