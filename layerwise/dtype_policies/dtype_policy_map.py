"""`DTypePolicyMap`: policies looked up by layer path, exactly or by regular expression."""
from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any, Iterator

from layerwise.dtype_policies.dtype_policy import DTypePolicy, dtype_policy
from layerwise.dtype_policies.serialization import POLICY_CLASSES, deserialize, get, serialize

__all__ = ["DTypePolicyMap"]


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """A dict from layer paths (or regular expressions over them) to `DTypePolicy`s.

    A layer given one as `dtype=` computes with the policy of its own `path`, or with
    `default_policy` when no key matches.

    Args:
        default_policy: the policy of paths no key matches; None follows the global one.
        policy_map: initial `{path or pattern: policy}` entries.
    """

    def __init__(self, default_policy: Any = None, policy_map: dict | None = None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError("If specified, `policy_map` must be a dict. Received: "
                            f"policy_map={policy_map} of type {type(policy_map)}")
        self._default_policy_arg = default_policy
        self._default_policy = get(default_policy)
        self._policy_map: dict[str, DTypePolicy] = dict(policy_map or {})
        self._quantization_mode = None

    @property
    def default_policy(self) -> DTypePolicy:
        return get(self._default_policy) if self._default_policy_arg is not None \
            else dtype_policy()

    @property
    def name(self) -> str:
        return f"map_{self.default_policy.name}"

    @property
    def compute_dtype(self) -> str:
        return self.default_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self.default_policy.variable_dtype

    @property
    def quantization_mode(self) -> str | None:
        return self.default_policy.quantization_mode

    def __getitem__(self, key: str) -> DTypePolicy:
        """The policy of `key`: an exact key first, then the one pattern that fully matches."""
        if key in self._policy_map:
            return self._policy_map[key]
        matching = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple dtype policy specification keys: {matching}. "
                "Please make sure each path only matches at most one dtype policy "
                "specification key in the DTypePolicyMap.")
        if matching:
            return self._policy_map[matching[0]]
        return self.default_policy

    def __setitem__(self, key: str, policy: Any) -> None:
        if key in self._policy_map:
            raise ValueError(
                f"{key} already exist in the DTypePolicyMap with value "
                f"{self._policy_map[key]}. Please make sure to not use duplicated keys.")
        try:
            policy = get(policy)
        except Exception:
            raise ValueError("Cannot interpret the assigned value by "
                             f"`keras.dtype_policies.get`. Received: {policy} of type "
                             f"{type(policy)}") from None
        self._policy_map[key] = policy

    def __delitem__(self, key: str) -> DTypePolicy:
        return self._policy_map.pop(key)

    def __contains__(self, key: object) -> bool:
        return key in self._policy_map

    def __len__(self) -> int:
        return len(self._policy_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._policy_map)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, DTypePolicyMap) and self.name == other.name

    __hash__ = DTypePolicy.__hash__

    def get_config(self) -> dict[str, Any]:
        # Without a default policy Keras writes the entries' names as None, so that on
        # loading they follow the global policy of the time (it also clears the names on
        # the objects themselves; here only the config says None).
        policy_map = {}
        for key, policy in self._policy_map.items():
            config = serialize(policy)
            if self._default_policy_arg is None:
                config = {**config, "config": {**config["config"], "name": None}}
            policy_map[key] = config
        return {"default_policy": self._default_policy_arg, "policy_map": policy_map}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None
                    ) -> "DTypePolicyMap":
        policy_map = {key: deserialize(value) for key, value in
                      (config.get("policy_map") or {}).items()}
        return cls(default_policy=config.get("default_policy"), policy_map=policy_map)

    def __repr__(self) -> str:
        default = self._default_policy.name if self._default_policy is not None else None
        mapping = [(key, policy.name) for key, policy in self._policy_map.items()]
        return (f"<DTypePolicyMap at {hex(id(self))} default_policy={default}, "
                f"mapping={mapping}>")


POLICY_CLASSES["DTypePolicyMap"] = DTypePolicyMap
