"""`keras.dtype_policies`: the compute and variable dtypes of layers (mixed precision)."""
from layerwise.dtype_policies.dtype_policy import (DTypePolicy, FloatDTypePolicy, dtype_policy,
                                                   set_dtype_policy)
from layerwise.dtype_policies.dtype_policy_map import DTypePolicyMap
from layerwise.dtype_policies.serialization import deserialize, get, serialize

__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "deserialize", "get",
           "serialize"]
