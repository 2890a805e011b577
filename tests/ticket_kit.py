"""What the ticket command tests share: the Cards department's webhook, which checks the
signature of every body it is sent."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import pytest

from tests.adapters.httpserver import Reply, Request, TestServer

#: Cards' signing secret, and the variable it is read from.
SECRET = "whsec-CANARY-cards-77"
SECRET_ENV = "SMM_TEST_CARDS_SECRET"
HOOK = "/hooks/cards"


def signed(request: Request) -> bool:
    """Whether the request carries the HMAC-SHA256 of its exact body under :data:`SECRET`."""
    digest = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers.get("x-smm-signature", ""), f"sha256={digest}")


@pytest.fixture
def webhook() -> Iterator[TestServer]:
    """Cards' webhook on 127.0.0.1: 200 for a signed body, else 401."""
    server = TestServer().start()
    server.route("POST", HOOK, lambda r: Reply(200 if signed(r) else 401, body=b"ok"))
    try:
        yield server
    finally:
        server.stop()


def cards_table(webhook: TestServer) -> str:
    """The ``[[departments]]`` table of Cards, handing over to :func:`webhook`."""
    return f"""
[[departments]]
name = "Cards"
handoff = "webhook"
url = "{webhook.url}{HOOK}"
secret_env = "{SECRET_ENV}"
"""
