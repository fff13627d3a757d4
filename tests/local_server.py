"""A file server on 127.0.0.1 for download tests: serves a folder, and under `/drop/`
announces the full length but closes the connection halfway."""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from typing import Iterator


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/drop/"):
            path = os.path.join(self.directory, self.path[len("/drop/"):])
            with open(path, "rb") as file:
                body = file.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@contextlib.contextmanager
def serve(folder: str) -> Iterator[str]:
    """Serves `folder`; yields the base URL (no trailing slash). Stops on exit."""
    handler = functools.partial(_Handler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
