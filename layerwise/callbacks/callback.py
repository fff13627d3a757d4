"""The Callback base class, the list that dispatches to callbacks, History and ProgbarLogger."""
from __future__ import annotations

from typing import Any, Iterable

from layerwise.utils.progbar import Progbar

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin",
                "on_batch_end", "on_test_batch_begin", "on_test_batch_end",
                "on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class: override the hooks you need. `self.model` and `self.params` are set by fit."""

    def __init__(self):
        self.model = None
        self.params: dict[str, Any] = {}
        self.validation_data = None

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    def wants_batch_hooks(self) -> bool:
        """Whether this callback overrides a per-batch hook (which forces per-step host work)."""
        return any(getattr(type(self), hook) is not getattr(Callback, hook)
                   for hook in _BATCH_HOOKS)


class History(Callback):
    """Records the logs of every epoch: `history.history["loss"]`, `history.epoch`."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints progress: a live bar per epoch (verbose=1) or one line per epoch (verbose=2)."""

    def __init__(self, verbose: int = 1):
        super().__init__()
        self.verbose = verbose
        self.progbar: Progbar | None = None
        self.epochs = 1

    def wants_batch_hooks(self) -> bool:
        return False  # the engine calls it at its own refresh points

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs", 1)

    def on_epoch_begin(self, epoch, logs=None):
        if self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)
        self.progbar = Progbar(self.params.get("steps") or 0, verbose=self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        if self.progbar is not None and self.verbose == 1:
            self.progbar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.progbar is not None:
            if not self.progbar.target:  # a pass of unknown length has now been counted
                self.progbar.target = self.params.get("steps") or 0
            self.progbar.update(self.progbar.target, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if not self.model or not getattr(self.model, "_in_fit", False):
            self.progbar = Progbar(self.params.get("steps") or 0, verbose=self.verbose)

    def on_test_end(self, logs=None):
        if self.progbar is not None and not getattr(self.model, "_in_fit", False):
            self.progbar.update(self.progbar.target, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self.progbar = Progbar(self.params.get("steps") or 0, verbose=self.verbose)

    def on_predict_end(self, logs=None):
        if self.progbar is not None:
            self.progbar.update(self.progbar.target, None, finalize=True)


class CallbackList:
    """Dispatches each hook to every callback, in order."""

    def __init__(self, callbacks: Iterable[Callback] | None = None, *, model: Any = None,
                 add_history: bool = False, add_progbar: bool = False, verbose: int = 1,
                 params: dict | None = None):
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    "`callbacks` must be a list of keras.callbacks.Callback instances. "
                    f"Received an object of type {type(callback).__name__}: {callback!r}"
                )
        self.history: History | None = None
        if add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger(verbose))
        for callback in self.callbacks:
            if model is not None:
                callback.set_model(model)
            if params is not None:
                callback.set_params(params)

    def wants_batch_hooks(self) -> bool:
        return any(callback.wants_batch_hooks() for callback in self.callbacks)

    def __getattr__(self, hook: str):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        # Like Keras, every hook gets a logs dict, `{}` when there is nothing to report:
        # user callbacks written `def on_train_begin(self, logs)` rely on it.
        takes_index = "epoch" in hook or "batch" in hook

        def dispatch(*args, **kwargs):
            if len(args) + len(kwargs) < (2 if takes_index else 1):
                args = args + ({},)
            for callback in self.callbacks:
                getattr(callback, hook)(*args, **kwargs)

        return dispatch

    def __iter__(self):
        return iter(self.callbacks)
