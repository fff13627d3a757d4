"""SpectralNormalization: a wrapper that divides a layer's kernel by its largest singular
value, estimated by power iteration during training (Miyato et al., 2018)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise import initializers
from layerwise.engine.layer import Layer
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object

# Keras's lower bound on a norm in `normalize` (its backend epsilon).
_EPSILON = 1e-7


def _unit(x: jax.Array) -> jax.Array:
    """`x` scaled to unit L2 norm over all its entries (a zero `x` stays zero)."""
    return x * jnp.minimum(jax.lax.rsqrt(jnp.sum(jnp.square(x))), 1.0 / _EPSILON)


def spectral_normalized(kernel: jax.Array, vector_u: jax.Array, power_iterations: int
                        ) -> tuple[jax.Array, jax.Array]:
    """(new estimate of the top left-singular vector, kernel / top singular value), the
    kernel seen as a (-1, last axis) matrix."""
    matrix = jnp.reshape(kernel, (-1, kernel.shape[-1]))
    for _ in range(power_iterations):
        vector_v = _unit(jnp.matmul(vector_u, matrix.T))
        vector_u = _unit(jnp.matmul(vector_v, matrix))
    vector_u = jax.lax.stop_gradient(vector_u)
    vector_v = jax.lax.stop_gradient(vector_v)
    sigma = jnp.matmul(jnp.matmul(vector_v, matrix), vector_u.T)
    return vector_u, jnp.reshape(kernel / sigma, kernel.shape)


class SpectralNormalization(Layer):
    """Wraps a layer with a `kernel` (or `embeddings`) and keeps its spectral norm at 1.

    Args:
        layer: the wrapped layer.
        power_iterations: power-iteration steps per training call.
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer "
                             "type. Please ensure wrapped layer is a valid Keras layer.")
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.layer = layer
        self.power_iterations = power_iterations

    def build(self, input_shape: Any) -> None:
        if not self.layer.built:
            self.layer.build_for_shape(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             "nor 'embeddings'")
        # Keras tracks the wrapped kernel as this layer's own weight too: it comes first
        # in `weights` and in this layer's saved variables.
        self.kernel = kernel
        self._trainable_variables.append(kernel)
        self.vector_u = self.add_weight(
            name="vector_u", shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
            dtype=kernel.dtype)

    def call(self, inputs: jax.Array, training: bool | None = False) -> jax.Array:
        if training:
            kernel, vector_u = self.kernel.value, self.vector_u.value
            new_vector_u, new_kernel = jax.lax.cond(
                jnp.all(kernel == 0), lambda: (vector_u, kernel),
                lambda: spectral_normalized(kernel, vector_u, self.power_iterations))
            self.vector_u.assign(new_vector_u)
            self.kernel.assign(new_kernel)
        return self.layer(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize_keras_object(self.layer),
                "power_iterations": self.power_iterations}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None
                    ) -> "SpectralNormalization":
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects)
        return cls(layer, **config)
