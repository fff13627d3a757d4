"""RemoteMonitor posts each epoch's logs to a local HTTP server started here."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import layerwise


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()
    httpd.server_close()


def _fit(callback):
    rng = np.random.default_rng(0)
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    return model.fit(rng.random((32, 3)), rng.random((32, 1)), epochs=2, verbose=0,
                     callbacks=[callback])


@pytest.mark.parametrize("send_as_json", [True, False])
def test_posts_the_epoch_logs(server, send_as_json):
    root, received = server
    history = _fit(layerwise.callbacks.RemoteMonitor(root=root, path="/epoch",
                                                     send_as_json=send_as_json,
                                                     headers={"X-Run": "1"}))
    assert [path for path, _, _ in received] == ["/epoch", "/epoch"]
    for epoch, (_, content_type, body) in enumerate(received):
        if send_as_json:
            assert content_type == "application/json"
            payload = json.loads(body)
        else:
            assert content_type == "application/x-www-form-urlencoded"
            payload = json.loads(urllib.parse.parse_qs(body)["data"][0])
        assert payload == {"epoch": epoch, "loss": history.history["loss"][epoch],
                           "mae": history.history["mae"][epoch]}


def test_an_unreachable_server_is_a_warning():
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        _fit(layerwise.callbacks.RemoteMonitor(root="http://127.0.0.1:9", timeout=2))
