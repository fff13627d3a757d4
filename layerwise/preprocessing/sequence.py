"""`keras.preprocessing.sequence`."""
from layerwise.utils.sequences import pad_sequences

__all__ = ["pad_sequences"]
