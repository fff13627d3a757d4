"""Numeric categorical preprocessing: Discretization (bucketize floats) and
CategoryEncoding (integer ids to one-hot, multi-hot or count vectors)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.layer import Layer
from layerwise.layers.arguments import choose, positive_int
from layerwise.layers.preprocessing import quantiles
from layerwise.layers.preprocessing.adapt_data import batches_of


def encode_categories(ids: jax.Array, num_tokens: int, output_mode: str,
                      count_weights: Any = None, dtype: str = "float32") -> jax.Array:
    """One-hot (per id), or multi-hot / count over the last axis of `ids`."""
    if output_mode == "int":
        return ids
    if output_mode == "one_hot":
        # A trailing axis of size 1 is the category axis itself, as in Keras.
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        return jax.nn.one_hot(ids, num_tokens, dtype=dtype)
    squeeze = ids.ndim == 1
    if squeeze:
        ids = ids[None, :]
        if count_weights is not None:
            count_weights = jnp.asarray(count_weights)[None, :]
    one_hot = jax.nn.one_hot(ids, num_tokens, dtype=dtype)
    if output_mode == "multi_hot":
        encoded = jnp.max(one_hot, axis=-2)
    else:
        if count_weights is not None:
            one_hot = one_hot * jnp.asarray(count_weights, dtype)[..., None]
        encoded = jnp.sum(one_hot, axis=-2)
    return encoded[0] if squeeze else encoded


class CategoryEncoding(Layer):
    """Turns integer ids below `num_tokens` into one-hot, multi-hot or count vectors."""

    input_dtype = "int32"

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        owner = f"CategoryEncoding '{self.name}'"
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not "
                "known beforehand, use the IntegerLookup layer instead.")
        self.num_tokens = positive_int(num_tokens, "num_tokens", owner)
        self.output_mode = choose(output_mode, ("one_hot", "multi_hot", "count"),
                                  "output_mode", owner)
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported by layerwise (JAX "
                             "has no sparse tensors in this API). Received: sparse=True")
        self.sparse = False
        self.built = True

    def call(self, inputs: jax.Array, count_weights: Any = None) -> jax.Array:
        return encode_categories(inputs, self.num_tokens, self.output_mode, count_weights,
                                 self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        if self.output_mode == "one_hot" and not (len(shape) > 1 and shape[-1] == 1):
            return shape + (self.num_tokens,)
        if len(shape) <= 1:
            return (self.num_tokens,)
        return shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}


class Discretization(Layer):
    """Maps each value to the index of the bucket it falls in; bucket edges are given
    (`bin_boundaries`) or learned by `adapt` as `num_bins` quantiles."""

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 dtype: Any = None, name: str | None = None, **kwargs: Any):
        output_mode = choose(output_mode, ("int", "one_hot", "multi_hot", "count"),
                             "output_mode", "Discretization")
        super().__init__(dtype=dtype, name=name, **kwargs)
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                "`num_bins` must be greater than or equal to 0. Received: "
                f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            if len(bin_boundaries) != num_bins - 1:
                raise ValueError(
                    "Both `num_bins` and `bin_boundaries` should not be set. Received: "
                    f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if sparse:
            raise ValueError("Discretization: `sparse=True` is not supported by layerwise. "
                             "Received: sparse=True")
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.built = True

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Sets `bin_boundaries` to approximate `num_bins`-quantiles of `data` (an array
        or an iterable of batches), with Keras's sketch and so Keras's boundaries."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        summary = quantiles.empty_summary()
        for index, batch in enumerate(batches_of(data)):
            if steps is not None and index >= steps:
                break
            batch_summary = quantiles.summarize(np.asarray(batch, "float32"), self.epsilon)
            summary = quantiles.merge(batch_summary, summary, self.epsilon)
        self.bin_boundaries = quantiles.bin_boundaries(summary, self.num_bins)

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can "
                             "start using the `Discretization` layer.")
        boundaries = jnp.asarray(self.bin_boundaries, inputs.dtype)
        ids = jnp.searchsorted(boundaries, inputs, side="right").astype("int32")
        if self.output_mode == "int":
            return ids
        return encode_categories(ids, len(self.bin_boundaries) + 1, self.output_mode,
                                 dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_mode == "int":
            return input_shape
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        shape = tuple(input_shape)
        if self.output_mode == "one_hot" and not (len(shape) > 1 and shape[-1] == 1):
            return shape + (depth,)
        return shape[:-1] + (depth,)

    def get_config(self) -> dict[str, Any]:
        # Keras writes this layer's config flat: no `trainable`, the dtype as a plain name.
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}
