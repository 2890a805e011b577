"""What the ticket command tests share: a department's webhook that checks the signature."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager

from tests.adapters.httpserver import Reply, Request, TestServer


def signed(request: Request, secret: str) -> bool:
    """Whether the request carries the HMAC-SHA256 of its exact body under ``secret``."""
    digest = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers.get("x-smm-signature", ""), f"sha256={digest}")


@contextmanager
def department_hook(path: str, secret: str) -> Iterator[TestServer]:
    """A webhook on 127.0.0.1 at ``path``: 200 for a body signed with ``secret``, else 401."""
    server = TestServer().start()
    server.route("POST", path, lambda r: Reply(200 if signed(r, secret) else 401, body=b"ok"))
    try:
        yield server
    finally:
        server.stop()
