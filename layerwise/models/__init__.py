"""`keras.models`: model classes, whole-model saving and loading, cloning."""
from layerwise.models.functional import Functional
from layerwise.models.model import Model
from layerwise.models.sequential import Sequential
from layerwise.saving import load_model, model_from_json, save_model
from layerwise.models.cloning import clone_model

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]
