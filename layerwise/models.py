"""`keras.models`: model classes, whole-model saving and loading, cloning."""
from layerwise.engine.functional_model import Functional
from layerwise.engine.model import Model
from layerwise.engine.sequential import Sequential
from layerwise.saving import load_model, model_from_json, save_model
from layerwise.saving.cloning import clone_model

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]
