"""BlueskyAdapter against a real local HTTP server: rate limits, failures and secrets."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smm_tui.adapters import http
from smm_tui.adapters.base import PermanentError, RateLimited, TransientError
from smm_tui.adapters.bluesky import BlueskyAdapter, post_url
from smm_tui.core.models import Platform
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters import bluesky_kit as kit
from tests.adapters import checks, httpserver
from tests.adapters.httpserver import Reply, TestServer
from tests.conftest import FakeClock
from tests.fakes import bluesky_shapes
from tests.fakes.base import Fault
from tests.fakes.bluesky import FakeBluesky

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
fake = kit.fake


# -- rate limits ------------------------------------------------------------------------


async def test_429_waits_for_ratelimit_reset_without_sending(http_server: TestServer) -> None:
    kit.serve(http_server, kit.BLUESKY.answer("error-rate-limit.http"))
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(http_server, clock=clock)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(None)
    reset = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)
    assert caught.value.retry_at == reset
    assert str(caught.value).startswith("bluesky account 'bank-bluesky': rate limited until")
    budget = adapter.rate_budget()
    assert budget is not None and (budget.remaining, budget.limit) == (0, 3000)

    with pytest.raises(RateLimited):
        await adapter.fetch_thread(kit.mention_of(kit.ANNA))
    assert len(http_server.requests) == 2  # createSession + the refused listing

    clock.now = reset + timedelta(seconds=1)
    http_server.route(
        "GET",
        bluesky_shapes.LIST_NOTIFICATIONS,
        httpserver.json_reply(kit.fixture("list-mentions.json")),
    )
    assert len((await adapter.fetch_mentions(None)).mentions) == 3


async def test_429_without_reset_waits_one_policy_window(http_server: TestServer) -> None:
    headers = {"ratelimit-policy": "3000;w=300", "ratelimit-remaining": "0"}
    kit.serve(
        http_server,
        bluesky_shapes.xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **headers),
    )
    with pytest.raises(RateLimited) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert caught.value.retry_at == kit.NOW + timedelta(seconds=300)


async def test_a_spent_budget_on_success_refuses_the_next_call(http_server: TestServer) -> None:
    reset = kit.NOW + timedelta(minutes=2)
    headers = {
        "ratelimit-limit": "3000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(int(reset.timestamp())),
    }
    kit.serve(http_server, kit.newest_page_only(kit.fixture("list-mentions.json"), headers))
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(http_server, clock=clock)
    with pytest.raises(RateLimited) as caught:  # the backfill's next page must wait
        await adapter.fetch_mentions(None)
    assert caught.value.retry_at == reset
    assert [m.external_id for m in caught.value.read] == [kit.MALLORY, kit.LAILA, kit.ANNA]
    assert len(http_server.requests) == 2

    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(None)
    assert len(http_server.requests) == 2

    clock.now = reset + timedelta(seconds=1)
    page = await adapter.fetch_mentions(None)
    assert [m.external_id for m in page.mentions] == [kit.MALLORY, kit.LAILA, kit.ANNA]
    assert len(http_server.requests) == 3


async def test_a_write_limit_leaves_reads_alone(fake: FakeBluesky) -> None:
    clock = FakeClock(datetime.now(UTC))
    adapter = kit.on_fake(fake, clock)
    fake.add_mention("hello")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail("reply", Fault.RATE_LIMIT)

    with pytest.raises(RateLimited) as caught:
        await adapter.post_reply(mention, "hi", "k")
    with pytest.raises(RateLimited):
        await adapter.post_reply(mention, "hi", "k")

    assert len(fake.requests("reply")) == 1
    assert caught.value.retry_at > clock()
    await adapter.fetch_thread(mention)  # reads still go
    budget = adapter.rate_budget()
    assert budget is not None and budget.remaining == 0  # the spent bucket shows


async def test_rate_budget_reports_the_read_headers(fake: FakeBluesky) -> None:
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    adapter = kit.on_fake(fake, clock)
    assert adapter.rate_budget() is None
    await adapter.fetch_mentions(None)
    budget = adapter.rate_budget()
    assert budget is not None
    assert budget.limit == 3000 and budget.remaining is not None and budget.remaining < 3000
    assert budget.reset_at == datetime(2026, 3, 1, 0, 5, tzinfo=UTC)


# -- failures ---------------------------------------------------------------------------


@checks.server_faults({"a": [1, 2]})
async def test_server_faults_are_transient(http_server: TestServer, reply: Reply) -> None:
    kit.serve(http_server, reply)
    adapter = kit.adapter_for(http_server)
    await checks.assert_sent_and_transient(adapter, adapter.fetch_mentions(None))


async def test_an_html_page_with_200_is_transient(http_server: TestServer) -> None:
    session = httpserver.json_reply(kit.session_body())
    http_server.route("POST", bluesky_shapes.CREATE_SESSION, session)
    notifications = ("GET", bluesky_shapes.LIST_NOTIFICATIONS)
    adapter = kit.adapter_for(http_server)
    await checks.assert_html_page_with_200_is_transient(http_server, notifications, adapter)


@pytest.mark.parametrize(
    "body",
    [
        {"notifications": "nope"},
        {"notifications": [{"uri": kit.ANNA, "reason": "mention", "indexedAt": "soon"}]},
        [1, 2],
        {"notifications": [dict(kit.NO_AUTHOR, record={"text": "x"})]},
    ],
    ids=["not-a-list", "bad-time", "list", "no-author"],
)
async def test_unexpected_shapes_are_transient(http_server: TestServer, body: Any) -> None:
    kit.serve(http_server, httpserver.json_reply(body))
    with pytest.raises(TransientError, match="unexpected"):
        await kit.adapter_for(http_server).fetch_mentions(None)


async def test_a_malformed_session_is_transient(http_server: TestServer) -> None:
    kit.serve(http_server, httpserver.json_reply({}))
    http_server.route(
        "POST",
        bluesky_shapes.CREATE_SESSION,
        httpserver.json_reply({"did": bluesky_shapes.BRAND_DID}),
    )
    with pytest.raises(TransientError, match="unexpected createSession shape"):
        await kit.adapter_for(http_server).verify()


async def test_an_invalid_request_is_permanent_with_the_reason(http_server: TestServer) -> None:
    kit.serve(http_server, httpserver.json_reply(kit.fixture("list-mentions.json")))
    refused = bluesky_shapes.xrpc_error(
        400, "InvalidRequest", "Invalid app.bsky.feed.post record:\ntoo long"
    )
    http_server.route("POST", bluesky_shapes.CREATE_RECORD, refused)
    adapter = kit.adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]
    with pytest.raises(PermanentError) as caught:
        await adapter.post_reply(anna, "x", "k")
    assert str(caught.value) == (
        "bluesky account 'bank-bluesky': POST /xrpc/com.atproto.repo.createRecord refused "
        "(HTTP 400): InvalidRequest: Invalid app.bsky.feed.post record: too long"
    )


@pytest.mark.parametrize(
    ("fault", "error"),
    checks.expected_errors(Fault.SERVER_ERROR, Fault.MALFORMED, Fault.RATE_LIMIT, Fault.AUTH),
    ids=lambda v: getattr(v, "value", getattr(v, "__name__", "")),
)
@pytest.mark.parametrize("operation", ["thread", "reply"])
async def test_fake_faults_on_threads_and_replies(
    fake: FakeBluesky, operation: Any, fault: Fault, error: type[AdapterError]
) -> None:
    adapter = kit.on_fake(fake, FakeClock(datetime.now(UTC)))
    fake.add_mention("hello")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail(operation, fault)
    call = (
        adapter.fetch_thread(mention)
        if operation == "thread"
        else adapter.post_reply(mention, "hi", "k")
    )
    with pytest.raises(error) as caught:
        await call
    assert str(caught.value).startswith("bluesky account 'brand'")
    assert fake.published == []


async def test_a_stall_is_transient_and_bounded(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("hello")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail("thread", Fault.STALL)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out") as caught:
        await adapter.fetch_thread(mention)
    assert time.monotonic() - started < 2.0
    assert not isinstance(caught.value, NotSent)
    await adapter.aclose()


async def test_the_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    kit.serve(http_server, http_server.stall())
    # The default read timeout is far longer.
    await checks.assert_bounded_by_deadline(kit.adapter_for(http_server, deadline=0.3))


async def test_connect_refused_is_not_sent() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent, match="createSession not sent"):
        await adapter.verify()
    with pytest.raises(NotSent):
        await adapter.post_reply(kit.mention_of(kit.ANNA), "hi", "k")
    await adapter.aclose()


def test_defaults_and_urls() -> None:
    adapter = kit.adapter_for(None, keys={"handle": "@acme.bsky.social"})
    assert "https://bsky.social" in repr(adapter) and "'acme.bsky.social'" in repr(adapter)
    assert post_url("@anna.bsky.social", kit.ANNA) == (
        "https://bsky.app/profile/anna.bsky.social/post/3let2ajrh4c2k"
    )
    assert post_url("handle.invalid", kit.ANNA).startswith(
        "https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/"
    )


# -- secrets ----------------------------------------------------------------------------


def secret_faults() -> Iterator[Reply]:
    """Answers that echo the app password or the session's JWTs back."""
    yield bluesky_shapes.xrpc_error(
        400, "InvalidRequest", f"bad token {kit.ACCESS} for {kit.PASSWORD}"
    )
    yield bluesky_shapes.xrpc_error(
        400, "InvalidRequest", "x" * 114 + kit.ACCESS
    )  # cut at 160 inside the JWT
    yield httpserver.json_reply({"error": kit.ACCESS, "message": kit.REFRESH}, 401)
    yield bluesky_shapes.xrpc_error(
        429, "RateLimitExceeded", kit.ACCESS, **{"ratelimit-reset": "junk"}
    )
    yield httpserver.json_reply({"error": "InternalServerError", "message": kit.REFRESH}, 500)
    yield httpserver.html_error_page(502)
    yield httpserver.truncated_json({"accessJwt": kit.ACCESS})


async def test_secrets_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    http_server.route(
        "POST",
        bluesky_shapes.REFRESH_SESSION,
        bluesky_shapes.xrpc_error(400, "ExpiredToken", kit.REFRESH),
    )
    session = httpserver.json_reply(kit.session_body())
    http_server.route("POST", bluesky_shapes.CREATE_SESSION, session)
    messages = await checks.fault_messages(
        http_server,
        [("GET", bluesky_shapes.LIST_NOTIFICATIONS), ("GET", bluesky_shapes.GET_POSTS)],
        secret_faults(),
        lambda: kit.adapter_for(http_server),
        lambda adapter: (
            adapter.fetch_mentions(None),
            adapter.post_reply(kit.mention_of(kit.ANNA), "x", "k"),
        ),
    )
    refused = kit.adapter_for(
        f"http://127.0.0.1:{httpserver.unused_port()}", client=http.make_client()
    )
    messages += await checks.refused_messages(refused, None)

    assert len(messages) == 5 * 7 + 2
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)


async def test_session_tokens_never_in_errors_or_logs_on_the_fake(
    fake: FakeBluesky, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = kit.on_fake(fake, FakeClock(datetime.now(UTC)))
    fake.add_mention("hello")
    await adapter.fetch_mentions(None)
    fake.expire_access()
    await adapter.fetch_mentions(None)
    messages: list[str] = []
    for fault in (Fault.SERVER_ERROR, Fault.MALFORMED, Fault.AUTH, Fault.RATE_LIMIT):
        fake.fail("mentions", fault)
        with pytest.raises(AdapterError) as caught:
            await adapter.fetch_mentions(None)
        messages.append(str(caught.value))
    secrets = [fake.token, *fake.jwts]
    assert len(fake.jwts) == 6  # sign-in, refresh, sign-in after the revocation
    assert not [m for m in messages for s in secrets if s in m]
    assert not [s for s in secrets if s in caplog.text]
    assert not [s for s in secrets if s in repr(adapter)]


async def test_the_fake_builds_the_adapter_its_config_describes(fake: FakeBluesky) -> None:
    account = fake.account("brand")
    assert (account.platform, account.base_url, account.token_env) == (
        Platform.BLUESKY,
        fake.server.url,
        fake.token_env,
    )
    assert dict(account.extra) == {"handle": bluesky_shapes.BRAND_HANDLE}
    adapter = fake.adapter()
    assert isinstance(adapter, BlueskyAdapter)
    assert (await adapter.verify()).user_id == bluesky_shapes.BRAND_DID
    await adapter.aclose()
