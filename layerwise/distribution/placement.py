"""Where one compiled model's state and batches live when a distribution is set.

The trainer's programs stay what they are on one device: one compiled program per
epoch. A `Placement` only adds layouts: the weights, optimizer slots and metric states
are put on the mesh before a call and pinned there inside it (`with_sharding_constraint`),
and every batch is pinned split along the data axis. XLA's partitioner then runs each
step on all devices and inserts the gradient reductions itself.

Data is kept whole on every device (replicated); each step cuts its batch from it and
hands each device its rows. With several processes, each process gives its own rows;
they are gathered once per `fit` into one global array, ordered so that global batch i
is every process's local batch i, one after the other, as Keras's global batches are.
"""
from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding, PartitionSpec

from layerwise.distribution.strategies import Distribution


class Placement:
    """The layouts of one model's training state and data under `distribution`.

    Args:
        trainable, non_trainable: the model's variables, in the programs' order.
        optimizer_variables: the optimizer's; a slot follows its variable's layout
            (its `slot_of`), the rest (step count, learning rate) are replicated.
    """

    def __init__(self, distribution: Distribution, trainable: list, non_trainable: list,
                 optimizer_variables: list = ()):
        self.distribution = distribution
        self.mesh = distribution.device_mesh.backend_mesh
        self.replicated = NamedSharding(self.mesh, PartitionSpec())
        self.split = NamedSharding(self.mesh, PartitionSpec(distribution.batch_dim_name))
        self.data_devices = distribution.num_model_replicas
        self.processes = jax.process_count()
        self.trainable = [self._sharding_of(v) for v in trainable]
        self.non_trainable = [self._sharding_of(v) for v in non_trainable]
        self.optimizer = [self._sharding_of(getattr(v, "slot_of", v))
                          for v in optimizer_variables]

    def _sharding_of(self, variable: Any) -> NamedSharding:
        axes = list(self.distribution.get_variable_layout(variable).axes)
        # Without trailing Nones, as JAX writes the programs' output layouts: inputs laid
        # out the same way as the outputs they become keep the program from recompiling.
        while axes and axes[-1] is None:
            axes.pop()
        return NamedSharding(self.mesh, PartitionSpec(*axes))

    # -- outside the programs ------------------------------------------------------------
    def place(self, variables: list, shardings: list) -> None:
        """Move each variable's value to its layout (values already there stay).

        In a cluster, every process takes process 0's values: processes that were not
        seeded alike would otherwise start from different weights.
        """
        for variable, sharding in zip(variables, shardings):
            value = variable._value
            if isinstance(value, jax.Array) and value.sharding.is_equivalent_to(sharding,
                                                                                value.ndim):
                continue
            if self.processes > 1 and (not isinstance(value, jax.Array)
                                       or value.is_fully_addressable):
                value = np.asarray(multihost_utils.broadcast_one_to_all(np.asarray(value)))
            variable._value = _put_global(value, sharding)

    def put_replicated(self, tree: Any) -> Any:
        """Every array of `tree` copied to every device (as the programs' outputs are)."""
        return jax.tree_util.tree_map(lambda value: _put_global(value, self.replicated), tree)

    def put_data(self, arrays: Any, batch_size: int) -> Any:
        """The (x, y, sample_weight) of every process as global arrays on every device.

        `batch_size` is one process's batch; see the module docstring for the order.
        """
        if arrays is None:
            return None
        if self.processes == 1:
            return jax.tree_util.tree_map(lambda a: _put_global(a, self.replicated), arrays)
        gathered = jax.tree_util.tree_map(
            lambda a: np.asarray(multihost_utils.process_allgather(np.asarray(a), tiled=False)),
            arrays)
        local_rows = jax.tree_util.tree_leaves(gathered)[0].shape[1]
        order = _interleaved_rows(self.processes, local_rows, min(batch_size, local_rows))
        return jax.tree_util.tree_map(
            lambda a: _put_global(a.reshape((-1,) + a.shape[2:])[order], self.replicated),
            gathered)

    def all_processes_rows(self, x: Any) -> tuple[Any, slice | None]:
        """Every process's `x` joined in process order, and where this process's rows are
        in it (None with one process: `x` is all the rows)."""
        if self.processes == 1:
            return x, None
        rows = jax.tree_util.tree_leaves(x)[0].shape[0]
        joined = jax.tree_util.tree_map(
            lambda a: np.asarray(multihost_utils.process_allgather(np.asarray(a), tiled=True)),
            x)
        first = jax.process_index() * rows
        return joined, slice(first, first + rows)

    def put_order(self, order: np.ndarray) -> jax.Array:
        """An epoch's row order, the same on every process (process 0's)."""
        if self.processes > 1:
            order = np.asarray(multihost_utils.broadcast_one_to_all(order))
        return _put_global(order, self.replicated)

    def global_batches(self, rows: int, batch_size: int) -> tuple[int, int]:
        """(rows, batch size) of the global data, from one process's."""
        return rows * self.processes, min(batch_size, rows) * self.processes

    def check_batches(self, method: str, rows: int, batch_size: int) -> None:
        """Refuse batches that do not split evenly over the data axis, as Keras does.

        Keras (JAX backend) lays each batch out on the mesh as it comes, and JAX refuses
        a batch whose size the data axis does not divide, the last, partial one included.
        """
        batch_size = min(batch_size, rows)
        sizes = {batch_size} | ({rows % batch_size} if rows % batch_size else set())
        bad = sorted(size for size in sizes if size % self.data_devices)
        if bad:
            raise ValueError(
                f"{method}: every batch must split evenly over the {self.data_devices} "
                f"devices of the data axis '{self.distribution.batch_dim_name}'. Received: "
                f"batch_size={batch_size // self.processes} on {rows // self.processes} "
                f"rows per process, giving batches of {bad} rows. Choose a batch size and "
                f"a number of rows that divide by {self.data_devices}.")

    # -- inside the programs -------------------------------------------------------------
    def pin_state(self, state: Any) -> Any:
        """The training state (a TrainState) pinned to its layouts."""
        return type(state)(
            _pinned(state.trainable, self.trainable),
            _pinned(state.non_trainable, self.non_trainable),
            _pinned(state.optimizer, self.optimizer),
            self.pin_replicated(state.metrics))

    def pin_replicated(self, tree: Any) -> Any:
        return jax.tree_util.tree_map(
            lambda leaf: jax.lax.with_sharding_constraint(leaf, self.replicated), tree)

    def pin_batch(self, tree: Any) -> Any:
        """A batch (any structure of arrays) split along its first axis."""
        return jax.tree_util.tree_map(
            lambda leaf: jax.lax.with_sharding_constraint(leaf, self.split), tree)


def _pinned(values: list, shardings: list) -> list:
    return [jax.lax.with_sharding_constraint(value, sharding)
            for value, sharding in zip(values, shardings)]


def _put_global(value: Any, sharding: NamedSharding) -> jax.Array:
    """`value` laid out as `sharding`, which may span devices of other processes.

    Every process must give the same value (as seeded models and gathered data do);
    each process fills only its own devices.
    """
    if isinstance(value, jax.Array) and value.is_fully_addressable:
        if jax.process_count() == 1:
            return jax.device_put(value, sharding)
        value = np.asarray(value)
    elif isinstance(value, jax.Array):  # already global: let XLA move it
        return jax.jit(lambda a: a, out_shardings=sharding)(value)
    value = np.asarray(value)
    return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])


def _interleaved_rows(processes: int, local_rows: int, batch_size: int) -> np.ndarray:
    """Row order of the gathered data (process-major) in which global batch i is every
    process's batch i in process order; the partial last batches likewise."""
    order = []
    for start in range(0, local_rows, batch_size):
        stop = min(start + batch_size, local_rows)
        for process in range(processes):
            order.append(process * local_rows + np.arange(start, stop))
    return np.concatenate(order)
