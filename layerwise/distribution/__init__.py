"""keras.distribution: data and model parallelism over JAX's devices, on one host or many.

`set_distribution(DataParallel())` before building and compiling a model is enough to
train it on every device (and, after `initialize`, on every host) with the same script.
"""
from layerwise.distribution.devices import get_device_count, initialize, list_devices
from layerwise.distribution.layouts import DeviceMesh, LayoutMap, TensorLayout
from layerwise.distribution.strategies import (DataParallel, ModelParallel,
                                               distribute_tensor, distribution,
                                               set_distribution)

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "set_distribution",
]
