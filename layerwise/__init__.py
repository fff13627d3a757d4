"""layerwise: the Keras API on JAX. `import layerwise as keras` and run Keras code unchanged.

This file is the public map: every name a user reaches through `layerwise.` is listed here.
"""
from layerwise.engine.compile_cache import enable_compile_cache

enable_compile_cache()

from layerwise import (activations, backend, callbacks, config, constraints, initializers, layers,
                       losses, metrics, models, ops, optimizers, random, regularizers, saving,
                       tree, utils)
from layerwise.ops.operation import Operation
from layerwise.engine.functional import Input, KerasTensor
from layerwise.engine.layer import Layer
from layerwise.engine.model import Model
from layerwise.engine.sequential import Sequential
from layerwise.engine.variables import Variable

__version__ = "0.1.0"

__all__ = [
    "Input",
    "KerasTensor",
    "Layer",
    "Model",
    "Operation",
    "Sequential",
    "Variable",
    "activations",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "saving",
    "tree",
    "utils",
]
