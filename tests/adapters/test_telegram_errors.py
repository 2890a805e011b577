"""TelegramAdapter against a real local HTTP server: errors and secrets."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest

from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters import checks, httpserver
from tests.adapters import telegram_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer
from tests.conftest import FakeClock
from tests.fakes.base import Fault
from tests.fakes.harness import plain_client
from tests.fakes.telegram import FakeTelegram

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
fake = kit.fake


# -- errors ------------------------------------------------------------------


async def test_401_is_an_auth_error_saying_what_to_set(http_server: TestServer) -> None:
    http_server.route("POST", kit.UPDATES, kit.failure(401, "Unauthorized"))
    with pytest.raises(AuthError) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert str(caught.value) == (
        "telegram account 'bank-tg': token refused or expired (error 401: Unauthorized): "
        "set BANK_TG_TOKEN"
    )


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (kit.failure(404, "Not Found"), AuthError, "error 404: Not Found"),
        (
            kit.failure(409, "Conflict: terminated by other getUpdates request"),
            PermanentError,
            "another client is polling this bot or a webhook is set",
        ),
        (
            kit.failure(
                400,
                "Bad Request: upgraded",
                parameters={"migrate_to_chat_id": -1001},
            ),
            PermanentError,
            "refused (error 400): Bad Request: upgraded (the group is now supergroup -1001)",
        ),
        (kit.failure(400, "Bad Request: wrong offset", status=200), PermanentError, "wrong offset"),
        (kit.failure(502, "Bad Gateway"), TransientError, "failed (error 502): Bad Gateway"),
        (httpserver.html_error_page(502), TransientError, "answered HTTP 502"),
        (httpserver.truncated_json(kit.fixture_body()), TransientError, "malformed JSON"),
        (Reply(200, {"Content-Type": "text/html"}, b"<html>hi</html>"), TransientError, "HTML"),
        (kit.ok({"not": "a list"}), TransientError, "unexpected getUpdates result shape"),
        (httpserver.json_reply({"ok": True}), TransientError, "unexpected getUpdates answer shape"),
        (kit.ok([{"update_id": "1"}]), TransientError, "unexpected getUpdates result shape"),
    ],
    ids=[
        "404",
        "409",
        "400-migrated",
        "ok-false-in-200",
        "502-json",
        "502-html",
        "truncated",
        "html-200",
        "result-not-list",
        "no-result",
        "bad-update-id",
    ],
)
async def test_error_kinds(
    http_server: TestServer, reply: Reply, error: type[AdapterError], words: str
) -> None:
    http_server.route("POST", kit.UPDATES, reply)
    with pytest.raises(error) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert type(caught.value) is error
    assert words in str(caught.value)
    assert str(caught.value).startswith("telegram account 'bank-tg': ")


async def test_403_on_send_is_permanent_not_auth(http_server: TestServer) -> None:
    description = f"Forbidden: bot was kicked\nfrom the supergroup chat {kit.CANARY}"
    http_server.route("POST", kit.SEND, kit.failure(403, description))
    with pytest.raises(PermanentError) as caught:
        await kit.adapter_for(http_server).post_reply(
            kit.mention_of(f"{kit.SUPPORT_CHAT}:1"), "hi", "k"
        )
    assert type(caught.value) is PermanentError
    assert str(caught.value) == (
        "telegram account 'bank-tg': sendMessage refused (error 403): "
        "Forbidden: bot was kicked from the supergroup chat ***"
    )


async def test_429_retry_after_is_honoured_per_kind_of_call(http_server: TestServer) -> None:
    http_server.route("POST", kit.UPDATES, kit.TELEGRAM.answer("error-rate-limit.http"))
    http_server.route(
        "POST", kit.SEND, httpserver.raw_json_reply((kit.API / "reply-success.json").read_text())
    )
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(http_server, clock=clock)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions("5")
    assert caught.value.retry_at == kit.NOW + timedelta(seconds=35)
    with pytest.raises(RateLimited):
        await adapter.fetch_mentions("5")
    assert len(http_server.requests) == 1, "a request went to a spent budget"
    budget = adapter.rate_budget()
    assert budget is not None and budget.spent(kit.NOW)

    await adapter.post_reply(
        kit.mention_of(f"{kit.SUPPORT_CHAT}:4410"), "hi", "k"
    )  # another bucket
    http_server.route("POST", kit.UPDATES, kit.EMPTY)
    clock.now = kit.NOW + timedelta(seconds=36)
    await adapter.fetch_mentions("5")
    assert len(http_server.requests_to("POST", kit.UPDATES)) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "7"}, kit.NOW + timedelta(seconds=7)), ({}, kit.NOW + timedelta(seconds=60))],
    ids=["header", "nothing"],
)
async def test_429_without_retry_after_field(
    http_server: TestServer, headers: dict[str, str], expected: datetime
) -> None:
    body = {"ok": False, "error_code": 429, "description": "Too Many Requests"}
    http_server.route("POST", kit.SEND, httpserver.json_reply(body, 429, headers))
    with pytest.raises(RateLimited) as caught:
        await kit.adapter_for(http_server).post_reply(
            kit.mention_of(f"{kit.SUPPORT_CHAT}:1"), "hi", "k"
        )
    assert caught.value.retry_at == expected


async def test_fake_rate_limit_on_replies_leaves_reading_alone(fake: FakeTelegram) -> None:
    fake.add_mention("hello")
    clock = FakeClock(datetime.now(UTC))
    adapter = fake.adapter(clock=clock)
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail("reply", Fault.RATE_LIMIT)

    for _ in range(2):
        with pytest.raises(RateLimited):
            await adapter.post_reply(mention, "hi", "k")
    fake.add_mention("again")
    assert [m.text for m in (await adapter.fetch_mentions(None)).mentions] == ["again"]

    assert len(fake.requests("reply")) == 1
    clock.now += timedelta(seconds=36)
    await adapter.post_reply(mention, "hi", "k")
    assert len(fake.published) == 1
    await adapter.aclose()


async def test_stall_past_read_timeout_is_transient_and_bounded(http_server: TestServer) -> None:
    http_server.route("POST", kit.SEND, http_server.stall())
    timeout = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = kit.adapter_for(http_server, client=client)
        mention = kit.mention_of(f"{kit.SUPPORT_CHAT}:1")
        await checks.assert_stalled_reply_is_transient(adapter, mention, "sendMessage timed out")


async def test_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    http_server.route("POST", kit.UPDATES, http_server.stall())
    adapter = kit.adapter_for(http_server, deadline=0.25)
    await checks.assert_bounded_by_deadline(adapter, match="getUpdates timed out")


async def test_long_poll_outlasts_the_client_read_timeout(http_server: TestServer) -> None:
    held = threading.Event()

    def slow_first(request: Request) -> Reply:
        if kit.sent_json(request)["timeout"] > 0:
            held.wait(0.3)  # the server holds a long poll open until something arrives
        return kit.ok(
            kit.fixture_body()["result"] if "offset" not in kit.sent_json(request) else []
        )

    http_server.route("POST", kit.UPDATES, slow_first)
    timeout = httpx.Timeout(connect=1.0, read=0.1, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = kit.adapter_for(http_server, client=client, deadline=0.2, long_poll=1)
        page = await adapter.fetch_mentions(None)
    assert len(page.mentions) == 3
    assert [kit.sent_json(r)["timeout"] for r in http_server.requests] == [1, 0]


async def test_connect_refused_is_not_sent() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent, match="getUpdates not sent"):
        await adapter.fetch_mentions(None)
    with pytest.raises(NotSent, match="sendMessage not sent"):
        await adapter.post_reply(kit.mention_of(f"{kit.SUPPORT_CHAT}:1"), "hi", "k")
    await adapter.aclose()


async def test_default_host() -> None:
    own = kit.adapter_for(None)
    assert repr(own) == "TelegramAdapter(account='bank-tg', base_url='https://api.telegram.org')"
    await own.aclose()


# -- secrets -----------------------------------------------------------------


async def test_token_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faults: list[Reply] = [
        kit.failure(401, f"Unauthorized {kit.CANARY}"),
        kit.failure(404, f"Not Found: /bot{kit.CANARY}/getUpdates"),
        kit.failure(409, f"Conflict {quote(kit.CANARY, safe='')}"),
        kit.failure(400, f"Bad Request: {kit.CANARY}"),
        kit.failure(403, f"Forbidden {quote(kit.CANARY, safe=':')}"),
        kit.TELEGRAM.answer("error-rate-limit.http"),
        kit.failure(500, f"Internal {kit.CANARY}"),
        httpserver.html_error_page(502),
        httpserver.truncated_json({"token": kit.CANARY}),
    ]
    messages = await checks.fault_messages(
        http_server,
        [("POST", kit.UPDATES), ("POST", kit.SEND)],
        faults,
        lambda: kit.adapter_for(http_server),
        lambda adapter: (
            adapter.fetch_mentions("c"),
            adapter.post_reply(kit.mention_of(f"{kit.SUPPORT_CHAT}:1"), "x", "k"),
        ),
    )
    refused = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    messages += await checks.refused_messages(refused, "c")

    assert len(messages) == (2 * 2 + 1) * len(faults) + 2
    assert not [m for m in messages if "CANARY" in m or "\n" in m.strip("'\"()")]
    # httpx logs every request URL at INFO; the app's log filter redacts those, not us.
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not [m for m in ours if "CANARY" in m]
    assert any("getUpdates -> HTTP 500" in m for m in ours)


async def test_an_unreadable_update_is_skipped_not_fatal(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = kit.updates(kit.message(1, "first"), kit.message(2, "second"), first=100)
    second["message"]["date"] = "not a date"
    (third,) = kit.updates(kit.message(3, "third"), first=102)
    pages = [kit.ok([first, second]), kit.ok([third]), kit.EMPTY]
    http_server.route("POST", kit.UPDATES, httpserver.sequence(*pages))

    page = await kit.adapter_for(http_server).fetch_mentions(None)

    assert [m.text for m in page.mentions] == ["first", "third"]
    assert page.cursor == "103"
    assert "skipped update 101" in caplog.text
