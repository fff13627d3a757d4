"""LossScaleOptimizer: dynamic loss scaling around another optimizer (for float16).

The training step multiplies the loss by the current scale before differentiating, so
small float16 gradients do not flush to zero; this optimizer divides the gradients back
and hands them to the inner optimizer. A step whose gradients are not all finite is
skipped and halves the scale; after `dynamic_growth_steps` finite steps in a row the
scale doubles. The state is Keras's: this optimizer's `iteration`, `learning_rate`
(unused), `step_counter` and `dynamic_scale`, then the inner optimizer's variables.
"""
from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from layerwise.engine.registry import namespace
from layerwise.engine.variables import Variable
from layerwise.optimizers.base import Optimizer

__all__ = ["LossScaleOptimizer"]

# Base-optimizer arguments that older configs wrote for this class; only their defaults
# are accepted (they belong on the inner optimizer).
_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """Scales the loss dynamically to keep float16 gradients from underflowing.

    Args:
        inner_optimizer: the optimizer that applies the unscaled gradients.
        initial_scale: the first loss scale (high: too high falls fast, too low rises
            slowly).
        dynamic_growth_steps: finite steps in a row after which the scale doubles.
        name: the optimizer's name; "loss_scale_optimizer" by default.
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0**15,
                 dynamic_growth_steps: int = 2000, name: str | None = None, **kwargs: Any):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                "`loss_scale_factor` directly on the `inner_optimizer`.")
        for argument, default in _BASE_DEFAULTS.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{argument}`. "
                                 f"Instead, set `{argument}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "Invalid value for argument `inner_optimizer` of LossScaleOptimizer. "
                f"Expected an Optimizer instance. Received: inner_optimizer={inner_optimizer!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The scale replaces the inner optimizer's own; both would unscale twice.
        self.inner_optimizer.loss_scale_factor = None

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        self.step_counter = self.add_variable((), initializer=0, dtype="int32",
                                              name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=float(self.initial_scale),
                                               dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self) -> list[Variable]:
        """This optimizer's variables, then the inner optimizer's (Keras's order)."""
        return self._variables + self.inner_optimizer.variables

    # -- the pure update -----------------------------------------------------------------
    def stateless_apply(self, optimizer_variables: Sequence[jax.Array],
                        grads: Sequence[jax.Array | None],
                        trainable_variables: Sequence[jax.Array]) -> tuple[list, list]:
        """One step: unscale and apply finite gradients, or skip and halve the scale."""
        if not self.built:
            raise ValueError(
                "To call `stateless_apply`, LossScaleOptimizer must be built (i.e. its "
                "variables must have been created). You can build it via "
                "`optimizer.build(trainable_variables)`.")
        optimizer_variables = list(optimizer_variables)
        own_count = len(self._variables)
        own, inner = optimizer_variables[:own_count], optimizer_variables[own_count:]
        counter_index = self._variables.index(self.step_counter)
        scale_index = self._variables.index(self.dynamic_scale)
        counter, scale = own[counter_index], own[scale_index]
        present = [g for g in grads if g is not None]
        finite = jnp.all(jnp.stack([jnp.all(jnp.isfinite(g)) for g in present]))

        def apply_finite(_):
            unscaled = [None if g is None else g / scale for g in grads]
            new_trainable, new_inner = self.inner_optimizer.stateless_apply(
                inner, unscaled, trainable_variables)
            grow = counter == self.dynamic_growth_steps - 1
            new_counter = jnp.where(grow, 0, counter + 1).astype(counter.dtype)
            new_scale = jnp.where(grow, scale * 2.0, scale).astype(scale.dtype)
            return list(new_trainable), list(new_inner), new_counter, new_scale

        def skip(_):
            return ([jnp.asarray(v) for v in trainable_variables], list(inner),
                    jnp.zeros_like(counter), (scale * 0.5).astype(scale.dtype))

        new_trainable, new_inner, new_counter, new_scale = lax.cond(finite, apply_finite,
                                                                    skip, None)
        new_own = list(own)
        new_own[counter_index], new_own[scale_index] = new_counter, new_scale
        return new_trainable, new_own + new_inner

    def stateless_scale_loss(self, optimizer_variables: Sequence[jax.Array],
                             loss: jax.Array) -> jax.Array:
        """The loss times the current scale (read from the optimizer values, if given)."""
        if optimizer_variables is None:
            return self.scale_loss(loss)
        return loss * optimizer_variables[self._variables.index(self.dynamic_scale)]

    def scale_loss(self, loss: Any) -> Any:
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return loss * scale

    # -- delegated to the inner optimizer ------------------------------------------------
    @property
    def learning_rate(self) -> Any:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> Any:
        return self.inner_optimizer.iterations

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    # -- config --------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        # Only the name of the base arguments: the others belong to the inner optimizer.
        return {"name": self.name, "inner_optimizer": _serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None
                    ) -> "LossScaleOptimizer":
        config = dict(config)
        inner = _deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)


def _serialize(optimizer: Optimizer) -> dict:
    # Through the registry: the optimizers' namespace module imports this class.
    return namespace("keras.optimizers").serialize(optimizer)


def _deserialize(config: Any, custom_objects: dict | None) -> Optimizer:
    if isinstance(config, Optimizer):
        return config
    return namespace("keras.optimizers").deserialize(config, custom_objects)
