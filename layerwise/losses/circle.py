"""The Circle loss for metric learning (Sun et al., 2020): pulls same-label embeddings
together and pushes other labels apart, each pair weighted by how far it is from its
optimum."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

from layerwise.losses.reduction import _tensor

__all__ = ["circle", "circle_and_mask"]


def _pair_masks(labels: jax.Array, ref_labels: jax.Array,
                remove_diagonal: bool) -> tuple[jax.Array, jax.Array]:
    """Same-label pairs (the positives, self-pairs left out when asked) and the rest."""
    same = jnp.reshape(labels, (-1, 1)) == jnp.reshape(ref_labels, (1, -1))
    negative = ~same
    if remove_diagonal:
        same = same & ~jnp.eye(same.shape[0], same.shape[1], dtype=bool)
    return same, negative


def circle_and_mask(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> tuple[jax.Array, jax.Array]:
    """The per-sample Circle loss and the mask of samples with a positive loss (Keras
    attaches that mask, so a `Loss` averages over those samples only)."""
    y_pred = _tensor(y_pred)
    labels = jnp.asarray(y_true).astype("int32")
    ref_embeddings = y_pred if ref_embeddings is None else _tensor(ref_embeddings)
    ref_labels = labels if ref_labels is None else jnp.asarray(ref_labels).astype("int32")
    distances = jnp.maximum(1 - y_pred @ ref_embeddings.T, 0.0)
    positive, negative = _pair_masks(labels, ref_labels, remove_diagonal)
    positive_float = positive.astype(distances.dtype)
    negative_float = negative.astype(distances.dtype)
    # Optimum distances are `margin` (same label) and `1 + margin` (other labels); the
    # decision margins are `margin` and `1 - margin`.
    positive_weights = jnp.maximum((margin + distances) * positive_float, 0.0)
    negative_weights = jnp.maximum((1 + margin - distances) * negative_float, 0.0)
    positive_terms = -1 * gamma * positive_weights * (margin - distances)
    negative_terms = gamma * negative_weights * ((1 - margin) - distances)
    positive_loss = logsumexp(jnp.where(positive, positive_terms, -jnp.inf), axis=1)
    negative_loss = logsumexp(jnp.where(negative, negative_terms, -jnp.inf), axis=1)
    losses = jax.nn.softplus(positive_loss + negative_loss)
    return losses, losses > 0


def circle(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> jax.Array:
    """Circle loss per sample.

    Args:
        y_true: integer labels, shape (batch,).
        y_pred: L2-normalized embeddings, shape (batch, dim).
        ref_labels, ref_embeddings: the pairs' other side (y_true and y_pred by default).
        remove_diagonal: leave each sample's pair with itself out of the positives.
        gamma: scale of the loss; margin: relaxation of the optima.
    """
    return circle_and_mask(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal,
                           gamma, margin)[0]
