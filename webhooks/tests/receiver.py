"""A real HTTP receiver for webhook tests: an http.server thread on 127.0.0.1 that
records every request and answers with the statuses it is given, then 200."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    server_name: str | None = None  # the SNI name an HTTPS client sent


@dataclass
class Receiver:
    port: int = 0
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers

    def url(self, host: str, path: str = "/hook") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def successes(self) -> int:
        return sum(1 for r in self.requests if 200 <= r.status < 300)


@contextmanager
def receiver_running(
    statuses: list[int] | None = None, *, port: int = 0, tls: Any = None
) -> Iterator[Receiver]:
    """`port` 0 picks a free one; `tls` (an ssl.SSLContext for the server side) makes it
    an HTTPS receiver."""
    receiver = Receiver(statuses=list(statuses or []))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append(
                    Received(
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        status,
                        getattr(self.connection, "nexus_sni", None),
                    )
                )
            self.send_response(status)
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
