"""Augmentation policies built from the other image layers: RandAugment and AugMix.

Both hold one instance of each augmentation layer and make every draw from their own
generator, in Keras-JAX's order, so a seeded policy gives Keras's images.
"""
from __future__ import annotations

import random as python_random
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from layerwise import random
from layerwise.layers.preprocessing.affine_augmentation import (RandomRotation, RandomShear,
                                                                RandomTranslation)
from layerwise.layers.preprocessing.color_augmentation import (AutoContrast, Equalization,
                                                               RandomSharpness)
from layerwise.layers.preprocessing.image_augmentation import (RandomBrightness,
                                                               RandomColorDegeneration,
                                                               RandomContrast,
                                                               RandomImageLayer,
                                                               RandomPosterization,
                                                               Solarization, factor_range)


class ReplayGenerator(random.SeedGenerator):
    """Hands out the keys a generator gave from `state` on, without touching it: a layer
    drawing from it repeats the draws it made then."""

    def __init__(self, state: Any):
        self._start = state
        self._count = 0

    def next(self, ordered: bool = True) -> jax.Array:
        xp = jnp if isinstance(self._start, jax.core.Tracer) else np
        key = xp.asarray(self._start, dtype=xp.uint32) + xp.array([0, self._count],
                                                                 dtype=xp.uint32)
        self._count += 1
        return key


def _augmentations(owner: RandomImageLayer, factor: tuple, value_range: Any,
                   interpolation: str, data_format: str | None,
                   colour_ops: bool = True) -> dict[str, RandomImageLayer]:
    """Keras's named augmentation layers of a policy, all drawing from `owner`'s
    generator; the four plain colour ones only with `colour_ops`."""
    seed = owner.seed
    geometric = dict(interpolation=interpolation, seed=seed, data_format=data_format)
    colour = dict(value_range=value_range, seed=seed, data_format=data_format)
    layers = {
        "random_shear": RandomShear(x_factor=factor, y_factor=factor, **geometric),
        "random_translation": RandomTranslation(height_factor=factor, width_factor=factor,
                                                **geometric),
        "random_rotation": RandomRotation(factor=factor, **geometric),
    }
    if colour_ops:
        layers.update({
            "random_brightness": RandomBrightness(factor=factor, **colour),
            "random_color_degeneration": RandomColorDegeneration(factor=factor, **colour),
            "random_contrast": RandomContrast(factor=factor, **colour),
            "random_sharpness": RandomSharpness(factor=factor, **colour),
        })
    layers.update({
        "random_posterization": RandomPosterization(factor=max(1, int(8 * factor[1])),
                                                    **colour),
        "solarization": Solarization(addition_factor=factor, threshold_factor=factor,
                                     **colour),
        "auto_contrast": AutoContrast(value_range=value_range, data_format=data_format),
        "equalization": Equalization(value_range=value_range, data_format=data_format),
    })
    for layer in layers.values():
        layer.generator = owner.generator
    return layers


class RandAugment(RandomImageLayer):
    """Applies `num_ops` augmentations picked at random per batch from eleven (shear,
    translation, rotation, brightness, colour degeneration, contrast, sharpness,
    posterization, solarization, auto-contrast, equalization), of strength `factor`."""

    # Keras's order, which the draws and the picked indices follow.
    ORDER = ("random_shear", "random_translation", "random_rotation", "random_brightness",
             "random_color_degeneration", "random_contrast", "random_sharpness",
             "random_posterization", "solarization", "auto_contrast", "equalization")

    def __init__(self, value_range: Any = (0, 255), num_ops: int = 2, factor: Any = 0.5,
                 interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self.factor = factor_range(factor, (0, 1), f"RandAugment '{self.name}'")
        self.interpolation = interpolation
        self.augmentations = _augmentations(self, self.factor, value_range, interpolation,
                                            data_format)

    def augment(self, images: jax.Array) -> jax.Array:
        picks = random.randint((self.num_ops,), 0, len(self.ORDER), seed=self.generator)
        # Keras draws every layer's transformation before applying any: note where each
        # layer's draws start, and let it draw once to move the generator past them (the
        # result is unused, and dropped from a compiled program).
        starts = []
        for name in self.ORDER:
            starts.append(self.generator.state.value)
            self.augmentations[name].augment(images)
        images = images.astype(self.dtype)
        for step in range(self.num_ops):
            for index, name in enumerate(self.ORDER):
                layer = self.augmentations[name]
                layer.generator = ReplayGenerator(starts[index])
                images = jnp.where(picks[step] == index, layer.augment(images), images)
                layer.generator = self.generator
        return images.astype(self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}


class AugMix(RandomImageLayer):
    """Mixes the image with a Dirichlet-weighted blend of `num_chains` chains of up to
    `chain_depth` random augmentations, by a Beta(alpha, alpha) weight.

    Which augmentation each chain step applies is picked with Python's `random.choice`,
    as Keras does, so it follows Python's random state (`set_random_seed` sets it) and is
    fixed when the layer is traced into a compiled step.
    """

    def __init__(self, value_range: Any = (0, 255), num_chains: int = 3, chain_depth: int = 3,
                 factor: Any = 0.3, alpha: float = 1.0, all_ops: bool = True,
                 interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(seed, data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.factor = factor_range(factor, (0, 1), f"AugMix '{self.name}'")
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.augmentations = _augmentations(self, self.factor, value_range, interpolation,
                                            data_format, colour_ops=all_ops)

    def augment(self, images: jax.Array) -> jax.Array:
        gamma = random.gamma((self.num_chains,), alpha=self.alpha, seed=self.generator)
        chain_weights = (gamma / jnp.sum(gamma, axis=-1, keepdims=True)).astype(self.dtype)
        keep = random.beta((), self.alpha, self.alpha, seed=self.generator).astype(self.dtype)
        images = images.astype(self.dtype)
        # Keras's list of choices: the geometric and posterize/solarize/contrast ones, the
        # colour ones with all_ops, and None (skip this step).
        choices = list(self._choice_order()) + [None]
        mixed = jnp.zeros_like(images)
        for chain in range(self.num_chains):
            augmented = images
            for _ in range(self.chain_depth):
                name = python_random.choice(choices)
                if name is not None:
                    augmented = self.augmentations[name].augment(augmented)
            mixed = mixed + augmented * chain_weights[chain]
        output = keep * images + (1 - keep) * mixed
        return jnp.clip(output, self.value_range[0], self.value_range[1]).astype(self.dtype)

    def _choice_order(self) -> tuple[str, ...]:
        base = ("random_shear", "random_translation", "random_rotation",
                "random_posterization", "solarization", "auto_contrast", "equalization")
        colour = ("random_brightness", "random_color_degeneration", "random_contrast",
                  "random_sharpness")
        return base + colour if self.all_ops else base

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}
