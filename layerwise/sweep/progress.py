"""One progress bar for a whole sweep, showing its best and worst variant so far."""
from __future__ import annotations

import math
from typing import Any

from layerwise.utils.progbar import Progbar


def ranking_key(logs: dict) -> str:
    """The log that ranks variants: the validation loss when there is one, else the loss."""
    return "val_loss" if "val_loss" in logs else "loss"


class SweepProgress:
    """verbose=1: a bar over every epoch of every group; verbose=2: a line per epoch.

    Each update shows the best and the worst variant by `ranking_key`, with that log and
    one metric, e.g. "best #3 loss: 0.1 - best #3 accuracy: 0.97 - worst #7 loss: ...".
    """

    def __init__(self, total_epochs: int, verbose: int, stream: Any = None):
        self.verbose = verbose
        self.total = total_epochs
        self.done = 0
        self.latest: dict[int, dict] = {}
        self.bar = Progbar(total_epochs, verbose=1, stream=stream) if verbose == 1 else None
        self.stream = stream

    def add_epochs(self, count: int) -> None:
        """More epochs to show (a group split in two runs its epochs twice)."""
        self.total += count
        if self.bar is not None:
            self.bar.target = self.total

    def epoch_done(self, epoch: int, epochs: int, logs_by_variant: dict[int, dict]) -> None:
        self.done += 1
        self.latest.update(logs_by_variant)
        if not self.verbose:
            return
        summary = self.extremes()
        if self.bar is not None:
            self.bar.update(self.done, summary, finalize=self.done >= self.total)
        else:
            line = f"Epoch {epoch + 1}/{epochs}" + "".join(
                f" - {name}: {_format(value)}" for name, value in summary.items())
            print(line, file=self.stream, flush=True)

    def extremes(self) -> dict[str, float]:
        """The best and worst variant's logs, keyed "best #i loss", "worst #j accuracy"..."""
        ranked = {index: logs for index, logs in self.latest.items()
                  if not math.isnan(logs.get(ranking_key(logs), math.nan))}
        if not ranked:
            return {}
        key = ranking_key(next(iter(ranked.values())))
        best = min(ranked, key=lambda index: ranked[index][key])
        worst = max(ranked, key=lambda index: ranked[index][key])
        # The ranking log and one metric of the same split (e.g. val_accuracy) keep the
        # line short enough for a terminal.
        prefix = "val_" if key.startswith("val_") else ""
        shown = [key] + [name for name in ranked[best] if name != key
                         and name.startswith(prefix) and not name.endswith("loss")
                         and (prefix or not name.startswith("val_"))][:1]
        summary = {}
        for label, index in (("best", best), ("worst", worst)):
            for name in shown:
                summary[f"{label} #{index} {name}"] = ranked[index].get(name, math.nan)
        return summary

    def close(self) -> None:
        if self.bar is not None and self.done < self.total:
            self.bar.update(self.done, self.extremes(), finalize=True)


def _format(value: float) -> str:
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"
