"""MultiHeadAttention: scaled dot-product attention over several heads, with Keras's layout.

The query, key and value are projected per head by `EinsumDense` sublayers named "query",
"key", "value"; the heads' results are projected back by "attention_output". Attention
may run over several axes (`attention_axes`), so its einsum equations are built from the
inputs' ranks. The weights, their order, and the `.keras` layout are Keras's, so files
interchange.
"""
from __future__ import annotations

import math
import string
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import constraints, initializers, regularizers
from layerwise.engine.keras_tensor import any_symbolic
from layerwise.engine.layer import Layer
from layerwise.layers.activation_layers import Softmax
from layerwise.layers.core import Dropout
from layerwise.layers.einsum_dense import EinsumDense

_LETTERS = string.ascii_lowercase


def projection_equation(free_axes: int, bound_axes: int, output_axes: int) -> tuple[str, str]:
    """The einsum of a projection that keeps `free_axes` leading axes, contracts the next
    `bound_axes` with the kernel and appends `output_axes` new ones; and its bias letters."""
    free = _LETTERS[:free_axes]
    bound = _LETTERS[free_axes:free_axes + bound_axes]
    new = _LETTERS[free_axes + bound_axes:free_axes + bound_axes + output_axes]
    return f"{free}{bound},{bound}{new}->{free}{new}", new


def attention_equations(rank: int, attention_axes: tuple) -> tuple[str, str, int]:
    """The einsums for the scores (key, query -> scores) and for combining them with the
    value (scores, value -> output), for projected tensors of `rank` axes
    (batch, ..., heads, features); and the number of leading axes of the scores that are
    not attended over.

    The scores' axes are the query's axes that are neither attended over nor features
    (batch first, heads last among them), then the query's attended axes, then the key's.
    """
    target = _LETTERS[:rank]
    source = list(target)
    fresh = iter(_LETTERS[rank:])
    for axis in attention_axes:
        source[axis] = next(fresh)
    source = "".join(source)
    kept = [axis for axis in range(rank - 1) if axis not in attention_axes]
    scores = "".join(target[axis] for axis in kept) + \
        "".join(target[axis] for axis in attention_axes) + \
        "".join(source[axis] for axis in attention_axes)
    return f"{source},{target}->{scores}", f"{scores},{source}->{target}", len(kept)


def fused_attention(query: jax.Array, key: jax.Array, value: jax.Array, mask: Any,
                    scale: float) -> jax.Array:
    """Attention of (batch, target, heads, features) queries on (batch, source, heads, ...)
    keys and values; `mask` (batch or 1, target, source) is True where allowed. A row with
    no allowed key averages all values, as jax.nn.dot_product_attention does."""
    logits = jnp.einsum("btnh,bsnh->bnts", query, key) * jnp.asarray(scale, query.dtype)
    if mask is not None:
        forbidden = jnp.asarray(-0.7 * jnp.finfo(logits.dtype).max, logits.dtype)
        logits = jnp.where(jnp.expand_dims(mask.astype(bool), -3), logits, forbidden)
    probabilities = jax.nn.softmax(logits, axis=-1)
    return jnp.einsum("bnts,bsnh->btnh", probabilities, value)


def causal_mask(query: jax.Array, value: jax.Array) -> jax.Array:
    """(1, target, source): position i may attend to positions j <= i."""
    target, source = query.shape[1], value.shape[1]
    return (jnp.arange(target)[:, None] >= jnp.arange(source)[None, :])[None]


def _shape_of(value: Any) -> tuple:
    return tuple(value.shape)


def _batchless(shape: tuple) -> tuple:
    return (None,) + tuple(shape[1:])


class QueryValueAttention(Layer):
    """What attention layers called as `layer(query, value, key=None, ...)` share: they
    build from the three shapes, and save them as Keras does."""

    _shapes: dict[str, Any] | None = None

    def _record_shapes(self, query_shape: tuple, value_shape: tuple,
                       key_shape: tuple | None) -> None:
        self._shapes = {"query_shape": tuple(query_shape), "value_shape": tuple(value_shape)}
        if key_shape is not None:
            self._shapes["key_shape"] = tuple(key_shape)

    def _store_sublayer_arguments(self, kernel_initializer: Any, bias_initializer: Any,
                                  kernel_regularizer: Any, bias_regularizer: Any,
                                  activity_regularizer: Any, kernel_constraint: Any,
                                  bias_constraint: Any) -> None:
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.sublayer_activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _sublayer_arguments(self) -> dict[str, Any]:
        # Each projection gets its own copy of the initializers: an unseeded copy draws a
        # fresh seed, so the projections do not start equal (and seeds are drawn in
        # Keras's order).
        return dict(
            kernel_initializer=type(self.kernel_initializer).from_config(
                self.kernel_initializer.get_config()),
            bias_initializer=type(self.bias_initializer).from_config(
                self.bias_initializer.get_config()),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self.sublayer_activity_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
            dtype=self.dtype_policy)

    def _sublayer_config(self) -> dict[str, Any]:
        return {
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.sublayer_activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }

    def get_build_config(self) -> dict[str, Any] | None:
        if self._shapes is None:
            return None
        return {"shapes_dict": {key: list(shape) for key, shape in self._shapes.items()}}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if config and "shapes_dict" in config and not self.built:
            self.build(**{key: tuple(shape) for key, shape in config["shapes_dict"].items()})

    # -- calling -------------------------------------------------------------------------
    def __call__(self, query: Any, value: Any, key: Any = None, **kwargs: Any) -> Any:
        if not self.built:
            self.build(_batchless(_shape_of(query)), _batchless(_shape_of(value)),
                       None if key is None else _batchless(_shape_of(key)))
        if key is not None:
            kwargs["key"] = key
        if any_symbolic(query):
            return super().__call__(query, value, **kwargs)
        value = self._convert_input(value)
        if key is not None:
            kwargs["key"] = self._convert_input(key)
        return super().__call__(query, value, **kwargs)

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None,
                             key_shape: Any = None) -> tuple:
        if value_shape is None and isinstance(query_shape, list):
            query_shape = query_shape[0]
        return tuple(query_shape)


class MultiHeadAttention(QueryValueAttention):
    """Attention of `num_heads` heads from a query sequence to a key/value sequence.

    Args:
        num_heads: the number of heads.
        key_dim: size of each head's query and key projections.
        value_dim: size of each head's value projection (default `key_dim`).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: the last axes of the output (default: the query's last axis).
        attention_axes: the axes attended over (default: all but batch and features).
        seed: seed of the attention dropout.

    Call arguments:
        query: (batch, target..., query_features); value: (batch, source...,
        value_features); key: like value (default: value); attention_mask: boolean
        (batch, target..., source...), True where attention is allowed;
        return_attention_scores: also return the (batch, heads, target, source) scores;
        use_causal_mask: forbid attending to later positions.
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, flash_attention: bool | None = None,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, seed: int | None = None, use_gate: bool = False,
                 sliding_window: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        for argument, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(
                    f"Received an invalid value for argument `{argument}`, expected a positive "
                    f"integer. Received: {argument}={value!r}")
        if use_gate:
            raise NotImplementedError(f"MultiHeadAttention '{self.name}': `use_gate=True` "
                                      "is not supported yet.")
        if sliding_window is not None:
            raise NotImplementedError(f"MultiHeadAttention '{self.name}': `sliding_window` "
                                      "is not supported yet.")
        if flash_attention:
            raise NotImplementedError(f"MultiHeadAttention '{self.name}': "
                                      "`flash_attention=True` is not supported.")
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout = dropout
        self.use_bias = bool(use_bias)
        if output_shape is None or isinstance(output_shape, (list, tuple)):
            self.output_shape = None if output_shape is None else tuple(output_shape)
        else:
            self.output_shape = (int(output_shape),)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes!r}")
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self._store_sublayer_arguments(kernel_initializer, bias_initializer,
                                       kernel_regularizer, bias_regularizer,
                                       activity_regularizer, kernel_constraint, bias_constraint)
        self.seed = seed

    # -- construction --------------------------------------------------------------------
    def _projection(self, input_shape: tuple, heads_size: int, name: str) -> EinsumDense:
        free_axes = len(input_shape) - 1
        equation, bias_letters = projection_equation(free_axes, 1, 2)
        return EinsumDense(equation, output_shape=(None,) * (free_axes - 1)
                           + (self.num_heads, heads_size),
                           bias_axes=bias_letters if self.use_bias else None, name=name,
                           **self._sublayer_arguments())

    def build(self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
              ) -> None:
        self._record_shapes(query_shape, value_shape, key_shape)
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        query_rank = len(query_shape)
        self.query_dense = self._projection(query_shape, self.key_dim, "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._projection(key_shape, self.key_dim, "key")
        self.key_dense.build(key_shape)
        self.value_dense = self._projection(value_shape, self.value_dim, "value")
        self.value_dense.build(value_shape)

        projected_rank = query_rank + 1
        if self.attention_axes is None:
            self.attention_axes = tuple(range(1, projected_rank - 2))
        else:
            self.attention_axes = tuple(axis if axis >= 0 else query_rank + axis
                                        for axis in self.attention_axes)
        self._dot_product_equation, self._combine_equation, kept = attention_equations(
            projected_rank, self.attention_axes)
        scores_rank = kept + 2 * len(self.attention_axes)
        self._softmax = Softmax(axis=tuple(range(scores_rank - len(self.attention_axes),
                                                 scores_rank)), dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype_policy)

        output_shape = self.output_shape or (query_shape[-1],)
        free_axes = query_rank - 1
        equation, bias_letters = projection_equation(free_axes, 2, len(output_shape))
        self.output_dense = EinsumDense(
            equation, output_shape=(None,) * (free_axes - 1) + tuple(output_shape),
            bias_axes=bias_letters if self.use_bias else None, name="attention_output",
            **self._sublayer_arguments())
        self.output_dense.build(query_shape[:-1] + (self.num_heads, self.value_dim))

    def call(self, query: jax.Array, value: jax.Array, key: jax.Array | None = None,
             attention_mask: Any = None, return_attention_scores: bool = False,
             training: bool | None = None, use_causal_mask: bool = False) -> Any:
        key = value if key is None else key
        if attention_mask is not None:
            attention_mask = jnp.asarray(attention_mask)
        causal_only = use_causal_mask and attention_mask is None
        if use_causal_mask and not causal_only:
            attention_mask = jnp.logical_and(attention_mask.astype(bool),
                                             causal_mask(query, value))
        query = self.query_dense(query)
        key = self.key_dense(key)
        value = self.value_dense(value)
        output, scores = self._attend(query, key, value, attention_mask, training,
                                      return_attention_scores, causal_only)
        output = self.output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def _attend(self, query: jax.Array, key: jax.Array, value: jax.Array, mask: Any,
                training: Any, return_scores: bool, causal_only: bool) -> tuple:
        # Keras-JAX hands the common case (one attended axis, no dropout, no scores) to a
        # fused dot-product attention; it differs on rows with every key masked (they
        # average all values instead of giving zeros), so we take the same two routes.
        fused = not (self.dropout > 0 or return_scores or query.ndim != 4)
        if fused:
            if causal_only:
                mask = causal_mask(query, value)
            return fused_attention(query, key, value, mask, 1.0 / math.sqrt(self.key_dim)), \
                None
        if causal_only:
            mask = causal_mask(query, value)
        query = query * jnp.asarray(1.0 / math.sqrt(self.key_dim), query.dtype)
        scores = jnp.einsum(self._dot_product_equation, key, query)
        if mask is not None:
            expansion_axis = -2 * len(self.attention_axes) - 1
            for _ in range(scores.ndim - mask.ndim):
                mask = jnp.expand_dims(mask, expansion_axis)
        scores = self._softmax(scores, mask=mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 \
            else scores
        return jnp.einsum(self._combine_equation, dropped, value), scores

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None,
                             key_shape: Any = None) -> tuple:
        if value_shape is None and isinstance(query_shape, list):
            query_shape = query_shape[0]
        query_shape = tuple(query_shape)
        if self.output_shape:
            return query_shape[:-1] + tuple(self.output_shape)
        return query_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": False,
            "output_shape": self.output_shape,
            "attention_axes": self.attention_axes,
            "sliding_window": None,
            **self._sublayer_config(),
            "seed": self.seed,
        }
