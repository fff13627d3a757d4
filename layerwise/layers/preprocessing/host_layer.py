"""HostLayer: the base of the preprocessing layers that run on the host, in numpy.

Strings cannot enter a compiled JAX program, so these layers (StringLookup,
TextVectorization, Hashing, ...) compute eagerly on numpy data. In a model they may sit
only at its front, fed by `Input`s: `fit`, `evaluate` and `predict` run them on the data
first, outside the compiled program (see `layerwise/models/host_prefix.py`).
"""
from __future__ import annotations

from typing import Any

from layerwise.engine.functional import call_symbolically
from layerwise.engine.keras_tensor import any_symbolic
from layerwise.engine.layer import Layer


class HostLayer(Layer):
    """A layer whose `call` takes and returns host data; no weights, nothing to train."""

    runs_on_host = True

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(inputs):
            kwargs.pop("training", None)
            return call_symbolically(self, inputs, args, kwargs)
        kwargs.pop("training", None)
        return self.call(inputs, *args, **kwargs)

    def build(self, input_shape: Any = None) -> None:
        self.built = True

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config: Any) -> None:
        self.built = True
