"""Boston housing prices: 13 features per house, the median value as target."""
from __future__ import annotations

from layerwise.datasets.sources import fetch, load_npz, split_shuffled


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> tuple:
    """`(x_train, y_train), (x_test, y_test)`, shuffled by `seed` as Keras does."""
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between "
                         "0 and 1 (exclusive of 1).")
    arrays = load_npz(fetch("boston_housing.npz", fname=path))
    return split_shuffled(arrays["x"], arrays["y"], test_split, seed)
