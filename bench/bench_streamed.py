"""Streamed data (S): W2 trained from arrays, from a PyDataset and from a generator.

One layerwise model per source, in one process, trains W2 for `--epochs` epochs from each
source in turn (arrays, PyDataset, generator, then again, `--repeats` times); every fit
after each model's first (which compiles) is timed, and the report gives the median seconds per epoch and each
stream's ratio to arrays. Validation data is passed the same way as the training data
(`validation_split` takes arrays only), the last 10% of the rows, as W2's split.

    python bench/bench_streamed.py [--repeats N] [--epochs N] [--rows N]

Issue #13's target: streamed throughput within 1.3x of arrays (ratio <= 1.3).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import workloads

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import layerwise as keras  # noqa: E402

SOURCES = ("arrays", "PyDataset", "generator")


class _Batches(keras.utils.PyDataset):
    """Consecutive batches of numpy arrays, as a user's PyDataset serves them."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index: int):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]


def _endless(x: np.ndarray, y: np.ndarray, batch_size: int):
    """A generator that cycles through the batches forever, as Keras's guides write them."""
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def _model() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((workloads.W2_FEATURES,)),
        keras.layers.Dense(workloads.W2_HIDDEN, activation="sigmoid"),
        keras.layers.Dropout(workloads.W2_DROPOUT),
        keras.layers.Dense(workloads.W2_CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(model: keras.Model, source: str, train, validation, epochs: int) -> float:
    """Seconds per epoch of one more fit of `model` from `source`."""
    (x, y), (validation_x, validation_y) = train, validation
    batch = workloads.W2_BATCH
    if source == "arrays":
        arguments = dict(x=x, y=y, batch_size=batch, shuffle=False,
                         validation_data=(validation_x, validation_y))
    elif source == "PyDataset":
        arguments = dict(x=_Batches(x, y, batch),
                         validation_data=_Batches(validation_x, validation_y, batch))
    else:
        arguments = dict(x=_endless(x, y, batch), steps_per_epoch=-(-len(x) // batch),
                         validation_data=_endless(validation_x, validation_y, batch),
                         validation_steps=-(-len(validation_x) // batch))
    started = time.perf_counter()
    model.fit(epochs=epochs, verbose=0, **arguments)
    return (time.perf_counter() - started) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=workloads.W2_ROWS)
    args = parser.parse_args()
    x, y = workloads.w2_data(args.rows)
    train, validation = workloads.split_for_validation(x, y, workloads.W2_VALIDATION_SPLIT)
    # One model a source, fitted again and again: the first fit compiles, untimed.
    models = {source: _model() for source in SOURCES}
    for source in SOURCES:
        _fit(models[source], source, train, validation, 1)
    seconds: dict[str, list[float]] = {source: [] for source in SOURCES}
    for repeat in range(args.repeats):
        for source in SOURCES:
            seconds[source].append(_fit(models[source], source, train, validation,
                                        args.epochs))
        print(f"repeat {repeat}: " + ", ".join(
            f"{source} {seconds[source][-1]:.3f} s/epoch" for source in SOURCES), flush=True)
    arrays = statistics.median(seconds["arrays"])
    print(f"\nW2, {args.rows} rows, {args.epochs} epochs a fit, median of {args.repeats}:\n")
    print("| source | s/epoch | / arrays |\n|---|---|---|")
    for source in SOURCES:
        median = statistics.median(seconds[source])
        print(f"| {source} | {median:.3f} | {median / arrays:.2f} |")


if __name__ == "__main__":
    main()
