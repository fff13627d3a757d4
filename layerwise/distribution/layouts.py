"""Meshes of devices, and the layouts of tensors over them.

A `DeviceMesh` arranges devices in a named grid; a `TensorLayout` says, per tensor
axis, which mesh axis (if any) splits it; a `LayoutMap` gives layouts to variables by
their paths. Each becomes JAX's own object (`jax.sharding.Mesh`, `NamedSharding`), and
XLA does the rest: nothing here moves data between devices by hand.
"""
from __future__ import annotations

import collections.abc
import re
from typing import Any, Iterator, Sequence

import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from layerwise.distribution.devices import find_device, list_devices


class DeviceMesh:
    """Devices arranged in a grid of `shape` whose axes are named `axis_names`.

    Args:
        shape: the grid's size along each axis; its product is the number of devices.
        axis_names: one name per axis, e.g. ["batch", "model"].
        devices: device names ("cpu:0") or JAX devices; default: every device.
    """

    def __init__(self, shape: Sequence[int], axis_names: Sequence[str],
                 devices: Sequence[Any] | None = None):
        if not shape or not axis_names:
            raise ValueError(f"Shape and axis_names cannot be empty. Received: shape={shape}, "
                             f"axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(f"Shape and axis_names should have same size. Received: "
                             f"shape={shape}, axis_names={axis_names}")
        devices = np.array(list_devices() if devices is None else devices)
        if int(np.prod(shape)) != devices.size:
            raise ValueError(f"Shape does not match the number of devices. Received: "
                             f"shape={shape}; devices.shape={devices.shape}")
        self._shape = tuple(shape)
        self._axis_names = list(axis_names)
        self._devices = devices.reshape(self._shape)
        self._backend_mesh: Mesh | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def axis_names(self) -> list[str]:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    @property
    def backend_mesh(self) -> Mesh:
        """The same grid as a `jax.sharding.Mesh` (made once)."""
        if self._backend_mesh is None:
            grid = np.vectorize(find_device, otypes=[object])(self._devices)
            self._backend_mesh = Mesh(grid, tuple(self._axis_names))
        return self._backend_mesh

    def axis_size(self, axis_name: str) -> int:
        return self._shape[self._axis_names.index(axis_name)]

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self._shape}, axis_names={self._axis_names}>"


class TensorLayout:
    """How a tensor is laid out on a mesh: per tensor axis, a mesh axis name or None.

    None replicates the tensor along that axis; a name splits it over that mesh axis.
    The mesh may be given later (a `LayoutMap` gives its own).
    """

    def __init__(self, axes: Sequence[str | None], device_mesh: DeviceMesh | None = None):
        self._axes = tuple(axes)
        self._device_mesh = None
        if device_mesh is not None:
            self.device_mesh = device_mesh

    @property
    def axes(self) -> tuple[str | None, ...]:
        return self._axes

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh: DeviceMesh) -> None:
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(f"TensorLayout: `device_mesh` must be a DeviceMesh. Received: "
                            f"device_mesh={device_mesh!r}")
        unknown = {axis for axis in self._axes if axis is not None} - set(
            device_mesh.axis_names)
        if unknown:
            raise ValueError(f"Invalid axis names for Layout. Valid axis names: "
                             f"{set(device_mesh.axis_names)}, Got {unknown}")
        self._device_mesh = device_mesh

    @property
    def backend_layout(self) -> NamedSharding:
        """The layout as a `jax.sharding.NamedSharding`."""
        if self._device_mesh is None:
            raise ValueError(f"Cannot create sharding when device mesh is not set for "
                             f"TensorLayout axes={self._axes}.")
        return NamedSharding(self._device_mesh.backend_mesh, PartitionSpec(*self._axes))

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self._axes}, device_mesh={self._device_mesh}>"


class LayoutMap(collections.abc.MutableMapping):
    """Layouts for variables, keyed by regular expressions over variable paths.

    A path is looked up as Keras 3.15 looks it up: an exact key first; otherwise every
    key is tried as a pattern that must match the whole path (`re.fullmatch`). No match
    gives None; more than one is an error. Values may be given as axes tuples: they
    become `TensorLayout`s on this map's mesh.
    """

    def __init__(self, device_mesh: DeviceMesh):
        self._layouts: dict[str, TensorLayout] = {}
        self._device_mesh = device_mesh

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    def __getitem__(self, key: str) -> TensorLayout | None:
        if key in self._layouts:
            return self._layouts[key]
        matches = [pattern for pattern in self._layouts if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple layout specification keys: {matches}. Please "
                f"make sure each tensor/variable path only matches at most one layout "
                f"specification key in the LayoutMap.")
        return self._layouts[matches[0]] if matches else None

    def __setitem__(self, key: str, layout: Any) -> None:
        if key in self._layouts:
            raise ValueError(
                f"{key} already exist in the LayoutMap with value {self._layouts[key]}. "
                f"Please make sure to not use duplicated keys.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got {type(layout)}")
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key: str) -> None:
        del self._layouts[key]

    def __len__(self) -> int:
        return len(self._layouts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layouts)
