"""The one contract between the trainer and the compiled epoch: how rows become batches.

An `EpochPlan` is frozen and hashable, so it is the compiled programs' single static
argument: two calls with equal plans run the same executable. The same plan type serves
training, the validation that runs inside a training epoch, and `evaluate`.
"""
from __future__ import annotations

import dataclasses
from typing import Iterator


@dataclasses.dataclass(frozen=True)
class EpochPlan:
    """How one pass over the data is cut into batches and compiled calls.

    Full batches run inside a `lax.scan`; the partial last batch either joins the scan
    padded to full size (`padded_tail`) or runs after it, exactly (`exact_tail` marks the
    call that does so). An epoch shown with a live progress bar, or with per-batch
    callbacks, runs as several calls of `segment` steps each.
    """

    batch_size: int
    scan_steps: int  # batches inside the scan: the full ones, plus a padded tail
    tail_rows: int  # rows in the partial last batch; 0 when there is none
    padded_tail: bool
    segment: int  # scan steps per compiled call
    # A shorter last segment reuses the same program, its extra steps skipped.
    guarded: bool = False
    exact_tail: bool = False  # this call ends with the partial batch, run exactly
    shuffled: bool = False
    halt_on_invalid_loss: bool = False  # TerminateOnNaN: skip steps after a bad loss
    validation: EpochPlan | None = None  # evaluated inside the epoch's last call

    @classmethod
    def for_rows(cls, samples: int, batch_size: int, pad_tail: bool) -> EpochPlan:
        """The plan of one call over all `samples` rows (batches no larger than the data)."""
        batch_size = min(batch_size, samples)
        full_batches, tail_rows = divmod(samples, batch_size)
        padded_tail = bool(tail_rows) and pad_tail
        scan_steps = full_batches + int(padded_tail)
        return cls(batch_size, scan_steps, tail_rows, padded_tail, segment=scan_steps,
                   exact_tail=bool(tail_rows) and not padded_tail)

    @property
    def steps_per_epoch(self) -> int:
        return self.scan_steps + int(bool(self.tail_rows) and not self.padded_tail)

    def split(self, segment: int) -> EpochPlan:
        """The same epoch run in calls of `segment` steps (progress bars, batch hooks)."""
        segment = max(1, min(segment, self.scan_steps))
        return dataclasses.replace(self, segment=segment,
                                   guarded=self.scan_steps % segment != 0)

    def with_options(self, **changes: object) -> EpochPlan:
        return dataclasses.replace(self, **changes)

    def calls(self) -> Iterator[tuple[int, int, EpochPlan]]:
        """(first step, number of steps, the plan of that call) for each call of an epoch."""
        runs_exact_tail = bool(self.tail_rows) and not self.padded_tail
        first = 0
        while True:
            count = min(self.segment, self.scan_steps - first)
            last = first + count >= self.scan_steps
            exact_tail = last and runs_exact_tail
            # Planned once per epoch: replacing a frozen dataclass costs ~10 us, so only
            # calls that differ from the plan itself get a copy.
            yield first, count, self if exact_tail == self.exact_tail else \
                dataclasses.replace(self, exact_tail=exact_tail)
            first += count
            if last:
                return
