"""Utilities a Keras user reaches for: seeding, label encoding, plotting."""
from layerwise.random import set_random_seed
from layerwise.utils.arrays import normalize, to_categorical
from layerwise.utils.plotting import plot_loss_accuracy

__all__ = ["normalize", "plot_loss_accuracy", "set_random_seed", "to_categorical"]
