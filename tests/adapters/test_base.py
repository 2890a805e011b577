"""The adapter contract's backstop, and the shared http helpers against hostile answers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from smm_tui.adapters import http
from smm_tui.adapters.base import Adapter, Identity, MentionPage, PublishedReply, TransientError
from smm_tui.core.models import Mention, Platform
from smm_tui.core.network import AdapterError, PermanentError
from tests.adapters.httpserver import Reply, TestServer
from tests.conftest import make_mention

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Careless(Adapter):
    """An adapter with the bugs the backstop exists for."""

    platform = Platform.VK
    reply_limit = 100

    async def verify(self) -> Identity:
        return Identity("1", "@brand")

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        missing: dict[str, str] = {}
        return MentionPage((), missing["cursor"])

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        raise PermanentError("vk account 'brand': post deleted")

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        return ()

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        raise OverflowError("date value out of range")


async def test_only_adapter_errors_escape_an_adapter() -> None:
    adapter = Careless("brand")
    with pytest.raises(TransientError) as caught:
        await adapter.fetch_mentions(None)
    assert str(caught.value) == "vk account 'brand': unexpected answer in fetch_mentions (KeyError)"
    with pytest.raises(TransientError, match=r"post_reply \(OverflowError\)"):
        await adapter.post_reply(make_mention(1), "hi", "k")
    with pytest.raises(PermanentError, match="post deleted"):
        await adapter.fetch_thread(make_mention(1))
    assert (await adapter.verify()).user_id == "1"


def response(headers: dict[str, bytes] | None = None, body: bytes = b"{}") -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1/x")
    raw = [(name.encode("ascii"), value) for name, value in (headers or {}).items()]
    return httpx.Response(200, headers=raw, content=body, request=request)


REMAINING = "X-RateLimit-Remaining"


def test_hostile_rate_limit_headers_are_ignored_or_clamped() -> None:
    # Latin-1 bytes on the wire: b"\xb2" decodes to "²", which isdigit() accepts.
    assert http.header_int(response({REMAINING: b"\xb2"}), REMAINING) is None
    assert http.header_int(response({REMAINING: b"12"}), REMAINING) == 12
    far = http.parse_retry_after("9" * 40, NOW)
    assert far is not None and (far - NOW).days == 7


def test_deeply_nested_json_is_a_transient_error() -> None:
    ctx = http.CallContext("vk", "brand")
    with pytest.raises(TransientError, match="malformed JSON"):
        http.decode_json(response(body=b"[" * 100_000), ctx)


async def test_a_url_that_cannot_be_a_url_is_a_permanent_error(http_server: TestServer) -> None:
    http_server.route("GET", "/x", Reply(200))
    ctx = http.CallContext("vk", "brand")
    async with http.make_client() as client:
        with pytest.raises(AdapterError):
            await http.send(client, ctx, "GET", http_server.url + "/x\x00y")
