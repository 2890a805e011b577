"""A small real HTTP server on 127.0.0.1 for adapter tests.

Routes map (method, path) to a handler that gets the recorded request and
returns a :class:`Reply`. Every request is recorded. Helpers build the faults
networks produce: 5xx, HTML error pages, truncated JSON, 429 with or without
``Retry-After``, a body that trickles in a byte at a time (:func:`slow_body`),
a connection reset halfway through the body (:func:`reset_mid_body`), and a
handler that stalls until the test ends (past any client read timeout). Use the
``http_server`` fixture from ``tests/adapters/conftest.py``.
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: The longest a stalled handler holds its connection if the test forgets to end.
STALL_LIMIT_S = 30.0


@dataclass(frozen=True)
class Reply:
    """What a handler answers: status, headers and body bytes.

    The headers always go out at once. With ``trickle`` the body follows one
    byte every ``trickle`` seconds (until the client goes or the test ends);
    with ``reset_after`` only that many body bytes are sent before the
    connection is reset (RST), though ``Content-Length`` promised them all.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    trickle: float = 0.0
    reset_after: int | None = None


@dataclass(frozen=True)
class Request:
    """One request as the server received it. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, list[str]]:
        """The body parsed as ``application/x-www-form-urlencoded``."""
        return parse_qs(self.body.decode(), keep_blank_values=True)


Handler = Callable[[Request], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when a client hangs up first: timeout tests make clients give up on purpose."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class TestServer:
    """A threaded HTTP server with a routing table and a request log."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Request] = []
        self.released = threading.Event()
        self._changed = threading.Condition()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:43121``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> TestServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release stalled handlers, stop serving and close the socket."""
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def route(self, method: str, path: str, handler: Handler | Reply) -> None:
        """Answer ``method path`` with ``handler`` (a fixed :class:`Reply` is fine too)."""
        self.routes[(method.upper(), path)] = _as_handler(handler)

    def requests_to(self, method: str, path: str) -> list[Request]:
        """The recorded requests for one route, in arrival order."""
        with self._changed:
            return [r for r in self.requests if r.method == method and r.path == path]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[Request]:
        """Block until at least ``count`` requests arrived; raise AssertionError on timeout."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    def stall(self) -> Handler:
        """A handler that answers nothing until the test ends (or :data:`STALL_LIMIT_S`)."""

        def handler(_request: Request) -> Reply:
            self.released.wait(STALL_LIMIT_S)
            return Reply(503)

        return handler

    def _record(self, request: Request) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def _dispatch(self, request: Request) -> Reply:
        self._record(request)
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return json_reply({"error": "Record not found"}, status=404)
        return handler(request)


def _handler_class(server: TestServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle, every request after the
        # first on a connection waits ~40 ms for the delayed ACK.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            reply = server._dispatch(request)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if not any(name.lower() == "content-length" for name in reply.headers):
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.reset_after is not None:
                self._reset(reply.body[: reply.reset_after])
            elif reply.trickle > 0:
                self._trickle(reply.body, reply.trickle)
            else:
                self.wfile.write(reply.body)

        def _trickle(self, body: bytes, interval: float) -> None:
            """One byte per ``interval``; stop when the client hangs up or the test ends."""
            self.close_connection = True
            for index in range(len(body)):
                if server.released.wait(interval):
                    return
                try:
                    self.wfile.write(body[index : index + 1])
                except OSError:  # the client gave up: broken pipe or reset
                    return

        def _reset(self, part: bytes) -> None:
            """Send ``part`` of the body, then abort the connection with an RST."""
            self.close_connection = True
            self.wfile.write(part)
            # A zero linger time makes close() send RST instead of FIN. The fd is closed
            # here, not by the server: it would shut down the write side (a FIN) first.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            socket.close(self.connection.detach())

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return _Handler


def _as_handler(handler: Handler | Reply) -> Handler:
    if isinstance(handler, Reply):
        fixed = handler
        return lambda _request: fixed
    return handler


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer."""
    return Reply(
        status,
        {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        json.dumps(body, ensure_ascii=False).encode(),
    )


def raw_json_reply(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer from already-serialised text (recorded bodies)."""
    headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return Reply(status, headers, text.encode())


def truncated_json(body: Any) -> Reply:
    """A 200 whose JSON body is cut in half, as when a proxy drops the connection."""
    data = json.dumps(body).encode()
    return Reply(200, {"Content-Type": "application/json"}, data[: max(1, len(data) // 2)])


def html_error_page(status: int = 502) -> Reply:
    """An HTML error page, as a reverse proxy sends when the app behind it is down."""
    page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    page += b"<body><h1>Bad Gateway</h1></body></html>"
    return Reply(status, {"Content-Type": "text/html"}, page)


def html_page(status: int, page: bytes) -> Reply:
    """An HTML answer: a proxy's error page, or a captive portal's login page (HTTP 200)."""
    return Reply(status, {"Content-Type": "text/html; charset=utf-8"}, page)


def slow_body(reply: Reply, interval: float) -> Reply:
    """``reply`` with its headers at once and its body one byte every ``interval`` seconds."""
    return replace(reply, trickle=interval)


def reset_mid_body(reply: Reply) -> Reply:
    """``reply`` with half its body sent, then the connection reset (RST)."""
    return replace(reply, reset_after=len(reply.body) // 2)


def server_error(status: int = 500) -> Reply:
    """A 5xx with a JSON error body."""
    return json_reply({"error": "Internal Server Error"}, status=status)


def too_many_requests(
    retry_after: str | None = None, headers: dict[str, str] | None = None
) -> Reply:
    """A 429, with ``Retry-After`` when given, plus any other headers."""
    extra = dict(headers or {})
    if retry_after is not None:
        extra["Retry-After"] = retry_after
    return json_reply({"error": "Too many requests"}, status=429, headers=extra)


def sequence(*replies: Handler | Reply) -> Handler:
    """A handler answering with ``replies`` in turn; the last one repeats."""
    handlers = [_as_handler(reply) for reply in replies]
    counter = itertools.count()
    lock = threading.Lock()

    def handler(request: Request) -> Reply:
        with lock:
            index = min(next(counter), len(handlers) - 1)
        return handlers[index](request)

    return handler


def unused_port() -> int:
    """A local port nothing listens on, so connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def running_server() -> Iterator[TestServer]:
    """Generator for a fixture: a started server, stopped afterwards."""
    server = TestServer().start()
    try:
        yield server
    finally:
        server.stop()
