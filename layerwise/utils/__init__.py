"""Utilities a Keras user reaches for: seeding, label encoding, plotting."""
from layerwise.backend import clear_session
from layerwise.random import set_random_seed
from layerwise.utils.arrays import normalize, to_categorical
from layerwise.utils.plotting import plot_loss_accuracy

__all__ = ["clear_session", "normalize", "plot_loss_accuracy", "set_random_seed", "to_categorical"]
