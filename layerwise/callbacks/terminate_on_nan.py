"""TerminateOnNaN: stop training at the first batch whose loss is NaN or infinite."""
from __future__ import annotations

import math

from layerwise.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite.

    Keras checks the loss in Python after every batch. Here the check runs on the device,
    inside the compiled epoch: the engine sees `halts_on_invalid_loss`, skips every step
    after the first bad one and calls `on_train_batch_end` for that batch only. So the
    callback costs no per-batch host work and stops at the same batch as Keras.

    Args:
        raise_error: if True, raise a RuntimeError (skipping `on_train_end` of every
            callback) instead of setting `model.stop_training`.
    """

    # Read by the training engine: watch the loss on the device, halt at the first bad one.
    halts_on_invalid_loss = True

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def wants_batch_hooks(self) -> bool:
        return False  # the engine calls `on_train_batch_end` itself for the bad batch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True


__all__ = ["TerminateOnNaN"]
