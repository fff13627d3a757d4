"""Activation functions with Keras 3's names, arguments and (JAX backend) numbers.

Each activation is a pure function of a JAX array. Most delegate to `jax.nn`, which is
what Keras-JAX itself computes with, so results agree bit for bit; the few that Keras
composes itself (relu's extra arguments, mish, the shrink family) are written out here
with the same operations in the same order. One deliberate difference: `sparsemax`
uses the correct threshold, where Keras 3.15.1 has a bug (see its docstring).
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import jax
import jax.numpy as jnp

from layerwise.engine.registry import Namespace, get_registered_name, public_dir

__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]


def _as_array(x: Any) -> jax.Array:
    return jnp.asarray(x)


def _as_float_array(x: Any) -> jax.Array:
    # Keras casts integer and boolean inputs of transcendental functions to float32.
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.float32)
    return x


# -- the ReLU family ---------------------------------------------------------------------


def relu(
    x: Any,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> jax.Array:
    """Rectified linear unit: `max(x, 0)` by default.

    Args:
        negative_slope: slope below the threshold (0 gives plain ReLU).
        max_value: the output saturates at this value; None means no upper bound.
        threshold: inputs at or below it are damped (or zeroed).
    """
    x = _as_array(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return jax.nn.leaky_relu(x, negative_slope=negative_slope)
    if threshold != 0:
        # Inputs not above the threshold become 0, before any leaky part is added back.
        output = jnp.where(x > jnp.asarray(threshold, x.dtype), x, 0)
    elif max_value == 6:
        output = jax.nn.relu6(x)
        max_value = None  # relu6 already saturates
    else:
        output = jax.nn.relu(x)
    if max_value is not None:
        zero = jnp.asarray(0.0, output.dtype)
        output = jnp.clip(output, zero, jnp.asarray(max_value, output.dtype))
    if negative_slope != 0.0:
        output = output - negative_slope * jax.nn.relu(-x + threshold)
    return output


def leaky_relu(x: Any, negative_slope: float = 0.2) -> jax.Array:
    """`x` for x >= 0, `negative_slope * x` below."""
    return jax.nn.leaky_relu(_as_array(x), negative_slope=negative_slope)


def relu6(x: Any) -> jax.Array:
    """ReLU capped at 6: `min(max(x, 0), 6)`."""
    return jax.nn.relu6(_as_array(x))


def elu(x: Any, alpha: float = 1.0) -> jax.Array:
    """`x` for x > 0, `alpha * (exp(x) - 1)` below."""
    return jax.nn.elu(_as_float_array(x), alpha=alpha)


def selu(x: Any) -> jax.Array:
    """Scaled ELU with the self-normalizing constants (scale ~1.0507, alpha ~1.6733)."""
    return jax.nn.selu(_as_float_array(x))


def celu(x: Any, alpha: float = 1.0) -> jax.Array:
    """Continuously differentiable ELU: `alpha * (exp(x / alpha) - 1)` for x < 0."""
    return jax.nn.celu(_as_float_array(x), alpha=alpha)


def threshold(x: Any, threshold: float, default_value: float) -> jax.Array:
    """`x` where x > threshold, `default_value` elsewhere."""
    x = _as_array(x)
    return jnp.where(x > threshold, x, default_value)


# -- smooth gates and their relatives -----------------------------------------------------


def sigmoid(x: Any) -> jax.Array:
    """`1 / (1 + exp(-x))`."""
    return jax.nn.sigmoid(_as_float_array(x))


def hard_sigmoid(x: Any) -> jax.Array:
    """Piecewise linear sigmoid: `relu6(x + 3) / 6` (Keras 3's slope 1/6, not Keras 2's 0.2)."""
    return jax.nn.hard_sigmoid(_as_float_array(x))


def sparse_sigmoid(x: Any) -> jax.Array:
    """0 for x <= -1, `(x + 1) / 2` in between, 1 for x >= 1."""
    return jax.nn.sparse_sigmoid(_as_float_array(x))


def log_sigmoid(x: Any) -> jax.Array:
    """`log(sigmoid(x))`, computed stably as `-softplus(-x)`."""
    return jax.nn.log_sigmoid(_as_float_array(x))


def tanh(x: Any) -> jax.Array:
    """Hyperbolic tangent."""
    return jnp.tanh(_as_float_array(x))


def tanh_shrink(x: Any) -> jax.Array:
    """`x - tanh(x)`."""
    x = _as_float_array(x)
    return x - jnp.tanh(x)


def hard_tanh(x: Any) -> jax.Array:
    """`x` clipped to [-1, 1]."""
    return jax.nn.hard_tanh(_as_float_array(x))


def silu(x: Any) -> jax.Array:
    """Swish / SiLU: `x * sigmoid(x)`."""
    return jax.nn.silu(_as_float_array(x))


swish = silu


def hard_silu(x: Any) -> jax.Array:
    """Piecewise approximation of silu: `x * relu6(x + 3) / 6`."""
    return jax.nn.hard_silu(_as_float_array(x))


hard_swish = hard_silu


def gelu(x: Any, approximate: bool = False) -> jax.Array:
    """Gaussian error linear unit.

    Args:
        approximate: False (Keras's default here) gives the exact
            `0.5 * x * (1 + erf(x / sqrt(2)))`; True the tanh approximation.
    """
    return jax.nn.gelu(_as_float_array(x), approximate=approximate)


def mish(x: Any) -> jax.Array:
    """`x * tanh(softplus(x))`."""
    x = _as_float_array(x)
    return x * jnp.tanh(jax.nn.softplus(x))


def glu(x: Any, axis: int = -1) -> jax.Array:
    """Gated linear unit: splits `x` in two halves `a, b` along `axis`, returns `a * sigmoid(b)`."""
    x = _as_float_array(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError(
            "Invalid input for `glu`. Expected the size of axis "
            f"{axis} to be even. Received: x.shape={x.shape}"
        )
    return jax.nn.glu(x, axis=axis)


# -- softplus and friends ------------------------------------------------------------------


def softplus(x: Any) -> jax.Array:
    """`log(exp(x) + 1)`, computed stably."""
    return jax.nn.softplus(_as_float_array(x))


def softsign(x: Any) -> jax.Array:
    """`x / (abs(x) + 1)`."""
    return jax.nn.soft_sign(_as_float_array(x))


def squareplus(x: Any, b: float = 4) -> jax.Array:
    """`(x + sqrt(x**2 + b)) / 2`."""
    return jax.nn.squareplus(_as_float_array(x), b=b)


def sparse_plus(x: Any) -> jax.Array:
    """0 for x <= -1, `(x + 1)**2 / 4` in between, `x` for x >= 1."""
    return jax.nn.sparse_plus(_as_float_array(x))


def exponential(x: Any) -> jax.Array:
    """`exp(x)`."""
    return jnp.exp(_as_float_array(x))


def linear(x: Any) -> Any:
    """The identity: returns `x` unchanged."""
    return x


# -- shrinkage -----------------------------------------------------------------------------


def soft_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """`x - threshold` above the threshold, `x + threshold` below `-threshold`, else 0."""
    x = _as_array(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


def hard_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """`x` where `|x| > threshold`, else 0."""
    x = _as_array(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


# -- normalizing over an axis ----------------------------------------------------------------


def _warn_if_single_entry_axis(x: jax.Array, axis: Any, name: str) -> None:
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(
            f"You are using a {name} over axis {axis} of a tensor of shape {x.shape}. "
            f"This axis has size 1, so the {name} always returns the same value, which is "
            "likely not what you intended. Did you mean to use a sigmoid instead?",
            stacklevel=3,
        )


def softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """`exp(x) / sum(exp(x))` along `axis` (an int or a tuple of ints)."""
    x = _as_float_array(x)
    _warn_if_single_entry_axis(x, axis, "softmax")
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """`x - logsumexp(x)` along `axis`."""
    return jax.nn.log_softmax(_as_float_array(x), axis=axis)


def sparsemax(x: Any, axis: int = -1) -> jax.Array:
    """Euclidean projection of `x` onto the probability simplex along `axis`.

    `sparsemax(x) = max(x - tau, 0)`, with `tau` chosen so that the outputs sum to 1;
    unlike softmax, low entries become exactly 0 (Martins & Astudillo, 2016).

    Keras 3.15.1 computes `tau` from the sum of the *cumulative* sums over the support,
    which is wrong whenever more than one entry is non-zero (keras-team/keras#23425,
    fixed upstream by #23469); we follow the fixed formula, so the two agree only when
    the output is one-hot.
    """
    logits = _as_float_array(x)
    sorted_descending = -jnp.sort(-logits, axis=axis)
    cumulative = jnp.cumsum(sorted_descending, axis=axis)
    ranks_shape = [1] * logits.ndim
    ranks_shape[axis] = -1
    ranks = jnp.arange(1, logits.shape[axis] + 1).reshape(ranks_shape)
    # An entry of the sorted vector stays in the support while it exceeds the running
    # threshold (cumsum - 1) / rank; the support is a prefix of the sorted order.
    in_support = sorted_descending - (cumulative - 1) / ranks > 0
    support_size = jnp.sum(in_support, axis=axis, keepdims=True)
    support_total = jnp.sum(jnp.where(in_support, sorted_descending, 0.0), axis=axis, keepdims=True)
    tau = (support_total - 1) / support_size
    return jnp.maximum(logits - tau, 0.0)


# -- lookup and serialization ------------------------------------------------------------------

# Keras's canonical name for each activation; serialize() returns these.
_BY_NAME: dict[str, Callable] = {
    function.__name__: function
    for function in (
        relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
        soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
        sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink,
        linear, mish, log_softmax, log_sigmoid, sparsemax,
    )
}
# Aliases accepted by get(); they serialize under the canonical name.
_ALIASES: dict[str, Callable] = {"swish": silu, "hard_swish": hard_silu}


# Keras's module for activations is the namespace itself; activations are functions only.
_NAMESPACE = Namespace("activation function", "keras.activations", {**_BY_NAME, **_ALIASES},
                       default=linear, argument="activation")


def serialize(activation: Callable) -> str:
    """The name under which an activation is saved in configs, e.g. "relu".

    Built-in activations give Keras's canonical name ("swish" gives "silu"); a function
    registered with `register_keras_serializable` gives its "package>name"; any other
    function its `__name__`, to be resolved through `custom_objects` when loading.
    """
    for name, function in _BY_NAME.items():
        if activation is function:
            return name
    if not callable(activation) or getattr(activation, "__name__", None) is None:
        raise TypeError(
            "Invalid type for argument `activation`. Expected a function. "
            f"Received: activation={activation!r} (of type {type(activation).__name__})"
        )
    return get_registered_name(activation)


def deserialize(config: str | dict, custom_objects: dict[str, Any] | None = None) -> Callable:
    """The activation named by `config`: a name or a Keras serialized dict.

    Args:
        config: "relu", or `{"class_name": "function", "config": "relu", ...}` as Keras 3
            writes it (`{"class_name": "relu"}` from older files is accepted too).
        custom_objects: extra name -> function mappings for user activations.
    """
    return _NAMESPACE.deserialize(config, custom_objects)


def get(identifier: str | dict | Callable | None) -> Callable:
    """Resolves an activation identifier: None -> linear, a built-in name or a config ->
    the function, a callable -> itself."""
    return _NAMESPACE.get(identifier)


__dir__ = public_dir(__all__)
