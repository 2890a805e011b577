"""XAdapter against a real local HTTP server: errors and secrets."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smm_tui.adapters import x_errors
from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters import checks, httpserver
from tests.adapters import x_kit as kit
from tests.adapters.httpserver import Reply, TestServer
from tests.conftest import FakeClock

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
close_clients = kit.close_clients
http_server = kit.http_server
fake = kit.fake


# -- errors ------------------------------------------------------------------


async def test_401_is_an_auth_error_naming_the_fix(http_server: TestServer) -> None:
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    http_server.route("GET", kit.MENTIONS, httpserver.json_reply(body, 401))
    with pytest.raises(AuthError) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert str(caught.value) == (
        "x account 'bank-x': token refused or expired (HTTP 401, Unauthorized): set BANK_X_TOKEN"
    )


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            kit.problem(
                403,
                "Reply to this conversation is not allowed because you have not been mentioned"
                " or otherwise engaged by the author of the post you are replying to.",
            ),
            PermanentError,
            "refused (HTTP 403): Reply to this conversation is not allowed",
        ),
        (
            kit.problem(
                403,
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.",
                "https://api.twitter.com/2/problems/unsupported-authentication",
                "Unsupported Authentication",
            ),
            AuthError,
            "(HTTP 403, Unsupported Authentication): set BANK_X_TOKEN",
        ),
        (Reply(403, {}, b""), AuthError, "(HTTP 403)"),
        (
            kit.problem(
                400,
                "One or more parameters to your request was invalid.",
                "https://api.twitter.com/2/problems/invalid-request",
                "Invalid Request",
            ),
            PermanentError,
            "(HTTP 400): One or more parameters",
        ),
        (Reply(404, {"Content-Type": "text/plain"}, b"nope"), PermanentError, "HTTP 404"),
    ],
    ids=["403-reply-restricted", "403-app-only-token", "403-bare", "400-problem", "404-text"],
)
async def test_client_errors(
    http_server: TestServer, reply: Reply, error: type[AdapterError], message: str
) -> None:
    http_server.route("POST", kit.TWEETS, reply)
    with pytest.raises(error, match=re.escape(message)) as caught:
        await kit.adapter_for(http_server).post_reply(kit.mention_of(kit.ANNA), "hi", "k")
    assert type(caught.value) is error
    assert "\n" not in str(caught.value)


async def test_errors_only_200_is_permanent(http_server: TestServer) -> None:
    body = {
        "errors": [
            {
                "value": kit.USER,
                "detail": f"Could not find user with id: [{kit.USER}].",
                "title": "Not Found Error",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }
    http_server.route("GET", kit.MENTIONS, httpserver.json_reply(body))
    with pytest.raises(PermanentError, match="Could not find user"):
        await kit.adapter_for(http_server).fetch_mentions(None)


async def test_429_waits_for_the_reset_and_sends_nothing_until_then(
    http_server: TestServer,
) -> None:
    http_server.route("GET", kit.MENTIONS, kit.X.answer("error-rate-limit.http"))
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(http_server, clock=clock)
    reset = datetime.fromtimestamp(1735723800, UTC)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(kit.ANNA)
    assert caught.value.retry_at == reset
    with pytest.raises(RateLimited) as again:
        await adapter.fetch_mentions(kit.ANNA)
    assert again.value.retry_at == reset
    assert len(http_server.requests) == 1
    budget = adapter.rate_budget()
    assert budget is not None and budget.spent(clock.now)

    # Other endpoints have their own budgets.
    http_server.route("POST", kit.TWEETS, kit.X.answer("reply-success.http"))
    await adapter.post_reply(kit.mention_of(kit.ANNA), "hi", "k")
    assert len(http_server.requests) == 2

    clock.now = reset + timedelta(seconds=1)
    http_server.route("GET", kit.MENTIONS, httpserver.json_reply({"meta": {"result_count": 0}}))
    await adapter.fetch_mentions(kit.ANNA)
    assert len(http_server.requests) == 3


async def test_usage_cap_pauses_every_post_read_for_a_day(http_server: TestServer) -> None:
    http_server.route("GET", kit.MENTIONS, kit.X.answer("error-usage-cap.http"))
    http_server.route("POST", kit.TWEETS, kit.X.answer("reply-success.http"))
    adapter = kit.adapter_for(http_server)

    with pytest.raises(RateLimited, match="monthly usage cap reached") as caught:
        await adapter.fetch_mentions(None)
    assert caught.value.retry_at == kit.NOW + timedelta(hours=24)
    with pytest.raises(RateLimited):
        await adapter.fetch_post_comments("100")  # search shares the post-read cap
    await adapter.post_reply(kit.mention_of(kit.ANNA), "hi", "k")  # posting does not
    assert [r.method for r in http_server.requests] == ["GET", "POST"]


async def test_usage_cap_with_a_reset_header(http_server: TestServer) -> None:
    reply = kit.X.answer("error-usage-cap.http")
    reply.headers["x-rate-limit-reset"] = "1735776000"
    http_server.route("GET", kit.MENTIONS, reply)
    with pytest.raises(RateLimited) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert caught.value.retry_at == datetime.fromtimestamp(1735776000, UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, kit.NOW + timedelta(seconds=7)),
        (
            {
                "x-rate-limit-remaining": "150",
                "x-rate-limit-reset": "1735723800",
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": "1735790000",
            },
            datetime.fromtimestamp(1735790000, UTC),
        ),
        ({}, kit.NOW + timedelta(seconds=60)),
        (
            {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1"},
            kit.NOW + timedelta(seconds=60),
        ),
    ],
    ids=["retry-after", "24h-user-cap", "no-headers", "reset-in-the-past"],
)
async def test_429_retry_time(
    http_server: TestServer, headers: dict[str, str], expected: datetime
) -> None:
    http_server.route(
        "POST", kit.TWEETS, kit.problem(429, "Too Many Requests", title="Too Many Requests")
    )
    http_server.routes[("POST", kit.TWEETS)] = lambda _r: httpserver.json_reply(
        {"status": 429}, 429, headers
    )
    with pytest.raises(RateLimited) as caught:
        await kit.adapter_for(http_server).post_reply(kit.mention_of(kit.ANNA), "hi", "k")
    assert caught.value.retry_at == expected


async def test_spent_budget_after_success_refuses_until_reset(http_server: TestServer) -> None:
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1735723800"}
    http_server.route(
        "GET", kit.MENTIONS, httpserver.json_reply({"meta": {"result_count": 0}}, headers=headers)
    )
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(http_server, clock=clock)
    await adapter.fetch_mentions(kit.ANNA)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(kit.ANNA)
    assert caught.value.retry_at == datetime.fromtimestamp(1735723800, UTC)
    assert len(http_server.requests) == 1
    clock.now = datetime.fromtimestamp(1735723801, UTC)
    await adapter.fetch_mentions(kit.ANNA)
    assert len(http_server.requests) == 2


@checks.server_faults(
    kit.mentions_fixture(),
    statuses={
        "503": kit.problem(503, "Service Unavailable", title="Service Unavailable"),
        "500": Reply(500, {}, b""),
    },
)
async def test_server_faults_are_transient(http_server: TestServer, reply: Reply) -> None:
    http_server.route("GET", kit.MENTIONS, reply)
    adapter = kit.adapter_for(http_server)
    await checks.assert_sent_and_transient(adapter, adapter.fetch_mentions(None))


async def test_html_page_with_200_is_transient(http_server: TestServer) -> None:
    adapter = kit.adapter_for(http_server)
    await checks.assert_html_page_with_200_is_transient(http_server, ("GET", kit.MENTIONS), adapter)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"data": {"id": "1"}},
        {"data": [{"text": "no id"}]},
        {"data": [kit.post("1", parent="2") | {"referenced_tweets": "replied_to"}]},
        {"data": [kit.post("1") | {"created_at": "yesterday"}]},
        {"data": [kit.post("1")], "includes": {"users": [{"name": "no id"}]}},
        {"data": [kit.post("1")], "meta": []},
    ],
    ids=["list", "data-object", "no-id", "refs-string", "bad-date", "user-no-id", "meta-list"],
)
async def test_unexpected_shapes_are_transient(http_server: TestServer, body: Any) -> None:
    http_server.route("GET", kit.MENTIONS, httpserver.json_reply(body))
    with pytest.raises(TransientError, match="unexpected"):
        await kit.adapter_for(http_server).fetch_mentions(None)


async def test_unexpected_reply_answer_is_transient(http_server: TestServer) -> None:
    http_server.route("POST", kit.TWEETS, httpserver.json_reply({"data": {"text": "no id"}}, 201))
    with pytest.raises(TransientError, match="unexpected POST /2/tweets shape"):
        await kit.adapter_for(http_server).post_reply(kit.mention_of(kit.ANNA), "hi", "k")


async def test_stall_past_read_timeout_is_transient_and_bounded(http_server: TestServer) -> None:
    http_server.route("POST", kit.TWEETS, http_server.stall())
    async with kit.local_client(read=0.3) as client:
        adapter = kit.adapter_for(http_server, client=client)
        await checks.assert_stalled_reply_is_transient(adapter, kit.mention_of(kit.ANNA))


async def test_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    http_server.route("GET", kit.MENTIONS, http_server.stall())
    await checks.assert_bounded_by_deadline(kit.adapter_for(http_server, deadline=0.3))


async def test_connect_refused_is_not_sent() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent, match="not sent"):
        await adapter.post_reply(kit.mention_of(kit.ANNA), "hi", "k")
    await adapter.aclose()


async def test_a_broken_base_url_is_a_typed_error() -> None:
    with pytest.raises(PermanentError, match="invalid URL"):
        await kit.adapter_for("http://[::1").fetch_mentions(None)


def test_default_host_is_api_x_com() -> None:
    adapter = kit.adapter_for(None)
    assert repr(adapter) == "XAdapter(account='bank-x', base_url='https://api.x.com')"


# -- secrets -----------------------------------------------------------------


async def test_token_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Bad token {kit.CANARY} in request"
    faults: list[Reply] = [
        httpserver.json_reply({"title": kit.CANARY, "detail": echo, "type": "about:blank"}, 401),
        kit.problem(403, echo),
        kit.problem(
            403, echo, "https://api.twitter.com/2/problems/unsupported-authentication", kit.CANARY
        ),
        kit.problem(400, echo, "https://api.twitter.com/2/problems/invalid-request"),
        httpserver.json_reply({"error": echo}, 422),
        httpserver.json_reply(
            {"title": kit.CANARY, "type": x_errors.USAGE_CAPPED, "period": kit.CANARY}, 429
        ),
        httpserver.json_reply({"status": 429}, 429, {"x-rate-limit-reset": "nope"}),
        kit.problem(503, echo),
        httpserver.html_error_page(502),
        httpserver.truncated_json({"token": kit.CANARY}),
        httpserver.json_reply({"errors": [{"detail": echo}]}),
    ]
    messages = await checks.fault_messages(
        http_server,
        [("GET", kit.MENTIONS), ("POST", kit.TWEETS)],
        faults,
        lambda: kit.adapter_for(http_server),
        lambda adapter: (
            adapter.fetch_mentions(kit.ANNA),
            adapter.post_reply(kit.mention_of(kit.ANNA), "x", "k"),
        ),
    )
    refused = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    messages += await checks.refused_messages(refused, kit.ANNA)

    assert len(messages) == (2 * 2 + 1) * len(faults) + 2
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text
    assert any("HTTP 503" in r.getMessage() for r in caplog.records)
