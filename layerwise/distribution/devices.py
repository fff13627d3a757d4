"""The devices of this process and of the whole cluster, and joining a cluster.

Devices are named as Keras names them, "<platform>:<id>" ("cpu:0", "gpu:3"); the ids
are JAX's global ids, so after `initialize` the list covers every process's devices.
"""
from __future__ import annotations

import os
import sys
import threading

import jax

# Seconds a process waits for every peer of the cluster before it gives up.
DEFAULT_INITIALIZATION_TIMEOUT = 300


def list_devices(device_type: str | None = None) -> list[str]:
    """The names of all devices of `device_type` ("cpu", "gpu", "tpu"; default: JAX's)."""
    return [device_name(device) for device in _devices(device_type)]


def get_device_count(device_type: str | None = None) -> int:
    """How many devices of `device_type` the cluster has (all processes together)."""
    return len(_devices(device_type))


def device_name(device: jax.Device) -> str:
    return f"{device.platform}:{device.id}"


def find_device(name: str) -> jax.Device:
    """The JAX device named "<platform>:<id>" (a JAX device is returned as it is)."""
    if isinstance(name, jax.Device):
        return name
    platform, _, number = str(name).partition(":")
    for device in _devices(platform.lower() or None):
        if str(device.id) == number:
            return device
    raise ValueError(f"Unknown device {name!r}. Expected one of: {list_devices()}")


def _devices(device_type: str | None) -> list[jax.Device]:
    if device_type is None:
        return jax.devices()
    return jax.devices(device_type.lower())


def initialize(job_addresses: str | None = None, num_processes: int | None = None,
               process_id: int | None = None,
               initialization_timeout: int = DEFAULT_INITIALIZATION_TIMEOUT) -> None:
    """Join a cluster of `num_processes` processes; process 0 hosts the coordinator.

    Args:
        job_addresses: "host:port" of each process, comma separated; only the first
            (the coordinator's) is used. Defaults to $KERAS_DISTRIBUTION_JOB_ADDRESSES.
        num_processes: defaults to $KERAS_DISTRIBUTION_NUM_PROCESSES.
        process_id: 0 .. num_processes - 1; defaults to $KERAS_DISTRIBUTION_PROCESS_ID.
        initialization_timeout: seconds to wait for every peer (not a Keras argument).

    The coordinator listens on the coordinator's address only, not on every interface.
    If a peer has not joined after `initialization_timeout` seconds, the process prints
    which coordinator it waited on and exits with status 1: JAX's own timeout aborts the
    process from native code, which no Python `except` can catch.
    """
    job_addresses = job_addresses or os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    num_processes = _integer_setting(num_processes, "num_processes",
                                     "KERAS_DISTRIBUTION_NUM_PROCESSES")
    process_id = _integer_setting(process_id, "process_id", "KERAS_DISTRIBUTION_PROCESS_ID")
    addresses = [address.strip() for address in (job_addresses or "").split(",")
                 if address.strip()]
    if len(addresses) > 1 and num_processes is not None and num_processes != len(addresses):
        raise ValueError(
            f"initialize: `job_addresses` names {len(addresses)} jobs but num_processes is "
            f"{num_processes}. Received: job_addresses={job_addresses!r}, "
            f"num_processes={num_processes}")
    coordinator = addresses[0] if addresses else None
    if coordinator is not None:
        # CPU devices of different processes talk through gloo; without it, programs
        # spanning processes fail to compile. (GPUs and TPUs do not use this setting;
        # asking JAX for the backend here would start it, too early to join a cluster.)
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    watchdog = _Watchdog(coordinator, initialization_timeout)
    try:
        jax.distributed.initialize(
            coordinator_address=coordinator, num_processes=num_processes,
            process_id=process_id, coordinator_bind_address=coordinator,
            # JAX's own deadline comes later, so the watchdog's message is what shows.
            initialization_timeout=int(initialization_timeout) + 30)
    finally:
        watchdog.cancel()


def _integer_setting(value, argument: str, variable: str) -> int | None:
    if value is None and os.environ.get(variable):
        value = os.environ[variable]
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"initialize: invalid value for argument `{argument}`. Expected an "
                         f"integer. Received: {argument}={value!r}") from None


class _Watchdog:
    """Ends the process with a readable message if joining the cluster takes too long.

    JAX waits for the peers inside native code holding no Python frame we could interrupt;
    a timer thread still runs meanwhile, so it reports and exits.
    """

    def __init__(self, coordinator: str | None, timeout: float):
        self._timer = threading.Timer(float(timeout), self._fire, (coordinator, timeout))
        self._timer.daemon = True
        self._timer.start()

    @staticmethod
    def _fire(coordinator: str | None, timeout: float) -> None:
        sys.stderr.write(
            f"layerwise.distribution.initialize: not every process joined the cluster "
            f"coordinated at {coordinator} within {timeout} seconds "
            f"(initialization_timeout); exiting.\n")
        sys.stderr.flush()
        os._exit(1)

    def cancel(self) -> None:
        self._timer.cancel()
