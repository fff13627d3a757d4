"""Layers, one module per family. This list is the public map of `layerwise.layers`."""
from layerwise.engine.functional import Input
from layerwise.engine.layer import Layer
from layerwise.layers.core import Activation, Dense, Dropout, Flatten, InputLayer, Reshape

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "InputLayer",
    "Layer",
    "Reshape",
]
