"""RemoteMonitor: post each epoch's logs to a server as JSON."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any

import numpy as np

from layerwise.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """At each epoch's end, POST `{"epoch": epoch, **logs}` to `root + path`.

    With `send_as_json=True` the body is that JSON object; otherwise it is a form with
    one field, `field`, holding the JSON text (Keras's default). Uses the standard
    library (Keras uses `requests`); an unreachable server is a warning, not an error.
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None,
                 send_as_json: bool = False, timeout: float = 10.0):
        super().__init__()
        self.root, self.path, self.field = root, path, field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None):
        payload: dict[str, Any] = {"epoch": epoch}
        for name, value in (logs or {}).items():
            payload[name] = value.item() if isinstance(value, (np.ndarray, np.generic)) \
                else value
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
