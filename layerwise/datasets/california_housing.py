"""California housing prices: 8 features per block, the median house value as target."""
from __future__ import annotations

from layerwise.datasets.sources import fetch, load_npz, split_shuffled


def load_data(version: str = "large", path: str = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113) -> tuple:
    """`(x_train, y_train), (x_test, y_test)`; `version="small"` keeps the first 600
    samples."""
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between "
                         "0 and 1 (exclusive of 1).")
    if version not in ("small", "large"):
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    arrays = load_npz(fetch("california_housing.npz", fname=path))
    x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return split_shuffled(x, y, test_split, seed)
