"""A tiny threaded HTTP server on loopback that answers like the Events API and records every
event_id it receives (the end-to-end syncs' counterpart)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK = b'{"code":0,"message":"OK","request_id":"20240101000000ABCDEF0123456789ABCDEF","data":{}}'


class Sink:
    """Counts every event_id received; signals :attr:`enough` once *enough_after* requests
    arrived; answers each request after *delay_s*."""

    def __init__(self, delay_s: float = 0.0, enough_after: int | None = None) -> None:
        self.delay_s = delay_s
        self.enough_after = enough_after
        self.received: Counter[str] = Counter()
        self.requests = 0
        self.lock = threading.Lock()
        self.enough = threading.Event()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if sink.delay_s:
                    time.sleep(sink.delay_s)
                with sink.lock:
                    sink.received.update(e["event_id"] for e in body["data"])
                    sink.requests += 1
                    if sink.enough_after is not None and sink.requests >= sink.enough_after:
                        sink.enough.set()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(OK)))
                self.end_headers()
                self.wfile.write(OK)

            def log_message(self, *args: Any) -> None:
                return None

        return Handler


@contextmanager
def serving(sink: Sink) -> Iterator[str]:
    """Serve *sink* on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), sink.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
