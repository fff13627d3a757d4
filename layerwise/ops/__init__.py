"""`keras.ops`: the op layer custom layers, losses and models are written in.

Every op runs on arrays (jax, numpy, python scalars) and on symbolic `KerasTensor`s, where
it records a graph node instead (see `operation.py`). This file is the public map.
"""
from layerwise.ops import core, image, linalg, math, nn
from layerwise.ops.core import *  # noqa: F401,F403
from layerwise.ops.einops import rearrange
from layerwise.ops.linalg import *  # noqa: F401,F403
from layerwise.ops.math import *  # noqa: F401,F403
from layerwise.ops.nn import *  # noqa: F401,F403
from layerwise.engine.functional import KerasTensor as _KerasTensor
from layerwise.ops import tensor_operators as _tensor_operators
from layerwise.ops.operation import Operation

try:  # the numpy-style ops live in their own module (written alongside this one)
    from layerwise.ops import numpy
    from layerwise.ops.numpy import *  # noqa: F401,F403
    _NUMPY_NAMES = list(getattr(numpy, "__all__", None) or [
        name for name in dir(numpy) if not name.startswith("_")
        and callable(getattr(numpy, name)) and not isinstance(getattr(numpy, name), type)])
except ImportError:  # pragma: no cover - only while numpy.py does not exist yet
    numpy = None
    _NUMPY_NAMES = []

__all__ = sorted(
    {*core.__all__, *linalg.__all__, *math.__all__, *nn.__all__, *_NUMPY_NAMES, "rearrange"}
) + ["Operation", "image", "linalg", "nn", "numpy"]

_tensor_operators.install(_KerasTensor)
