"""The approximate quantile sketch Discretization adapts with, giving Keras's boundaries.

A summary is a 2-row array: sorted sample values and the number of data points each stands
for. Each batch is reduced to about `1 / epsilon` evenly spaced order statistics, merged
with the running summary, and recompressed; the bin boundaries are the summary compressed
to `num_bins` equal-weight parts (the last edge dropped).
"""
from __future__ import annotations

import numpy as np


def empty_summary() -> np.ndarray:
    return np.zeros((2, 0), dtype="float32")


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every `step`-th order statistic of `values` (step = n * epsilon, at least 1), each
    weighing `step` points."""
    ordered = np.sort(np.ravel(values))
    step = max(ordered.size * epsilon, 1)
    picked = ordered[int(step - 1)::int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """The values at cumulative-weight fractions epsilon, 2 epsilon, ..., 1 (linearly
    interpolated), with the weight between consecutive ones; small summaries are kept."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    positions = cumulative / cumulative[-1]
    values = np.interp(fractions, positions, summary[0])
    cumulative = np.interp(fractions, positions, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack((values, weights)).astype("float32")


def merge(summary: np.ndarray, other: np.ndarray, epsilon: float) -> np.ndarray:
    joined = np.concatenate((summary, other), axis=1)
    return compress(joined[:, np.argsort(joined[0])], epsilon)


def bin_boundaries(summary: np.ndarray, num_bins: int) -> list[float]:
    return compress(summary, 1.0 / num_bins)[0, :-1].tolist()
