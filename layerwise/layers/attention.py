"""Single-head attention layers without projections: Attention (dot or concat scores) and
AdditiveAttention (Bahdanau-style scores).

Both take `[query, value]` or `[query, value, key]` (key defaults to value), score each
query step against each key step, softmax over the key steps and average the values.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import random
from layerwise.engine.layer import Layer

# Subtracted from the scores of masked-out keys (Keras's value for float32).
_MASKED_SCORE_PENALTY = 1e9


def causal_mask(query_steps: int, key_steps: int) -> jax.Array:
    """(1, query_steps, key_steps): query step i may see key steps j <= i."""
    return (jnp.arange(query_steps)[:, None] >= jnp.arange(key_steps)[None, :])[None]


class _BaseAttention(Layer):
    """Inputs, masks, the softmax over keys, dropout and the output shape."""

    def __init__(self, dropout: float = 0.0, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.dropout = dropout
        self.seed = seed
        # Created at construction, like Keras, so seeded runs draw seeds in the same order.
        self.seed_generator = self.add_seed_generator(seed) if dropout > 0 else None

    def _split(self, inputs: Any) -> tuple:
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' expects a list of 2 or 3 inputs "
                f"[query, value] or [query, value, key]. Received: inputs={inputs!r}")
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        return query, value, key

    def check_input_shape(self, input_shape: Any) -> None:
        self._split(input_shape)

    def scores(self, query: jax.Array, key: jax.Array) -> jax.Array:
        raise NotImplementedError

    def call(self, inputs: Any, mask: Any = None, training: bool | None = False,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        query, value, key = self._split(inputs)
        query_mask, value_mask = (None, None) if mask is None else (mask[0], mask[1])
        scores = self.scores(query, key)
        allowed = None
        if value_mask is not None:
            allowed = jnp.expand_dims(jnp.asarray(value_mask).astype(bool), -2)
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1])
            allowed = causal if allowed is None else jnp.logical_and(allowed, causal)
        if allowed is not None:
            scores = scores - _MASKED_SCORE_PENALTY * jnp.logical_not(allowed).astype(
                scores.dtype)
        weights = jax.nn.softmax(scores, axis=-1)
        used_weights = weights
        if training and self.dropout > 0:
            used_weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        outputs = jnp.matmul(used_weights, value)
        if query_mask is not None:
            outputs = outputs * jnp.expand_dims(jnp.asarray(query_mask), -1).astype(
                outputs.dtype)
        if return_attention_scores:
            return outputs, weights
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        query, value, _ = self._split(input_shape)
        return tuple(query[:-1]) + tuple(value[-1:])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dropout": self.dropout, "seed": self.seed}


class Attention(_BaseAttention):
    """Dot-product attention (Luong-style) or concat scores.

    Args:
        use_scale: learn a scalar that multiplies the scores ("dot") or the sum
            ("concat").
        score_mode: "dot" (`query . key`) or "concat" (`sum(tanh(query + key))`).
        dropout: dropout rate on the attention weights (training only).
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument `score_mode`. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode

    def build(self, input_shape: Any) -> None:
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def scores(self, query: jax.Array, key: jax.Array) -> jax.Array:
        if self.score_mode == "dot":
            scores = jnp.matmul(query, jnp.swapaxes(key, -1, -2))
            if self.scale is not None:
                scores = scores * self.scale.value
            return scores
        pairs = jnp.expand_dims(query, -2) + jnp.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale.value * pairs
        return self.concat_score_weight.value * jnp.sum(jnp.tanh(pairs), axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {**config, "use_scale": self.use_scale, "score_mode": self.score_mode}


class AdditiveAttention(_BaseAttention):
    """Additive (Bahdanau-style) attention: scores `sum(scale * tanh(query + key))`.

    Args:
        use_scale: learn one scale per feature (else the scale is 1).
        dropout: dropout rate on the attention weights (training only).
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any):
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        self.use_scale = bool(use_scale)

    def build(self, input_shape: Any) -> None:
        _, value, _ = self._split(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(value[-1],),
                                         initializer="glorot_uniform")

    def scores(self, query: jax.Array, key: jax.Array) -> jax.Array:
        pairs = jnp.tanh(jnp.expand_dims(query, -2) + jnp.expand_dims(key, -3))
        if self.scale is not None:
            pairs = self.scale.value * pairs
        return jnp.sum(pairs, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale}
