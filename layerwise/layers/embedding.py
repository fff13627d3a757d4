"""Embedding: maps integer ids to rows of a trainable (input_dim, output_dim) matrix."""
from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from layerwise import constraints, initializers, regularizers
from layerwise.engine.layer import Layer
from layerwise.layers.arguments import positive_int

__all__ = ["Embedding"]


class Embedding(Layer):
    """Looks up `embeddings[ids]`; outputs have shape `ids.shape + (output_dim,)`.

    Args:
        input_dim: vocabulary size (ids are in [0, input_dim)).
        output_dim: size of each embedding vector.
        embeddings_initializer: "uniform" by default, i.e. RandomUniform(-0.05, 0.05).
        mask_zero: id 0 is padding: the output's mask hides those steps from mask-aware
            layers (pooling, merges) and from the losses and metrics.
        weights: an initial (input_dim, output_dim) matrix (a Keras 2 idiom).
    """

    # Inputs are converted to int32 ids before `call`.
    input_dtype = "int32"

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, weights: Any = None, lora_rank: int | None = None,
                 lora_alpha: Any = None, quantization_config: Any = None, **kwargs: Any):
        input_dim = positive_int(input_dim, "input_dim", "Embedding")
        output_dim = positive_int(output_dim, "output_dim", "Embedding")
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.")
        super().__init__(**kwargs)
        # As Keras: rows are gathered from the stored table, then cast to the compute dtype.
        self.autocast = False
        if lora_rank:
            raise NotImplementedError(f"Embedding '{self.name}': `lora_rank` is not supported "
                                      "yet.")
        if quantization_config is not None:
            raise NotImplementedError(f"Embedding '{self.name}': `quantization_config` is not "
                                      "supported yet.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None
        if weights is not None:
            self.build_for_shape(None)
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape: Any = None) -> None:
        if self.embeddings is not None:
            return
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)

    def call(self, inputs: jax.Array) -> jax.Array:
        # jnp.take, as Keras-JAX: out-of-range ids give NaN rows rather than an error.
        if not jnp.issubdtype(inputs.dtype, jnp.integer):
            inputs = inputs.astype(jnp.int32)
        outputs = jnp.take(self.embeddings.value, inputs, axis=0)
        return outputs if outputs.dtype == self.compute_dtype else \
            outputs.astype(self.compute_dtype)

    def compute_mask(self, inputs: jax.Array, previous_mask: Any = None) -> jax.Array | None:
        return jnp.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
