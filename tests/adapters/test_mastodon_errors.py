"""MastodonAdapter against a real local HTTP server: errors and secrets."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from smm_tui.adapters import http
from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.core.network import NotSent
from tests.adapters import checks, httpserver
from tests.adapters import mastodon_kit as kit
from tests.adapters.httpserver import Reply, TestServer
from tests.conftest import FakeClock

# -- errors ------------------------------------------------------------------


async def test_401_is_an_auth_error_naming_the_account(http_server: TestServer) -> None:
    http_server.route(
        "GET",
        kit.NOTIFICATIONS,
        httpserver.json_reply({"error": "The access token is invalid"}, 401),
    )
    with pytest.raises(AuthError) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert str(caught.value) == (
        "mastodon account 'bank-mastodon': token refused or expired (HTTP 401): "
        "check the account's token_env"
    )


async def test_429_with_iso_reset_is_rate_limited(http_server: TestServer) -> None:
    headers = kit.MASTODON.answer("error-rate-limit.http").headers
    http_server.route(
        "GET",
        kit.NOTIFICATIONS,
        httpserver.json_reply({"error": "Too many requests"}, 429, headers),
    )
    adapter = kit.adapter_for(http_server)
    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(None)
    assert caught.value.retry_at == datetime(2025, 1, 1, 9, 20, tzinfo=UTC)
    budget = adapter.rate_budget()
    assert budget is not None and budget.remaining == 0


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("7", kit.NOW + timedelta(seconds=7)),
        ("Wed, 01 Jan 2025 09:30:00 GMT", kit.NOW + timedelta(minutes=14)),
    ],
)
async def test_429_retry_after_wins(
    http_server: TestServer, retry_after: str, expected: datetime
) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, httpserver.too_many_requests(retry_after))
    with pytest.raises(RateLimited) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert caught.value.retry_at == expected


async def test_spent_budget_sends_nothing_until_reset(http_server: TestServer) -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2025-01-01T09:20:00.000000Z"}
    http_server.route("GET", kit.NOTIFICATIONS, httpserver.json_reply([], headers=headers))
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(http_server, clock=clock)
    await adapter.fetch_mentions("c")

    with pytest.raises(RateLimited) as caught:
        await adapter.post_reply(kit.mention_of("x"), "hello", "k")
    assert caught.value.retry_at == datetime(2025, 1, 1, 9, 20, tzinfo=UTC)
    assert len(http_server.requests_to("GET", kit.NOTIFICATIONS)) == 1

    clock.now = datetime(2025, 1, 1, 9, 20, 1, tzinfo=UTC)
    await adapter.fetch_mentions("c")
    assert len(http_server.requests_to("GET", kit.NOTIFICATIONS)) == 2


@checks.server_faults([{"id": "1"}])
async def test_server_faults_are_transient(http_server: TestServer, reply: Reply) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, reply)
    adapter = kit.adapter_for(http_server)
    await checks.assert_sent_and_transient(adapter, adapter.fetch_mentions(None))


async def test_html_page_with_200_is_transient(http_server: TestServer) -> None:
    adapter = kit.adapter_for(http_server)
    await checks.assert_html_page_with_200_is_transient(
        http_server, ("GET", kit.NOTIFICATIONS), adapter
    )


async def test_unexpected_shape_is_transient(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, httpserver.json_reply({"not": "a list"}))
    with pytest.raises(TransientError, match="unexpected"):
        await kit.adapter_for(http_server).fetch_mentions(None)


async def test_422_is_permanent_with_the_server_reason(http_server: TestServer) -> None:
    body = {"error": "Validation failed: Text character limit of 500 exceeded"}
    http_server.route("POST", kit.STATUSES, httpserver.json_reply(body, 422))
    http_server.route(
        "GET", f"{kit.STATUSES}/1", httpserver.json_reply(kit.mentions_fixture()[0]["status"])
    )
    with pytest.raises(PermanentError, match="character limit of 500"):
        await kit.adapter_for(http_server).post_reply(kit.mention_of("1"), "x" * 600, "k")


async def test_stall_past_read_timeout_is_transient_and_bounded(http_server: TestServer) -> None:
    http_server.route("POST", kit.STATUSES, http_server.stall())
    http_server.route(
        "GET", f"{kit.STATUSES}/1", httpserver.json_reply(kit.mentions_fixture()[0]["status"])
    )
    timeout = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)
    async with http.make_client(timeout=timeout) as client:
        adapter = kit.adapter_for(http_server, client=client)
        await checks.assert_stalled_reply_is_transient(adapter, kit.mention_of("1"))


async def test_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, http_server.stall())
    # The default read timeout is far longer.
    await checks.assert_bounded_by_deadline(kit.adapter_for(http_server, deadline=0.4))


async def test_connect_refused_is_not_sent() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent):
        await adapter.verify()
    ctx = http.CallContext("mastodon", kit.ACCOUNT, (kit.CANARY,))
    async with http.make_client() as client:
        with pytest.raises(NotSent, match="not sent"):
            await http.send(client, ctx, "POST", f"http://127.0.0.1:{httpserver.unused_port()}/x")
    await adapter.aclose()


# -- secrets -----------------------------------------------------------------


def test_redact_removes_raw_and_url_encoded_tokens() -> None:
    text = f"https://h/x?access_token={kit.CANARY}&q=1 and /bot{kit.CANARY}/send and "
    text += httpx.QueryParams({"t": kit.CANARY}).__str__()
    cleaned = http.redact(text, [kit.CANARY, ""])
    assert "CANARY" not in cleaned
    assert cleaned.count("***") == 3


async def test_token_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = httpserver.json_reply({"error": f"Bad token {kit.CANARY} in request"}, 422)
    faults: list[Reply] = [
        httpserver.json_reply({"error": kit.CANARY}, 401),
        httpserver.too_many_requests("not-a-number"),
        httpserver.server_error(500),
        httpserver.html_error_page(502),
        httpserver.truncated_json({"token": kit.CANARY}),
        echo,
    ]
    messages = await checks.fault_messages(
        http_server,
        [("GET", kit.NOTIFICATIONS), ("GET", f"{kit.STATUSES}/9")],
        faults,
        lambda: kit.adapter_for(http_server),
        lambda adapter: (
            adapter.fetch_mentions("c"),
            adapter.post_reply(kit.mention_of("9"), "x", "k"),
        ),
    )
    refused = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    messages += await checks.refused_messages(refused, "c")

    assert len(messages) == (2 * 2 + 1) * len(faults) + 2
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)


async def test_the_reply_limit_is_the_instances_own(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, httpserver.json_reply([]))
    http_server.route(
        "GET",
        "/api/v2/instance",
        httpserver.json_reply({"configuration": {"statuses": {"max_characters": 5000}}}),
    )
    adapter = kit.adapter_for(http_server)
    assert adapter.reply_limit == 500
    await adapter.fetch_mentions(None)
    await adapter.fetch_mentions(None)
    assert adapter.reply_limit == 5000
    assert len(http_server.requests_to("GET", "/api/v2/instance")) == 1


async def test_an_instance_without_v2_keeps_the_default_limit(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, httpserver.json_reply([]))
    adapter = kit.adapter_for(http_server)
    await adapter.fetch_mentions(None)  # /api/v2/instance answers 404
    assert adapter.reply_limit == 500
