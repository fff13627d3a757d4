"""Learning-rate schedules: pure functions of the training step, as in `keras.optimizers.schedules`.

A schedule is called with the optimizer's iteration count (an int32 scalar, possibly a
traced value inside a compiled training step) and returns a float32 learning rate. All
arithmetic happens in float32 with `jax.numpy`, in the same order as Keras, so the values
match Keras's to float32 rounding and the call can run inside `jax.jit` or `lax.scan`.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import jax.numpy as jnp

from layerwise.engine.registry import Namespace, public_dir

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "serialize",
    "deserialize",
]

_MODULE = "keras.optimizers.schedules"


def _float32(value: Any) -> jnp.ndarray:
    return jnp.asarray(value, dtype=jnp.float32)


def _check_positive_steps(argument: str, value: Any) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{argument}` must be > 0. Received: {argument}={value}")


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step)` and `get_config()`."""

    def __call__(self, step: Any) -> jnp.ndarray:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored exponent if staircase)."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> jnp.ndarray:
        exponent = _float32(step) / _float32(self.decay_steps)
        if self.staircase:
            exponent = jnp.floor(exponent)
        return _float32(self.initial_learning_rate) * jnp.power(_float32(self.decay_rate), exponent)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while step <= boundaries[0], `values[i]` while step <= boundaries[i], then `values[-1]`."""

    def __init__(
        self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant"
    ):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> jnp.ndarray:
        step = jnp.asarray(step)
        # Keras casts the boundaries to the step's dtype, so an int step truncates 10.5 to 10.
        boundaries = jnp.asarray(self.boundaries).astype(step.dtype)
        # The number of boundaries strictly below the step is the index of its interval.
        interval = jnp.sum(step > boundaries)
        return _float32(self.values)[interval]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, held at `end` or cycled after."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> jnp.ndarray:
        initial = _float32(self.initial_learning_rate)
        end = _float32(self.end_learning_rate)
        step = _float32(step)
        decay_steps = _float32(self.decay_steps)
        if self.cycle:
            # Stretch the period to the first multiple of decay_steps past the step (1 at step 0).
            multiplier = jnp.where(step == 0, 1.0, jnp.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        # Under jit XLA turns `/ decay_steps` into a multiply by its reciprocal, so 1 - fraction
        # can come out at -1.5e-8 at the end and a fractional power of it is NaN (Keras has
        # that bug); clamping at 0 changes nothing else.
        remaining = jnp.maximum(1 - step / decay_steps, 0.0)
        return (initial - end) * jnp.power(remaining, _float32(self.power)) + end

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored ratio if staircase)."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> jnp.ndarray:
        ratio = _float32(step) / _float32(self.decay_steps)
        if self.staircase:
            ratio = jnp.floor(ratio)
        return _float32(self.initial_learning_rate) / (1 + _float32(self.decay_rate) * ratio)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _cosine_decay(fraction: jnp.ndarray, alpha: float, start_value: jnp.ndarray) -> jnp.ndarray:
    """Half a cosine from `start_value` (fraction 0) down to `alpha * start_value` (fraction 1)."""
    cosine = 0.5 * (1.0 + jnp.cos(_float32(math.pi) * fraction))
    return start_value * ((1 - alpha) * cosine + alpha)


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup to `warmup_target` over `warmup_steps`, then a cosine decay.

    Without a warmup target the cosine starts at `initial_learning_rate`; with one it starts
    at `warmup_target`. Past the end the rate stays at `alpha` times the start.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_positive_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> jnp.ndarray:
        initial = _float32(self.initial_learning_rate)
        decay_steps = _float32(self.decay_steps)
        step = _float32(step)
        if self.warmup_target is None:
            return _cosine_decay(jnp.minimum(step, decay_steps) / decay_steps, self.alpha, initial)
        target = _float32(self.warmup_target)
        warmup_steps = _float32(self.warmup_steps)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        warming = (target - initial) * (step / warmup_steps) + initial
        decaying = _cosine_decay((step - warmup_steps) / decay_steps, self.alpha, target)
        return jnp.where(step < warmup_steps, warming, decaying)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period i lasts `first_decay_steps * t_mul**i`
    steps and starts at `initial_learning_rate * m_mul**i`."""

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_positive_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step: Any) -> jnp.ndarray:
        alpha = _float32(self.alpha)
        t_mul = _float32(self._t_mul)
        fraction = _float32(step) / _float32(self.first_decay_steps)
        if self._t_mul == 1.0:
            restart = jnp.floor(fraction)
            fraction = fraction - restart
        else:
            # Periods grow geometrically: find the restart index from the geometric sum.
            restart = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_mul)) / jnp.log(t_mul))
            steps_before_restart = (1.0 - jnp.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - steps_before_restart) / jnp.power(t_mul, restart)
        peak = jnp.power(_float32(self._m_mul), restart)
        cosine = 0.5 * peak * (1.0 + jnp.cos(_float32(math.pi) * fraction))
        return _float32(self.initial_learning_rate) * ((1 - alpha) * cosine + alpha)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_BUILT_IN = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


_NAMESPACE = Namespace("learning rate schedule", _MODULE, _BUILT_IN, base=LearningRateSchedule,
                       accepts_functions=False, argument="schedule")


def serialize(schedule: LearningRateSchedule) -> dict:
    """Keras 3's dict form: `{"module", "class_name", "config", "registered_name"}`."""
    return _NAMESPACE.serialize(schedule)


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuild a schedule from `serialize`'s dict (or Keras 2's `{"class_name", "config"}`)."""
    return _NAMESPACE.deserialize(config, custom_objects)


__dir__ = public_dir(__all__)
