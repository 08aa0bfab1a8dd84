"""A small HTTP(S) server on 127.0.0.1 for hostile cases: it forwards every request to an upstream
(the sandbox) unless one of its rules answers, and records everything it receives.

- `tls`: serve HTTPS with a certificate of the test's own CA (tests/crawler/certs.py); handshakes
  a client refused are counted (`handshakes_failed`);
- `rules`: functions of a `Received` request that return `(status, body)` to answer in the
  upstream's stead (an echoing token endpoint, a 400 with a forged message), or None;
- `tokens`: the access tokens the upstream issued through it (to search the crawl's files for).
An upstream that resets the connection gets the client's connection reset too.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import struct
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "server", "date"}


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Rule = Callable[[Received], "tuple[int, bytes] | None"]


class LocalServer:
    def __init__(self, upstream: str = "", *, tls: ssl.SSLContext | None = None,
                 rules: list[Rule] | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[Rule] = list(rules or [])
        self.received: list[Received] = []
        self.tokens: set[str] = set()
        self.handshakes_failed = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                got = Received(self.command, self.path, dict(self.headers.items()),
                               self.rfile.read(length) if length else b"")
                server.received.append(got)
                try:
                    status, headers, body = server.answer(got)
                except (OSError, http.client.HTTPException):  # the upstream reset: so do we
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, address = self.socket.accept()
                if tls is None:
                    return sock, address
                try:
                    return tls.wrap_socket(sock, server_side=True), address
                except (ssl.SSLError, OSError):
                    server.handshakes_failed += 1
                    sock.close()
                    raise

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.scheme = "https" if tls is not None else "http"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def failed_handshakes(self, expected: int, timeout: float = 10.0) -> int:
        """The count of refused handshakes once it reaches `expected` (or the timeout passes):
        the client gives up as soon as it refuses the certificate, and the server's thread may
        note the failure a moment later."""
        deadline = time.monotonic() + timeout
        while self.handshakes_failed < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.handshakes_failed

    def url(self, path: str = "") -> str:
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_port}{path}"

    def answer(self, got: Received) -> tuple[int, dict[str, str], bytes]:
        for rule in self.rules:
            answer = rule(got)
            if answer is not None:
                status, body = answer
                return status, {"Content-Type": "application/json"}, body
        if not self.upstream:
            return 404, {}, b""
        request = urllib.request.Request(self.upstream + got.path, method=got.method,
                                         data=got.body if got.method == "POST" else None,
                                         headers={k: v for k, v in got.headers.items()
                                                  if k.lower() not in HOP_BY_HOP})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        if "access_token" in got.path:
            try:
                self.tokens.add(json.loads(body)["access_token"])
            except (ValueError, KeyError, TypeError):
                pass
        return status, {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}, body

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
