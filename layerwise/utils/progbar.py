"""Keras's progress display: a live bar (verbose=1) or one line per epoch (verbose=2)."""
from __future__ import annotations

import logging
import math
import sys
import time
from typing import Any, Mapping, Sequence

from layerwise import config


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


def format_time_per_step(seconds: float, unit_name: str = "step") -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def format_value(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if abs(value) >= 1e-3 or value == 0:
        return f"{value:.4f}"
    return f"{value:.4e}"


def format_logs(logs: Mapping[str, float]) -> str:
    return "".join(f" - {name}: {format_value(float(value))}" for name, value in logs.items())


class Progbar:
    """Shows the progress of a loop of `target` steps (an epoch, an evaluate pass, a
    download), as `keras.utils.Progbar` does.

    Args:
        target: the number of steps, or None when unknown.
        width: characters in the bar.
        verbose: 1 for a live bar redrawn in place, 2 for a single line at the end, 0 silent.
        interval: the least seconds between two redraws of the live bar.
        stateful_metrics: names whose values are shown as given; the others are averaged
            over the steps seen so far.
        stateless_metrics: the other way round: these names are averaged, the rest shown
            as given (give one of the two lists at most).
        unit_name: the unit of the time per step ("step", "epoch", ...).
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Sequence[str] | None = None,
                 stateless_metrics: Sequence[str] | None = None, unit_name: str = "step",
                 stream: Any = None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided. "
                f"Received: stateful_metrics={stateful_metrics}, "
                f"stateless_metrics={stateless_metrics}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or [])
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_length = 0
        self._last_draw = 0.0
        self._seen_so_far = 0
        self._sums: dict[str, list] = {}

    def _averaged(self, name: str) -> bool:
        if self.stateless_metrics is not None:
            return name in self.stateless_metrics
        return name not in self.stateful_metrics

    def _record(self, current: int, values: Any, finalize: bool) -> dict[str, float]:
        """The values to show: a mapping (logs already averaged, as fit passes them) is
        shown as given; `(name, value)` pairs are averaged over steps unless stateful."""
        if isinstance(values, Mapping):
            values = [(name, value) for name, value in values.items()]
            for name, value in values:
                self._sums[name] = [float(value), 1]
        else:
            for name, value in values or []:
                value = float(value)
                if not self._averaged(name) or finalize:
                    self._sums[name] = [value, 1]
                    continue
                steps = max(current - self._seen_so_far, 1)
                total, count = self._sums.get(name, [0.0, 0])
                self._sums[name] = [total + value * steps, count + steps]
        return {name: total / max(count, 1) for name, (total, count) in self._sums.items()}

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Shows step `current` of `target`, with `values`: `(name, value)` pairs (or a
        dict of values to show as they are). `finalize` (by default: `current` reached
        `target`) ends the line."""
        if finalize is None:
            finalize = bool(self.target) and current >= self.target
        logs = self._record(current, values, finalize)
        self._seen_so_far = current
        step = min(current, self.target) if self.target else current
        now = time.perf_counter()
        if self.verbose == 1 and not finalize and now - self._last_draw < self.interval \
                and self._last_draw:
            return
        self._last_draw = now
        elapsed = now - self.start
        per_step = elapsed / max(step, 1)
        if self.verbose == 1 and not self.target:
            # A pass of unknown length (a generator's first epoch), shown as Keras does.
            line = f"{step:>7}/Unknown {format_duration(elapsed)} " \
                   f"{format_time_per_step(per_step, self.unit_name)}{format_logs(logs)}"
            self._redraw(line, finalize)
        elif self.verbose == 1:
            filled = int(self.width * step / max(self.target, 1))
            bar = "━" * filled + ("\x1b[37m" + "━" * (self.width - filled) + "\x1b[0m"
                                  if filled < self.width else "")
            digits = len(str(self.target))
            line = f"{step:>{digits}}/{self.target} {bar}"
            if finalize:
                line += f" {format_duration(elapsed)} " \
                        f"{format_time_per_step(per_step, self.unit_name)}"
            else:
                remaining = per_step * (self.target - step)
                line += f" {format_duration(remaining)} " \
                        f"{format_time_per_step(per_step, self.unit_name)}"
            self._redraw(line + format_logs(logs), finalize)
        elif self.verbose == 2 and finalize:
            line = (f"{step}/{self.target} - {format_duration(elapsed)} - "
                    f"{format_time_per_step(per_step, self.unit_name)}{format_logs(logs)}")
            self._write(line + "\n")

    def add(self, n: int, values: Any = None) -> None:
        """Moves `n` steps on."""
        self.update(self._seen_so_far + n, values)

    def _redraw(self, line: str, finalize: bool) -> None:
        padding = max(self._last_length - len(line), 0)
        self._write("\r" + line + " " * padding + ("\n" if finalize else ""))
        self._last_length = len(line)

    def _write(self, text: str) -> None:
        if not config.is_interactive_logging_enabled():
            # As Keras: with interactive logging off, progress goes to the logger.
            if text.strip():
                logging.getLogger("layerwise").info(text.strip("\r\n"))
            return
        self.stream.write(text)
        self.stream.flush()
