"""GroupQueryAttention: attention whose key/value heads are shared by groups of query heads.

`num_query_heads` query heads, `num_key_value_heads` key and value heads (which must
divide it): each key/value head serves `num_query_heads // num_key_value_heads`
consecutive query heads. Inputs are (batch, steps, features); weights, names and the
`.keras` layout are Keras's.
"""
from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise.engine import naming
from layerwise.layers.activation_layers import Softmax
from layerwise.layers.core import Dropout
from layerwise.layers.einsum_dense import EinsumDense
from layerwise.layers.multi_head_attention import (QueryValueAttention, causal_mask,
                                                   fused_attention)


class GroupQueryAttention(QueryValueAttention):
    """Grouped-query attention (Ainslie et al., 2023).

    Args:
        head_dim: size of each head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key and value heads; divides num_query_heads.
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        seed: seed of the attention dropout.
    """

    # Keras's class is GroupedQueryAttention, exported as GroupQueryAttention: files name
    # the layer after the former.
    weights_file_class_name = "GroupedQueryAttention"

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int,
                 dropout: float = 0.0, use_bias: bool = True, sliding_window: int | None = None,
                 flash_attention: bool | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 use_gate: bool = False, seed: int | None = None, **kwargs: Any):
        if kwargs.get("name") is None:
            kwargs["name"] = naming.unique_name("grouped_query_attention")
        super().__init__(**kwargs)
        for argument, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                                ("num_key_value_heads", num_key_value_heads)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(
                    f"Invalid value for argument `{argument}` of GroupQueryAttention "
                    f"'{self.name}'. Expected a positive integer. Received: {argument}={value!r}")
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                "`num_query_heads` must be divisible by `num_key_value_heads`. Received: "
                f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}")
        for argument, value in (("use_gate", use_gate), ("sliding_window", sliding_window),
                                ("flash_attention", flash_attention)):
            if value:
                raise NotImplementedError(f"GroupQueryAttention '{self.name}': `{argument}` "
                                          "is not supported yet.")
        self.head_dim = int(head_dim)
        self.num_query_heads = int(num_query_heads)
        self.num_key_value_heads = int(num_key_value_heads)
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout = dropout
        self.use_bias = bool(use_bias)
        self._store_sublayer_arguments(kernel_initializer, bias_initializer,
                                       kernel_regularizer, bias_regularizer,
                                       activity_regularizer, kernel_constraint, bias_constraint)
        self.seed = seed

    def _projection(self, equation: str, heads: int, bias_axes: str, name: str) -> EinsumDense:
        return EinsumDense(equation, output_shape=(None, heads, self.head_dim),
                           bias_axes=bias_axes if self.use_bias else None, name=name,
                           **self._sublayer_arguments())

    def build(self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
              ) -> None:
        self._record_shapes(query_shape, value_shape, key_shape)
        key_shape = value_shape if key_shape is None else key_shape
        features = query_shape[-1]
        self._query_dense = self._projection("bqm,muh->bquh", self.num_query_heads, "uh",
                                             "query")
        self._query_dense.build(tuple(query_shape))
        self._key_dense = self._projection("bkm,mvh->bkvh", self.num_key_value_heads, "vh",
                                           "key")
        self._key_dense.build(tuple(key_shape))
        self._value_dense = self._projection("bkm,mvh->bkvh", self.num_key_value_heads, "vh",
                                             "value")
        self._value_dense.build(tuple(value_shape))
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype_policy)
        self._output_dense = EinsumDense("bquh,uhm->bqm", output_shape=(None, features),
                                         bias_axes="m" if self.use_bias else None,
                                         name="attention_output", **self._sublayer_arguments())
        self._output_dense.build(tuple(query_shape[:-1]) + (self.num_query_heads,
                                                            self.head_dim))

    def call(self, query: jax.Array, value: jax.Array, key: jax.Array | None = None,
             attention_mask: Any = None, return_attention_scores: bool = False,
             training: bool | None = None, use_causal_mask: bool = False) -> Any:
        key = value if key is None else key
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask).astype(bool)
        if use_causal_mask:
            causal = causal_mask(query, value)
            attention_mask = causal if attention_mask is None else \
                jnp.logical_and(attention_mask, causal)
        query = self._query_dense(query)
        key = jnp.repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = jnp.repeat(self._value_dense(value), self.num_repeats, axis=2)
        scale = 1.0 / math.sqrt(self.head_dim)
        scores = None
        # Keras-JAX's two routes, as in MultiHeadAttention (they differ on rows with
        # every key masked).
        if self.dropout > 0 or return_attention_scores:
            query = query * jnp.asarray(scale, query.dtype)
            scores = jnp.einsum("bquh,bkuh->buqk", query, key)
            mask = None if attention_mask is None else \
                jnp.expand_dims(attention_mask, -3)
            scores = self._softmax(scores, mask=mask)
            dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 \
                else scores
            output = jnp.einsum("buqk,bkuh->bquh", dropped, value)
        else:
            output = fused_attention(query, key, value, attention_mask, scale)
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None,
                             key_shape: Any = None) -> tuple:
        if value_shape is None and isinstance(query_shape, list):
            query_shape, value_shape, *rest = query_shape
            key_shape = rest[0] if rest else None
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                f"value_shape={value_shape}")
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}")
        return tuple(query_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": False,
            "sliding_window": None,
            "dropout": self.dropout,
            **self._sublayer_config(),
            "seed": self.seed,
        }
