"""CSVLogger: stream each epoch's logs to a CSV file, one row per epoch."""
from __future__ import annotations

import collections.abc
import csv
import os
from typing import Any

import numpy as np

from layerwise.callbacks.callback import Callback


def _cell(value: Any) -> Any:
    """A log value as written by Keras: strings as-is, 1-D iterables as "[a, b, ...]"."""
    if isinstance(value, str):
        return value
    is_scalar_array = isinstance(value, np.ndarray) and value.ndim == 0
    if isinstance(value, collections.abc.Iterable) and not is_scalar_array:
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Write one CSV row per epoch: the epoch index, then every log key in sorted order.

    The columns are fixed by the first epoch's logs; without validation data, `val_*`
    columns are added anyway and filled with "NA" (as Keras does).

    Args:
        filename: path of the CSV file, e.g. "run/log.csv".
        separator: the string separating the cells of a row.
        append: add to an existing file (without repeating its header) instead of
            overwriting it.
    """

    def __init__(self, filename: Any, separator: str = ",", append: bool = False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(
                "Invalid value for argument `filename`. Expected a path (str or "
                f"os.PathLike). Received: filename={filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                "Invalid value for argument `separator`. Expected a one-character string. "
                f"Received: separator={separator!r}")
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: csv.DictWriter | None = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as existing:
                    # Only an empty file still needs its header.
                    self.append_header = not existing.readline()
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        # Opened without newline="" as Keras does: rows end in "\r\n" (csv's default).
        self.csv_file = open(self.filename, mode)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend([f"val_{key}" for key in self.keys])
        if self.writer is None:
            dialect = type("CSVLoggerDialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


__all__ = ["CSVLogger"]
