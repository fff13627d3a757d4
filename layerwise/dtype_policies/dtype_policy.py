"""`DTypePolicy`: the dtype a layer computes in and the dtype it keeps its weights in.

A policy is named by a dtype ("float32", "bfloat16", ...), in which case both dtypes are
that one, or by "mixed_float16" / "mixed_bfloat16": compute in the half type, keep the
weights in float32. The global policy is what a layer without `dtype=` gets.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np

from layerwise.backend import floatx

__all__ = ["DTypePolicy", "FloatDTypePolicy", "dtype_policy", "set_dtype_policy",
           "is_float_dtype", "standardize_dtype"]

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
# Keras's quantized policies ("int8_from_float32", ...) start with these modes.
QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")

_global_policy: list["DTypePolicy"] = []


def standardize_dtype(dtype: Any) -> str:
    """A dtype's canonical name ("float32"); raises ValueError for what is not a dtype."""
    if dtype == "string":  # host preprocessing layers' inputs, as in Keras
        return "string"
    try:
        numpy_dtype = jnp.dtype(dtype)
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype!r}") from None
    if numpy_dtype.kind in "USO":  # numpy's str, bytes and object: not tensor dtypes
        raise ValueError(f"Invalid dtype: {dtype!r}")
    name = numpy_dtype.name
    # Names must be canonical: numpy reads "float" as float64, Keras refuses it.
    if isinstance(dtype, str) and dtype != name:
        raise ValueError(f"Invalid dtype: {dtype!r}")
    return name


def is_float_dtype(dtype: Any) -> bool:
    return jnp.issubdtype(jnp.dtype(dtype), jnp.floating)


class DTypePolicy:
    """A layer's compute and variable dtypes, named as Keras names them.

    Args:
        name: a dtype name ("float32", "bfloat16", ...), "mixed_float16" or
            "mixed_bfloat16"; None gives the global policy's name.
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)
        self._quantization_mode = None

    @staticmethod
    def _parse_name(name: Any) -> tuple[str, str]:
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. "
                            f"Received: name={name} (of type {type(name)})")
        if name in _MIXED:
            return _MIXED[name], "float32"
        try:
            dtype = standardize_dtype(name)
        except ValueError:
            raise ValueError(
                f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies "
                "include 'mixed_float16', 'mixed_bfloat16', and the name of any float dtype "
                "such as 'float32'.") from None
        return dtype, dtype

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype of a layer's inputs, computations and outputs."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype a layer's weights are created in (read in `compute_dtype` in calls)."""
        return self._variable_dtype

    @property
    def quantization_mode(self) -> str | None:
        """Always None: quantized policies are not implemented here."""
        return self._quantization_mode

    @property
    def is_mixed(self) -> bool:
        """Whether weights are read in another dtype than they are kept in."""
        return self.compute_dtype != self.variable_dtype

    def convert_input(self, x: Any, autocast: bool, dtype: Any) -> Any:
        """`x` cast to `dtype` when `autocast` and `x` is floating; others unchanged."""
        dtype = standardize_dtype(dtype)
        if not isinstance(x, jnp.ndarray):
            if not hasattr(x, "__array__"):
                return x
            x = np.asarray(x)
            # Host float64 data becomes floatx, as Keras converts it.
            x = jnp.asarray(x, floatx() if x.dtype == np.float64 else None)
        if autocast and is_float_dtype(x.dtype) and jnp.dtype(x.dtype).name != dtype:
            return x.astype(dtype)
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "DTypePolicy":
        return cls(**config)

    def __repr__(self) -> str:
        # FloatDTypePolicy is an alias: Keras shows it as a DTypePolicy.
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other: Any) -> bool:
        # A DTypePolicyMap (a Mapping) equals no plain policy, as in Keras.
        if not isinstance(other, DTypePolicy) or isinstance(other, Mapping):
            return False
        return self._name == other._name

    def __hash__(self) -> int:
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """Keras's other name for a `DTypePolicy` (written as "FloatDTypePolicy" in configs)."""


def set_dtype_policy(policy: Any) -> None:
    """Set the global dtype policy, by name or as a `DTypePolicy`."""
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError(
                "Invalid `policy` argument. Expected the string name of a policy (such as "
                f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} "
                f"(of type {type(policy)})")
        if policy.startswith(QUANTIZATION_MODES):
            reject_quantized(policy)
        policy = DTypePolicy(policy)
    _global_policy[:] = [policy]


def reject_quantized(name: str) -> None:
    """Quantized policy names: a malformed one is a ValueError as in Keras; a well-formed
    one is NotImplementedError (quantization does not exist in layerwise)."""
    if len(name.split("_from_")) != 2:
        raise ValueError(
            "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to "
            f"instantiate `QuantizedDTypePolicy`. Received: policy={name}")
    raise NotImplementedError(
        f"Quantized dtype policies are not implemented in layerwise. Received: {name!r}")


def dtype_policy() -> DTypePolicy:
    """The global dtype policy (float32, the `floatx`, until one is set)."""
    if not _global_policy:
        _global_policy.append(DTypePolicy(floatx()))
    return _global_policy[0]
