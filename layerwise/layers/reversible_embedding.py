"""ReversibleEmbedding: an Embedding that can also map vectors back to vocabulary logits.

`layer(ids)` looks up embeddings; `layer(vectors, reverse=True)` multiplies by the
transposed embedding matrix (or by a separate `reverse_embeddings` matrix when
`tie_weights=False`), the usual output layer of a language model.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine.variables import to_device
from layerwise.layers.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """Embedding with a reverse (vectors -> logits) direction.

    Args:
        tie_weights: reuse the embeddings (transposed) for the reverse direction.
        reverse_dtype: the dtype the reverse product is computed in (None: the weights').
        logit_soft_cap: if set, logits become `cap * tanh(logits / cap)`.
    """

    def __init__(self, input_dim: int, output_dim: int, tie_weights: bool = True,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False,
                 reverse_dtype: Any = None, logit_soft_cap: float | None = None,
                 **kwargs: Any):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None

    def build(self, input_shape: Any = None) -> None:
        super().build(input_shape)
        if not self.tie_weights and self.reverse_embeddings is None:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings", shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                constraint=self.embeddings_constraint)

    def _convert_input(self, value: Any) -> Any:
        # Vectors for the reverse direction stay floats; ids become int32 in `call`.
        array = value if isinstance(value, jax.Array) else np.asarray(value)
        if jnp.issubdtype(array.dtype, jnp.floating):
            return to_device(array).astype("float32")
        return super()._convert_input(value)

    def call(self, inputs: jax.Array, reverse: bool = False) -> jax.Array:
        if not reverse:
            return super().call(inputs.astype("int32"))
        kernel = self.embeddings.value.T if self.tie_weights else self.reverse_embeddings.value
        if self.reverse_dtype is not None:
            inputs, kernel = inputs.astype(self.reverse_dtype), kernel.astype(self.reverse_dtype)
        logits = jnp.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = jnp.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_output_shape(self, input_shape: tuple, reverse: bool = False) -> tuple:
        if reverse:
            return (*input_shape[:-1], self.input_dim)
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
