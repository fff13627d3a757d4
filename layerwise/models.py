"""`keras.models`: model classes and whole-model loading."""
from layerwise.engine.functional_model import Functional
from layerwise.engine.model import Model
from layerwise.engine.sequential import Sequential
from layerwise.saving import load_model

__all__ = ["Functional", "Model", "Sequential", "load_model"]
