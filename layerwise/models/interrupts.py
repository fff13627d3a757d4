"""Keep Ctrl-C from landing between a compiled call that consumed the weights and the
moment its results are stored back.

The compiled epoch donates the weights it is given (their buffers are reused for the
new ones, halving memory). A KeyboardInterrupt arriving after that call but before the
new arrays reach the model's Variables would leave the model holding deleted arrays:
every later `get_weights`, `save` or `fit` would fail, and all training would be lost.
Inside `interrupts_deferred()` a SIGINT is only noted; it is raised when the block ends,
when the model again holds a complete, consistent state.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back SIGINT for the duration of the block, then deliver it."""
    # Signals reach Python's main thread only; elsewhere there is nothing to hold back.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[Any] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            _deliver(previous, received[0])


def _deliver(handler: Any, frame: Any) -> None:
    if callable(handler):
        handler(signal.SIGINT, frame)
    elif handler == signal.SIG_DFL:
        raise KeyboardInterrupt
