"""Intersection-over-union metrics for segmentation: `IoU`, `MeanIoU`, `BinaryIoU`,
`OneHotIoU` and `OneHotMeanIoU`, all from one accumulated confusion matrix."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from layerwise.losses.reduction import EPSILON
from layerwise.metrics.base import Metric, State
from layerwise.metrics.functions import _argmax

__all__ = ["IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]


class IoU(Metric):
    """Mean over `target_class_ids` of `TP / (TP + FP + FN)`, from a confusion matrix.

    Args:
        num_classes: the number of classes (the matrix is num_classes x num_classes).
        target_class_ids: the classes whose IoU is averaged.
        ignore_class: a label left out of the counts (e.g. a "void" class).
        sparse_y_true, sparse_y_pred: False when that side holds per-class scores (its
            argmax along `axis` is the class).
        dtype: the matrix's dtype, "int32" by default as in Keras (so float sample
            weights are truncated; pass dtype="float32" for fractional weights).
    Labels or predictions outside [0, num_classes) are not counted.
    """

    _direction = "up"

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype="int32" if dtype in (None, "int") else dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `target_class_ids`. "
                f"Expected ids in [0, {num_classes}). Received: "
                f"target_class_ids={list(target_class_ids)}")
        self.num_classes = num_classes
        self.target_class_ids = list(target_class_ids)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis

    def initial_state(self) -> State:
        shape = (self.num_classes, self.num_classes)
        return {"total_confusion_matrix": jnp.zeros(shape, self.dtype)}

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        if not self.sparse_y_true:
            y_true = _argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = _argmax(y_pred, axis=self.axis)
        y_true = jnp.reshape(jnp.asarray(y_true).astype(self.dtype), (-1,))
        y_pred = jnp.reshape(jnp.asarray(y_pred).astype(self.dtype), (-1,))
        if sample_weight is None:
            weight = jnp.ones((), self.dtype)
        else:
            sample_weight = jnp.asarray(sample_weight)
            if jnp.issubdtype(sample_weight.dtype, jnp.floating) and \
                    jnp.issubdtype(jnp.dtype(self.dtype), jnp.integer):
                warnings.warn(
                    f"{type(self).__name__}: the sample weights are floats but the metric's "
                    f"dtype is {self.dtype}; they are truncated to integers. Pass integer "
                    "weights, or dtype='float32'.", stacklevel=3)
            weight = jnp.reshape(sample_weight.astype(self.dtype), (-1,))
        weight = jnp.broadcast_to(weight, y_true.shape)
        counted = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & \
            (y_pred < self.num_classes)
        if self.ignore_class is not None:
            counted = counted & (y_true != self.ignore_class)
        rows = jnp.where(counted, y_true, 0).astype("int32")
        columns = jnp.where(counted, y_pred, 0).astype("int32")
        weight = jnp.where(counted, weight, 0).astype(self.dtype)
        matrix = state["total_confusion_matrix"].at[rows, columns].add(weight)
        return {"total_confusion_matrix": matrix}

    def compute(self, state: State) -> jax.Array:
        matrix = state["total_confusion_matrix"]
        predicted = jnp.sum(matrix, axis=0)
        actual = jnp.sum(matrix, axis=1)
        true_positives = jnp.diag(matrix)
        targets = jnp.asarray(self.target_class_ids, "int32")
        union = (predicted + actual - true_positives)[targets].astype("float32")
        true_positives = true_positives[targets].astype("float32")
        # Classes that never occur (an empty union) are left out of the mean.
        valid = union > 1e-9
        iou = jnp.where(valid, true_positives / (union + EPSILON), 0.0)
        return jnp.sum(iou, axis=self.axis) / (jnp.sum(valid.astype("float32")) + EPSILON)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of two classes: a prediction >= `threshold` is class 1, below it class 0."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        y_true = jnp.asarray(y_true).astype(self.dtype)
        y_pred = (jnp.asarray(y_pred).astype("float32") >= self.threshold).astype(self.dtype)
        return super().update(state, y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU with one-hot labels (and, by default, per-class scores as predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (and, by default, per-class scores as predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config
