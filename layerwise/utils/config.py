"""Config: a dict whose entries are also attributes, that can be frozen against changes."""
from __future__ import annotations

import json
from typing import Any, Iterator

FROZEN_MESSAGE = "Cannot mutate attribute(s) because the config is frozen."


class Config:
    """Named settings read as `config.name` or `config["name"]`; `freeze()` makes every
    later change raise a ValueError."""

    def __init__(self, **kwargs: Any):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        object.__setattr__(self, "_frozen", False)

    def _refuse_if_frozen(self) -> None:
        if self._frozen:
            raise ValueError(FROZEN_MESSAGE)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_config", "_frozen"):
            raise AttributeError(name)
        try:
            return self._config[name]
        except KeyError:
            raise AttributeError(f"Unknown attribute: '{name}'.") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._refuse_if_frozen()
        self._config[name] = value

    def __getitem__(self, key: str) -> Any:
        return self._config[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._refuse_if_frozen()
        self._config[key] = value

    def __delitem__(self, key: str) -> None:
        self._refuse_if_frozen()
        del self._config[key]

    def __contains__(self, key: Any) -> bool:
        return key in self._config

    def __len__(self) -> int:
        return len(self._config)

    def __iter__(self) -> Iterator[str]:
        return iter(self._config)

    def __repr__(self) -> str:
        return f"<Config {self._config}>"

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)

    def pop(self, *args: Any) -> Any:
        self._refuse_if_frozen()
        return self._config.pop(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_frozen()
        self._config.update(*args, **kwargs)

    def keys(self) -> Any:
        return self._config.keys()

    def values(self) -> Any:
        return self._config.values()

    def items(self) -> Any:
        return self._config.items()

    def as_dict(self) -> dict:
        return dict(self._config)

    def to_json(self) -> str:
        return json.dumps(self._config)
