"""Keras's progress display: a live bar (verbose=1) or one line per epoch (verbose=2)."""
from __future__ import annotations

import math
import sys
import time
from typing import Mapping


def format_duration(seconds: float) -> str:
    """Whole seconds as Keras shows them: "2s", "1:05", "1:02:03"."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def format_time_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_value(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if abs(value) >= 1e-3 or value == 0:
        return f"{value:.4f}"
    return f"{value:.4e}"


def format_logs(logs: Mapping[str, float]) -> str:
    return "".join(f" - {name}: {format_value(float(value))}" for name, value in logs.items())


class Progbar:
    """Shows the progress of one epoch (or one evaluate/predict pass).

    Args:
        target: number of steps in the pass.
        verbose: 1 for a live bar redrawn in place, 2 for a single line at the end.
        width: characters in the bar.
    """

    def __init__(self, target: int, verbose: int = 1, width: int = 20, stream=None):
        self.target = target
        self.verbose = verbose
        self.width = width
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_length = 0

    def update(self, step: int, logs: Mapping[str, float] | None = None,
               finalize: bool = False) -> None:
        logs = logs or {}
        if self.target:  # a short last segment may report past the end, as in Keras
            step = min(step, self.target)
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / max(step, 1)
        if self.verbose == 1 and not self.target:
            # A pass of unknown length (a generator's first epoch), shown as Keras does.
            line = f"{step:>7}/Unknown {format_duration(elapsed)} " \
                   f"{format_time_per_step(per_step)}{format_logs(logs)}"
            padding = max(self._last_length - len(line), 0)
            self.stream.write("\r" + line + " " * padding + ("\n" if finalize else ""))
            self._last_length = len(line)
            self.stream.flush()
        elif self.verbose == 1:
            filled = int(self.width * step / max(self.target, 1))
            bar = "━" * filled + ("\x1b[37m" + "━" * (self.width - filled) + "\x1b[0m"
                                  if filled < self.width else "")
            digits = len(str(self.target))
            line = f"{step:>{digits}}/{self.target} {bar}"
            if finalize:
                line += f" {format_duration(elapsed)} {format_time_per_step(per_step)}"
            else:
                remaining = per_step * (self.target - step)
                line += f" {format_duration(remaining)} {format_time_per_step(per_step)}"
            line += format_logs(logs)
            padding = max(self._last_length - len(line), 0)
            self.stream.write("\r" + line + " " * padding + ("\n" if finalize else ""))
            self._last_length = len(line)
            self.stream.flush()
        elif self.verbose == 2 and finalize:
            line = (f"{step}/{self.target} - {format_duration(elapsed)} - "
                    f"{format_time_per_step(per_step)}{format_logs(logs)}")
            self.stream.write(line + "\n")
            self.stream.flush()
