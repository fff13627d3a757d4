"""layerwise: the Keras API on JAX. `import layerwise as keras` and run Keras code unchanged.

This file is the public map: every name a user reaches through `layerwise.` is listed here.
"""
from layerwise.models.cache.compile_cache import enable_compile_cache

enable_compile_cache()

from layerwise import (activations, applications, backend, callbacks, config, constraints,
                       datasets, distribution, dtype_policies, initializers, layers, losses,
                       metrics, mixed_precision, models, ops, optimizers, preprocessing, random,
                       regularizers, saving, sweep, tree, utils, visualization, wrappers)
from layerwise.dtype_policies import DTypePolicy, FloatDTypePolicy
from layerwise.ops.operation import Operation
from layerwise.engine.input_layer import Input
from layerwise.engine.input_spec import InputSpec
from layerwise.initializers import Initializer
from layerwise.losses import Loss
from layerwise.metrics import Metric
from layerwise.optimizers.base import Optimizer
from layerwise.regularizers import Regularizer
from layerwise.engine.keras_tensor import KerasTensor
from layerwise.engine.layer import Layer
from layerwise.models.model import Model
from layerwise.models.sequential import Sequential
from layerwise.engine.variables import Variable

from layerwise.version import __version__

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "Initializer",
    "InputSpec",
    "Loss",
    "Metric",
    "Optimizer",
    "Regularizer",
    "Input",
    "KerasTensor",
    "Layer",
    "Model",
    "Operation",
    "Sequential",
    "Variable",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distribution",
    "dtype_policies",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "preprocessing",
    "saving",
    "sweep",
    "tree",
    "utils",
    "visualization",
    "wrappers",
]
