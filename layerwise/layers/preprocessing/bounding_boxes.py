"""MaxNumBoundingBoxes: a fixed number of bounding boxes per image, for batching."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from layerwise.layers.preprocessing.image_augmentation import RandomImageLayer


def pad_or_truncate(values: jax.Array, count: int, fill_value: int) -> jax.Array:
    """The first `count` entries along axis 1, padded with `fill_value` to `count`."""
    values = values[:, :count]
    widths = [(0, 0)] * values.ndim
    widths[1] = (0, count - values.shape[1])
    return jnp.pad(values, widths, constant_values=fill_value)


class MaxNumBoundingBoxes(RandomImageLayer):
    """Pads (with `fill_value`) or truncates the `boxes` and `labels` of a
    `{"images", "bounding_boxes"}` input to `max_number` per image; images pass through."""

    draws = False

    def __init__(self, max_number: int, fill_value: int = -1, **kwargs: Any):
        self.bounding_box_format = kwargs.pop("bounding_box_format", None)
        super().__init__(None, kwargs.pop("data_format", None), **kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not isinstance(inputs, dict):
            return inputs
        if "bounding_boxes" not in inputs:
            return dict(inputs)
        if self.bounding_box_format is None:
            raise ValueError(
                "You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                "bounding box format. Pass a `bounding_box_format` argument to your "
                "MaxNumBoundingBoxes layer, e.g. `bounding_box_format='xyxy'`.")
        boxes = dict(inputs["bounding_boxes"])
        extra = set(boxes) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"There are unsupported keys in `bounding_boxes`: {sorted(extra)}. "
                           "Only `boxes` and `labels` are supported.")
        single = jnp.ndim(boxes["boxes"]) == 2
        for key in ("boxes", "labels"):
            values = boxes[key][None] if single else boxes[key]
            values = pad_or_truncate(values, self.max_number, self.fill_value)
            boxes[key] = values[0] if single else values
        return {**inputs, "bounding_boxes": boxes}

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not (isinstance(input_shape, dict) and "bounding_boxes" in input_shape):
            return input_shape
        boxes = dict(input_shape["bounding_boxes"])
        extra = set(boxes) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"There are unsupported keys in `bounding_boxes`: {sorted(extra)}. "
                           "Only `boxes` and `labels` are supported.")
        for key in ("boxes", "labels"):
            shape = list(boxes[key])
            shape[1] = self.max_number
            boxes[key] = shape
        return {**input_shape, "bounding_boxes": boxes}

    def get_config(self) -> dict[str, Any]:
        # Keras 3.15 leaves fill_value out, so a rebuilt layer pads with -1.
        config = super().get_config()
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return {**config, "max_number": self.max_number}
