"""Distributions: how a model's data and variables are spread over a `DeviceMesh`.

`DataParallel` splits every batch over the devices and copies every variable to each;
`ModelParallel` also splits the variables a `LayoutMap` names. The distribution set
with `set_distribution` (or entered with `scope()`) is the one a model uses when it
compiles its training programs.
"""
from __future__ import annotations

import contextlib
import contextvars
import warnings
from typing import Any, Iterator

import jax
import numpy as np

from layerwise.distribution.devices import list_devices
from layerwise.distribution.layouts import DeviceMesh, LayoutMap, TensorLayout

_global_distribution: "Distribution | None" = None
_scoped_distribution: contextvars.ContextVar = contextvars.ContextVar(
    "layerwise_distribution", default=None)


class Distribution:
    """The base of the distributions: a mesh and the name of its data (batch) axis."""

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str | None = None,
                 auto_shard_dataset: bool = True):
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"{type(self).__name__}: `device_mesh` must be a DeviceMesh. "
                            f"Received: device_mesh={device_mesh!r}")
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name or device_mesh.axis_names[0]
        if self._batch_dim_name not in device_mesh.axis_names:
            raise ValueError(
                f"{type(self).__name__}: invalid value for argument `batch_dim_name`. Expected "
                f"one of the mesh's axis names {device_mesh.axis_names}. Received: "
                f"batch_dim_name={batch_dim_name!r}")
        self._auto_shard_dataset = auto_shard_dataset

    @property
    def auto_shard_dataset(self) -> bool:
        """Keras's switch for splitting tf.data inputs per process; arrays need none."""
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = value

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str:
        return self._batch_dim_name

    @property
    def num_processes(self) -> int:
        return jax.process_count()

    @property
    def data_shard_id(self) -> int:
        """This process's index: which part of the data it feeds."""
        return jax.process_index()

    @property
    def num_model_replicas(self) -> int:
        """How many copies of the model the batch is split over (the data axis's size)."""
        return self._device_mesh.axis_size(self._batch_dim_name)

    def get_data_layout(self, data_shape: tuple) -> TensorLayout:
        """The layout of a batch: split along its first axis over the data axis."""
        axes = [self._batch_dim_name] + [None] * (len(data_shape) - 1)
        return TensorLayout(axes, self._device_mesh)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        raise NotImplementedError

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        raise NotImplementedError

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Make this the current distribution inside the `with` block."""
        token = _scoped_distribution.set(self)
        try:
            yield
        finally:
            _scoped_distribution.reset(token)

    def _replicated(self, variable: Any) -> TensorLayout:
        return TensorLayout([None] * len(variable.shape), self._device_mesh)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"


class DataParallel(Distribution):
    """Each batch split over the devices; every variable copied to every device.

    Args:
        device_mesh: the mesh; its first axis is the data axis. Default: a
            one-axis mesh named "batch" over `devices`.
        devices: device names, default every device. Ignored with a `device_mesh`.
        auto_shard_dataset: kept for Keras's signature (it concerns tf.data inputs).
    """

    def __init__(self, device_mesh: DeviceMesh | None = None, devices: list | None = None,
                 auto_shard_dataset: bool = True):
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        elif not isinstance(device_mesh, DeviceMesh):
            raise ValueError(f"Expect `mesh` to be an instance of `DeviceMesh`. Received: "
                             f"mesh={device_mesh} (of type {type(device_mesh)})")
        elif len(device_mesh.shape) != 1:
            warnings.warn(f"Expect the input mesh to be 1D, but received mesh.devices.ndim="
                          f"{len(device_mesh.shape)}. The first axis will be used for "
                          f"data-parallel sharding.", stacklevel=2)
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        return getattr(variable, "_layout", None) or self._replicated(variable)

    def get_tensor_layout(self, path: str) -> None:
        return None  # data parallelism leaves intermediate tensors where XLA puts them


class ModelParallel(Distribution):
    """Batches split over the data axis; variables laid out by a `LayoutMap`.

    Variables the map does not name are replicated. The mesh is the map's.

    Args:
        layout_map: variable path patterns -> layouts.
        batch_dim_name: the data axis; default the mesh's first axis.
    """

    def __init__(self, *, layout_map: LayoutMap | None = None,
                 batch_dim_name: str | None = None, auto_shard_dataset: bool = True,
                 **kwargs: Any):
        kwargs.pop("device_mesh", None)  # Keras accepts it, and uses the map's mesh
        if kwargs:
            raise TypeError(f"ModelParallel: unexpected arguments {sorted(kwargs)}")
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(f"Invalid value for argument `layout_map`. Expected a LayoutMap. "
                             f"Received: layout_map={layout_map!r}")
        super().__init__(layout_map.device_mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        layout = getattr(variable, "_layout", None) or self._layout_map[variable.path]
        return layout or self._replicated(variable)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return self._layout_map[path]


def set_distribution(value: Distribution | None) -> None:
    """Make `value` the distribution used from now on (None: back to one device)."""
    global _global_distribution
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"set_distribution: expected a Distribution or None. Received: "
                        f"value={value!r}")
    _global_distribution = value


def distribution() -> Distribution | None:
    """The current distribution: the innermost `scope()`'s, else the one set, else None."""
    scoped = _scoped_distribution.get()
    return scoped if scoped is not None else _global_distribution


def distribute_tensor(tensor: Any, layout: TensorLayout | Any) -> jax.Array:
    """`tensor` laid out as `layout` says (a `TensorLayout` or a JAX sharding).

    Inside a traced function this is a sharding constraint for XLA; outside, a copy
    of the tensor to its devices.
    """
    sharding = layout.backend_layout if isinstance(layout, TensorLayout) else layout
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, sharding)
    if isinstance(tensor, jax.Array) and tensor.sharding == sharding:
        return tensor
    return jax.device_put(np.asarray(tensor) if not isinstance(tensor, jax.Array) else tensor,
                          sharding)
