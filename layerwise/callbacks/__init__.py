"""Callbacks: hooks into fit/evaluate/predict. This list is the public map."""
from layerwise.callbacks.callback import Callback, CallbackList, History, ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
