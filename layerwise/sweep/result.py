"""What `sweep.fit` returns: the trained models, their histories, a table of final metrics."""
from __future__ import annotations

from typing import Any

import numpy as np

from layerwise.sweep.variants import scalar_items


class SweepResult:
    """The outcome of a sweep, in the order of the variants.

    Attributes:
        variants: the variants as given.
        models: each variant's own `Model`, trained (its weights written back).
        histories: each variant's `History`, with the logs `Model.fit` would give it.
    """

    def __init__(self, variants: list[dict], models: list, histories: list):
        self.variants = variants
        self.models = models
        self.histories = histories

    @property
    def table(self) -> list[dict]:
        """One row per variant: its index, its plain values (seed, learning_rate...), the
        number of epochs it trained, and its last epoch's logs."""
        rows = []
        for index, (variant, history) in enumerate(zip(self.variants, self.histories)):
            logs = {key: values[-1] for key, values in history.history.items() if values}
            epochs = len(next(iter(history.history.values()), []))
            rows.append({"variant": index, **scalar_items(variant), "epochs": epochs, **logs})
        return rows

    def final(self, metric: str) -> np.ndarray:
        """Each variant's last value of `metric` (e.g. "val_accuracy")."""
        missing = [i for i, h in enumerate(self.histories) if not h.history.get(metric)]
        if missing:
            keys = sorted(self.histories[missing[0]].history)
            raise ValueError(f"SweepResult.final: variants {missing} have no '{metric}' "
                             f"logs. Their logs: {keys}")
        return np.array([history.history[metric][-1] for history in self.histories])

    def best(self, metric: str = "loss", mode: str = "auto") -> int:
        """The index of the variant with the best final `metric` (lowest loss, else highest)."""
        if mode == "auto":
            mode = "min" if metric.endswith("loss") or "error" in metric else "max"
        if mode not in ("min", "max"):
            raise ValueError("SweepResult.best: invalid value for argument `mode`. Expected "
                             f"'auto', 'min' or 'max'. Received: mode={mode!r}")
        values = self.final(metric)
        return int(np.nanargmin(values) if mode == "min" else np.nanargmax(values))

    def to_string(self) -> str:
        """The table as aligned text."""
        rows = self.table
        # The variants' own keys first (a key only some variants have included), then logs.
        own = dict.fromkeys(key for variant in self.variants for key in scalar_items(variant))
        columns = list(dict.fromkeys(["variant", *own, "epochs",
                                      *(key for row in rows for key in row)]))
        cells = [[_cell(row.get(column, "")) for column in columns] for row in rows]
        widths = [max(len(column), *(len(line[i]) for line in cells))
                  for i, column in enumerate(columns)]
        lines = ["  ".join(column.rjust(width) for column, width in zip(columns, widths))]
        lines += ["  ".join(cell.rjust(width) for cell, width in zip(line, widths))
                  for line in cells]
        return "\n".join(lines)

    def predict(self, x: Any, batch_size: int | None = None, models: Any = None) -> np.ndarray:
        """The ensemble's prediction: the mean of the models' predictions (all, or those
        indexed by `models`)."""
        chosen = self.models if models is None else [self.models[i] for i in models]
        return ensemble_predict(chosen, x, batch_size=batch_size)

    def __repr__(self) -> str:
        return f"<SweepResult: {len(self.models)} variants>"


def ensemble_predict(models: list, x: Any, batch_size: int | None = None) -> Any:
    """The mean of the models' predictions on `x` (each output's mean, for several)."""
    if not models:
        raise ValueError("ensemble_predict: `models` is empty. Expected at least one model.")
    total, count = None, 0
    for model in models:
        prediction = model.predict(x, batch_size=batch_size, verbose=0)
        total = prediction if total is None else _add(total, prediction)
        count += 1
    return _scale(total, 1.0 / count)


def _add(first: Any, second: Any) -> Any:
    if isinstance(first, dict):
        return {key: first[key] + second[key] for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(a + b for a, b in zip(first, second))
    return first + second


def _scale(value: Any, factor: float) -> Any:
    if isinstance(value, dict):
        return {key: item * factor for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(item * factor for item in value)
    return value * factor


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)
