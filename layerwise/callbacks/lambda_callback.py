"""LambdaCallback: a callback assembled from plain functions, one per hook."""
from __future__ import annotations

import difflib
import warnings
from typing import Any, Callable

from layerwise.callbacks.callback import _BATCH_HOOKS, Callback

# How Keras calls each hook, which is what the user's function expects.
_LOGS_ONLY_HOOKS = ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                    "on_predict_begin", "on_predict_end")
_EPOCH_HOOKS = ("on_epoch_begin", "on_epoch_end")
_HOOKS = _LOGS_ONLY_HOOKS + _EPOCH_HOOKS + _BATCH_HOOKS


def _adapt(hook: str, function: Callable) -> Callable:
    """Call `function` with Keras's arguments for `hook`, whatever the engine passed.

    Keras always hands a dict of logs (never None): `on_train_begin(logs)`,
    `on_epoch_end(epoch, logs)`, `on_train_batch_end(batch, logs=logs)`.
    """
    if hook in _LOGS_ONLY_HOOKS:
        def call(logs=None):
            return function(logs if logs is not None else {})
    elif hook in _EPOCH_HOOKS:
        def call(epoch, logs=None):
            return function(epoch, logs if logs is not None else {})
    else:
        def call(batch, logs=None):
            return function(batch, logs=logs if logs is not None else {})
    call.__wrapped__ = function
    return call


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given.

    Only the hooks given run; in particular, per-batch host work is requested only when
    a per-batch hook (e.g. `on_train_batch_end`) is given.

    Args:
        on_epoch_begin, on_epoch_end: functions of (epoch, logs).
        on_train_begin, on_train_end: functions of (logs).
        on_train_batch_begin, on_train_batch_end: functions of (batch, logs).
        **kwargs: any other hook of `Callback` by name, e.g. `on_test_end=...`.
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None, **kwargs: Any):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        given.update(kwargs)
        self._given_hooks: set[str] = set()
        for name, function in given.items():
            if name not in _HOOKS:
                # Keras stores unknown keyword arguments as plain attributes; a name that
                # looks like a hook is almost surely a typo, so say so.
                close = difflib.get_close_matches(name, _HOOKS, n=3)
                warnings.warn(
                    f"LambdaCallback: `{name}` is not a callback hook, so it will never be "
                    f"called. Valid hooks are {list(_HOOKS)}."
                    + (f" Did you mean one of {close}?" if close else ""), stacklevel=2)
                setattr(self, name, function)
                continue
            if function is None:
                continue
            if not callable(function):
                raise TypeError(
                    f"Invalid value for argument `{name}`. Expected a function. "
                    f"Received: {name}={function!r}")
            setattr(self, name, _adapt(name, function))
            self._given_hooks.add(name)

    def wants_batch_hooks(self) -> bool:
        # The hooks live on the instance, so the base class's check of the type misses them.
        return any(hook in self._given_hooks for hook in _BATCH_HOOKS)


__all__ = ["LambdaCallback"]
