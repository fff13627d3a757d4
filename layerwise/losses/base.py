"""`Loss`, the base class, and `LossFunctionWrapper`, a `Loss` around a per-sample function."""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.engine import naming
from layerwise.engine.registry import namespace
from layerwise.losses.crossentropy import call_with_mask
from layerwise.losses.reduction import (
    _tensor,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
    standardize_reduction,
)

__all__ = ["Loss", "serialize_function", "LossFunctionWrapper", "gives_per_sample_values"]


class Loss:
    """Base class: `__call__` computes per-sample losses with `call`, weights and reduces them.

    Args:
        name: the loss's name (snake_case of the class, made unique, by default).
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None.
        dtype: dtype the inputs are cast to (float32 by default).
    """

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
    ):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = jnp.dtype(dtype or "float32").name

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None, *, mask: Any = None
    ) -> jax.Array:
        """The reduced loss (a scalar unless reduction is "none").

        `mask` (keyword only; Keras reads it off `y_pred`) marks the entries that count.
        """
        y_pred = jax.tree_util.tree_map(lambda x: _tensor(x, self.dtype), y_pred)
        y_true = jax.tree_util.tree_map(lambda x: _tensor(x, self.dtype), y_true)
        losses, loss_mask = self._losses_and_mask(y_true, y_pred)
        if mask is not None and loss_mask is not None:
            mask = jnp.logical_and(_tensor(mask, bool), loss_mask)
        elif loss_mask is not None:
            mask = loss_mask
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def call(self, y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def _losses_and_mask(self, y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array | None]:
        return self.call(y_true, y_pred), None

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def gives_per_sample_values(loss: Any, y_true: Any, y_pred: Any) -> bool:
    """Whether `loss.call` gives values per sample (array-likes with shapes stand in for the
    batch), as opposed to one value already reduced over the batch, such as a user loss
    returning `sum(loss * mask) / sum(mask)`: only per-sample values let padding rows be
    weighted out of a batch."""
    call = getattr(loss, "call", None)
    if call is None:
        return True
    spec = lambda a: jax.ShapeDtypeStruct(tuple(a.shape), a.dtype)  # noqa: E731
    try:
        values = jax.eval_shape(call, spec(y_true), spec(y_pred))
    except Exception:  # noqa: BLE001 - the first real step reports a failing loss
        return True
    return all(len(value.shape) > 0 for value in jax.tree_util.tree_leaves(values))


def serialize_function(fn: Callable) -> dict:
    """Keras 3's config for a plain function: looked up by name when loading."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": getattr(fn, "__name__", repr(fn)),
        "registered_name": "function",
    }


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Ranks of y_true and y_pred are matched first (so (n,) labels work with (n, 1)
    predictions), as in Keras.
    """

    def __init__(
        self,
        fn: Callable,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs,
    ):
        if not callable(fn):
            raise TypeError(
                f"Invalid value for argument `fn`. Expected a callable. Received: fn={fn!r}"
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def _losses_and_mask(self, y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array | None]:
        if isinstance(y_true, jax.Array) and isinstance(y_pred, jax.Array):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return call_with_mask(self.fn, y_true, y_pred, **self._fn_kwargs)

    def call(self, y_true: Any, y_pred: Any) -> jax.Array:
        return self._losses_and_mask(_tensor(y_true), _tensor(y_pred))[0]

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize_function(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "LossFunctionWrapper":
        config = dict(config)
        if "fn" in config:
            # The losses namespace is declared after this class, in `serialization`.
            config["fn"] = namespace("keras.losses").resolve_function(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        fn_name = getattr(self.fn, "__name__", self.fn)
        return f"<LossFunctionWrapper({fn_name}, kwargs={self._fn_kwargs})>"
