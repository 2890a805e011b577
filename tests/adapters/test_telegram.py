"""TelegramAdapter against a real local HTTP server serving documented Bot API shapes."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from smm_tui.adapters import telegram
from smm_tui.adapters.base import (
    AuthError,
    PermanentError,
    RateLimited,
    TransientError,
    Unverifiable,
)
from smm_tui.adapters.telegram import TelegramAdapter
from smm_tui.core.models import Author
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    raw_json_reply,
    running_server,
    sequence,
    truncated_json,
    unused_port,
)
from tests.conftest import FakeClock
from tests.fakes.base import Fault
from tests.fakes.harness import Network, plain_client
from tests.fakes.telegram import FakeTelegram
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "telegram"
# A colon as in real tokens, plus characters that must not split the URL path.
CANARY = "CANARY-123:tok/7f3a+x=="
PREFIX = f"/bot{quote(CANARY, safe=':')}/"
UPDATES = PREFIX + "getUpdates"
SEND = PREFIX + "sendMessage"
ACCOUNT = "bank-tg"
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
SUPPORT_CHAT = -1001987654321
DISCUSSION = -1001555000111
CHANNEL = -1001444000222
EMPTY = json_reply({"ok": True, "result": []})


TELEGRAM = Network(
    TelegramAdapter,
    account=ACCOUNT,
    token=CANARY,
    token_env="BANK_TG_TOKEN",
    now=NOW,
    author=Author("1", "@someone"),
)
adapter_for = TELEGRAM.adapter
mention_of = TELEGRAM.mention


def fixture_body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((API / "list-mentions.json").read_text(encoding="utf-8"))
    return body


def fixture_messages() -> list[dict[str, Any]]:
    return [update["message"] for update in fixture_body()["result"]]


def ok(result: Any) -> Reply:
    return json_reply({"ok": True, "result": result})


def failure(code: int, description: str, status: int | None = None, **extra: Any) -> Reply:
    body = {"ok": False, "error_code": code, "description": description, **extra}
    return json_reply(body, status or code)


def sent_json(request: Request) -> Any:
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.body)


def message(message_id: int, text: str | None = "hi", **fields: Any) -> dict[str, Any]:
    """A user's message in the support supergroup."""
    base = copy.deepcopy(fixture_messages()[0])
    base.pop("entities")
    base["message_id"] = message_id
    if text is None:
        base.pop("text")
    else:
        base["text"] = text
    base.update(fields)
    return base


def updates(*items: dict[str, Any], first: int = 100) -> list[dict[str, Any]]:
    """Updates numbered from ``first``; a bare message becomes a "message" update."""
    wrapped = [item if "message_id" not in item else {"message": item} for item in items]
    return [dict(item, update_id=first + k) for k, item in enumerate(wrapped)]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    for server in running_server():
        yield FakeTelegram(server)


# -- reading -----------------------------------------------------------------


async def test_fixture_updates_become_mentions(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, sequence(json_reply(fixture_body()), EMPTY))
    adapter = adapter_for(http_server, long_poll=20)

    page = await adapter.fetch_mentions(None)

    anna, laila, mallory = page.mentions
    assert page.cursor == "905120304"
    assert anna.external_id == f"{SUPPORT_CHAT}:4410"
    assert anna.author == Author("512345678", "@anna_sm", "Анна Смирнова")
    assert anna.text == (
        "@acme_support_bot Привет! Заказ №4821 так и не пришёл 😕 Трек: https://track.example.ru/4821"
    )
    assert anna.url == "https://t.me/acme_chat/4410"
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, tzinfo=UTC)
    assert (anna.parent_external_id, anna.root_external_id) == (None, anna.external_id)
    assert [m.language for m in page.mentions] == ["ru", "ar", ""]
    # A comment on a channel post: it answers the post's automatic forward.
    assert laila.author == Author("600000001", "id600000001", "ليلى")
    assert laila.url == "https://t.me/c/1555000111/913"
    assert laila.text == "مرحبا! هل لديكم حليب الشوفان؟ 🥛👩🏽\u200d💻"
    assert (laila.parent_external_id, laila.root_external_id) == (
        f"{DISCUSSION}:911",
        f"{DISCUSSION}:911",
    )
    # Hostile strings stay data, byte for byte; a private chat has no link.
    assert mallory.text == "[bold red]x[/] \x1b[31mALERT\x1b[0m <b>not bold</b> *also not bold*"
    assert mallory.author.display_name == "[blink]Mallory[/blink]\x1b[2J"
    assert (mallory.url, mallory.parent_external_id) == ("", "700000002:76")
    first, second = (sent_json(r) for r in http_server.requests)
    assert first == {"limit": 100, "timeout": 20, "allowed_updates": ["message", "edited_message"]}
    assert second == {**first, "timeout": 0, "offset": 905120304}


async def test_thread_is_what_the_updates_brought(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, sequence(json_reply(fixture_body()), EMPTY))
    http_server.route("POST", SEND, raw_json_reply((API / "reply-success.json").read_text()))
    adapter = adapter_for(http_server)
    anna, laila, mallory = (await adapter.fetch_mentions(None)).mentions

    (post,) = await adapter.fetch_thread(laila)
    (bot_message,) = await adapter.fetch_thread(mallory)
    assert await adapter.fetch_thread(anna) == ()
    published = await adapter.post_reply(anna, "Анна, извините!", "k")

    assert post.external_id == f"{DISCUSSION}:911"
    assert post.author == Author(str(CHANNEL), "@acme_news", "ACME Новости")
    assert post.text == "Мы открылись после праздников! ☕️"
    assert bot_message.author.handle == "@acme_support_bot"
    assert [m.external_id for m in await adapter.fetch_thread(anna)] == [published.external_id]


def test_fixture_offsets_are_utf16_and_the_limit_counts_characters() -> None:
    anna = fixture_messages()[0]
    text, url_entity = anna["text"], anna["entities"][1]
    units = text.encode("utf-16-le")
    start, length = 2 * url_entity["offset"], 2 * url_entity["length"]
    assert units[start : start + length].decode("utf-16-le") == "https://track.example.ru/4821"
    adapter = adapter_for("http://127.0.0.1:9")
    assert adapter.reply_limit == 4096
    assert adapter.reply_length("😀" * 4096) == 4096  # code points, not UTF-16 units


async def test_which_messages_count(http_server: TestServer) -> None:
    channel = {"id": CHANNEL, "title": "ACME Новости", "username": "acme_news", "type": "channel"}
    group = fixture_messages()[0]["chat"]
    bot = {"id": 7000000001, "is_bot": True, "first_name": "ACME Support"}
    other = {"id": -1009, "title": "[red]Fan club[/]", "type": "channel"}
    items = updates(
        {"channel_post": message(1, chat=channel)},
        {"callback_query": {"id": "1", "from": bot, "data": "x"}},
        message(2, None, new_chat_members=[bot]),  # a service message
        message(3, "post", is_automatic_forward=True, sender_chat=channel),
        message(4, "sent by a bot", **{"from": bot}),
        message(5, None, caption="photo of the damage", photo=[{"file_id": "f"}]),
        message(6, None, photo=[{"file_id": "g"}]),  # no caption: nothing to read
        message(7, "an anonymous admin", sender_chat=group),
        message(8, "the channel answering", sender_chat=channel),
        message(9, "a fan channel", sender_chat=other),
        message(10, "first words"),
        {"edited_message": message(10, "second thoughts")},
        message(11, "in a channel", chat=channel),
    )
    http_server.route("POST", UPDATES, sequence(ok(items), EMPTY))

    page = await adapter_for(http_server).fetch_mentions("100")

    assert [(m.external_id.split(":")[1], m.text) for m in page.mentions] == [
        ("5", "photo of the damage"),
        ("9", "a fan channel"),
        ("10", "second thoughts"),
    ]
    assert page.mentions[1].author == Author("-1009", "id-1009", "[red]Fan club[/]")
    assert page.cursor == "113"


async def test_pages_until_an_empty_batch(fake: FakeTelegram) -> None:
    sent = [f"question {k}" for k in range(1, 8)]
    ids = [fake.add_mention(text) for text in sent]
    adapter = fake.adapter()

    page = await adapter.fetch_mentions(None)
    again = await adapter.fetch_mentions(page.cursor)

    assert [m.text for m in page.mentions] == sent
    assert [m.external_id for m in page.mentions] == ids
    first = telegram_offsets(fake)
    assert first[:5] == [None, 905120304, 905120307, 905120309, 905120309]  # post + 7: 3+3+2
    assert again.mentions == () and again.cursor == page.cursor == "905120309"
    await adapter.aclose()


def telegram_offsets(fake: FakeTelegram) -> list[int | None]:
    return [json.loads(r.body).get("offset") for r in fake.requests("mentions")]


async def test_nothing_new_keeps_the_cursor_and_a_foreign_cursor_is_ignored(
    http_server: TestServer,
) -> None:
    http_server.route("POST", UPDATES, EMPTY)
    adapter = adapter_for(http_server)
    assert (await adapter.fetch_mentions("905120304")).cursor == "905120304"
    # Nothing pending on a first poll: from offset 0, everything that comes is new.
    assert (await adapter.fetch_mentions(None)).cursor == "0"
    assert (await adapter.fetch_mentions("n00-7")).cursor == "0"
    offsets = [sent_json(r).get("offset") for r in http_server.requests]
    assert offsets == [905120304, None, None]


async def test_a_server_repeating_old_updates_is_not_looped_on(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, json_reply(fixture_body()))  # ignores the offset
    page = await adapter_for(http_server).fetch_mentions("905120304")
    assert page.mentions == ()
    assert page.cursor == "905120304"
    assert len(http_server.requests) == 1


async def test_paging_stops_at_max_pages(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram, "MAX_PAGES", 3)

    def always_one_more(request: Request) -> Reply:
        offset = sent_json(request).get("offset") or 1
        return ok(updates(message(offset, f"m{offset}"), first=offset))

    http_server.route("POST", UPDATES, always_one_more)
    page = await adapter_for(http_server).fetch_mentions("1")
    assert [m.text for m in page.mentions] == ["m1", "m2", "m3"]
    assert page.cursor == "4"
    assert len(http_server.requests) == 3


async def test_a_later_page_failing_keeps_what_was_confirmed(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, sequence(json_reply(fixture_body()), failure(500, "oops")))
    page = await adapter_for(http_server).fetch_mentions("905120301")
    assert len(page.mentions) == 3
    assert page.cursor == "905120304"


async def test_a_backfill_failing_mid_way_goes_on_where_it_stopped(
    http_server: TestServer,
) -> None:
    replies = (json_reply(fixture_body()), failure(500, "oops"), EMPTY)
    http_server.route("POST", UPDATES, sequence(*replies))
    adapter = adapter_for(http_server)
    with pytest.raises(TransientError):
        await adapter.fetch_mentions(None)

    page = await adapter.fetch_mentions(None)

    assert len(page.mentions) == 3
    assert page.cursor == "905120304"
    offsets = [sent_json(r).get("offset") for r in http_server.requests]
    assert offsets == [None, 905120304, 905120304]


@pytest.mark.parametrize(("backfill", "kept"), [(2, 2), (0, 0)])
async def test_a_backfill_keeps_the_newest_pending_mentions(
    fake: FakeTelegram, backfill: int, kept: int
) -> None:
    sent = [fake.add_mention(f"old {k}") for k in range(5)]
    adapter = adapter_for(fake.server, token=fake.token, backfill=backfill)

    page = await adapter.fetch_mentions(None)
    new = fake.add_mention("new")
    later = await adapter.fetch_mentions(page.cursor)

    assert [m.external_id for m in page.mentions] == sent[len(sent) - kept :]
    assert [m.external_id for m in later.mentions] == [new]
    await adapter.aclose()


async def test_verify_asks_get_me(http_server: TestServer) -> None:
    bot = json.loads((API / "reply-success.json").read_text())["result"]["from"]
    http_server.route("POST", PREFIX + "getMe", ok(bot))
    identity = await adapter_for(http_server).verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        "7000000001",
        "@acme_support_bot",
        "ACME Support",
    )


async def test_post_comments_and_reply_lookup_are_not_possible() -> None:
    adapter = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(PermanentError, match="cannot list a post's comments"):
        await adapter.fetch_post_comments(f"{DISCUSSION}:911")
    with pytest.raises(Unverifiable, match="bank-tg"):
        await adapter.find_reply(mention_of(f"{SUPPORT_CHAT}:4410"), "hello")
    await adapter.aclose()


# -- replies -----------------------------------------------------------------


async def test_post_reply_request_shape(http_server: TestServer) -> None:
    http_server.route("POST", SEND, raw_json_reply((API / "reply-success.json").read_text()))
    text = "Анна, извините за задержку! Проверили — посылка в пути, трек обновится сегодня 🙏"

    published = await adapter_for(http_server).post_reply(
        mention_of(f"{SUPPORT_CHAT}:4410"), text, "key-1"
    )

    assert published.external_id == f"{SUPPORT_CHAT}:4412"
    assert published.url == "https://t.me/acme_chat/4412"
    (request,) = http_server.requests
    assert sent_json(request) == {
        "chat_id": SUPPORT_CHAT,
        "text": text,
        "reply_parameters": {"message_id": 4410},
    }


async def test_reply_to_a_foreign_id_is_refused_without_sending(http_server: TestServer) -> None:
    with pytest.raises(PermanentError, match="not a Telegram message id"):
        await adapter_for(http_server).post_reply(mention_of("s123"), "hi", "k")
    assert http_server.requests == []


async def test_fake_reply_lands_once_and_cannot_be_looked_for(fake: FakeTelegram) -> None:
    question = fake.add_mention("card blocked")
    adapter = fake.adapter(timeout=httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0))
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail("reply", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError) as caught:
        await adapter.post_reply(mention, "We have unblocked it", "k")

    assert not isinstance(caught.value, NotSent)
    assert [(p.text, p.in_reply_to) for p in fake.published] == [("We have unblocked it", question)]
    with pytest.raises(Unverifiable):
        await adapter.find_reply(mention, "We have unblocked it")
    with pytest.raises(ValueError, match="no thread call"):
        fake.fail("thread", Fault.SERVER_ERROR)
    await adapter.aclose()


# -- errors ------------------------------------------------------------------


async def test_401_is_an_auth_error_saying_what_to_set(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, failure(401, "Unauthorized"))
    with pytest.raises(AuthError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert str(caught.value) == (
        "telegram account 'bank-tg': token refused or expired (error 401: Unauthorized): "
        "set BANK_TG_TOKEN"
    )


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (failure(404, "Not Found"), AuthError, "error 404: Not Found"),
        (
            failure(409, "Conflict: terminated by other getUpdates request"),
            PermanentError,
            "another client is polling this bot or a webhook is set",
        ),
        (
            failure(
                400,
                "Bad Request: upgraded",
                parameters={"migrate_to_chat_id": -1001},
            ),
            PermanentError,
            "refused (error 400): Bad Request: upgraded (the group is now supergroup -1001)",
        ),
        (failure(400, "Bad Request: wrong offset", status=200), PermanentError, "wrong offset"),
        (failure(502, "Bad Gateway"), TransientError, "failed (error 502): Bad Gateway"),
        (html_error_page(502), TransientError, "answered HTTP 502"),
        (truncated_json(fixture_body()), TransientError, "malformed JSON"),
        (Reply(200, {"Content-Type": "text/html"}, b"<html>hi</html>"), TransientError, "HTML"),
        (ok({"not": "a list"}), TransientError, "unexpected getUpdates result shape"),
        (json_reply({"ok": True}), TransientError, "unexpected getUpdates answer shape"),
        (ok([{"update_id": "1"}]), TransientError, "unexpected getUpdates result shape"),
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
    http_server.route("POST", UPDATES, reply)
    with pytest.raises(error) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert type(caught.value) is error
    assert words in str(caught.value)
    assert str(caught.value).startswith("telegram account 'bank-tg': ")


async def test_403_on_send_is_permanent_not_auth(http_server: TestServer) -> None:
    description = f"Forbidden: bot was kicked\nfrom the supergroup chat {CANARY}"
    http_server.route("POST", SEND, failure(403, description))
    with pytest.raises(PermanentError) as caught:
        await adapter_for(http_server).post_reply(mention_of(f"{SUPPORT_CHAT}:1"), "hi", "k")
    assert type(caught.value) is PermanentError
    assert str(caught.value) == (
        "telegram account 'bank-tg': sendMessage refused (error 403): "
        "Forbidden: bot was kicked from the supergroup chat ***"
    )


async def test_429_retry_after_is_honoured_per_kind_of_call(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, TELEGRAM.answer("error-rate-limit.http"))
    http_server.route("POST", SEND, raw_json_reply((API / "reply-success.json").read_text()))
    clock = FakeClock(NOW)
    adapter = adapter_for(http_server, clock=clock)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions("5")
    assert caught.value.retry_at == NOW + timedelta(seconds=35)
    with pytest.raises(RateLimited):
        await adapter.fetch_mentions("5")
    assert len(http_server.requests) == 1, "a request went to a spent budget"
    budget = adapter.rate_budget()
    assert budget is not None and budget.spent(NOW)

    await adapter.post_reply(mention_of(f"{SUPPORT_CHAT}:4410"), "hi", "k")  # another bucket
    http_server.route("POST", UPDATES, EMPTY)
    clock.now = NOW + timedelta(seconds=36)
    await adapter.fetch_mentions("5")
    assert len(http_server.requests_to("POST", UPDATES)) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "7"}, NOW + timedelta(seconds=7)), ({}, NOW + timedelta(seconds=60))],
    ids=["header", "nothing"],
)
async def test_429_without_retry_after_field(
    http_server: TestServer, headers: dict[str, str], expected: datetime
) -> None:
    body = {"ok": False, "error_code": 429, "description": "Too Many Requests"}
    http_server.route("POST", SEND, json_reply(body, 429, headers))
    with pytest.raises(RateLimited) as caught:
        await adapter_for(http_server).post_reply(mention_of(f"{SUPPORT_CHAT}:1"), "hi", "k")
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
    http_server.route("POST", SEND, http_server.stall())
    timeout = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = adapter_for(http_server, client=client)
        started = time.monotonic()
        with pytest.raises(TransientError, match="sendMessage timed out") as caught:
            await adapter.post_reply(mention_of(f"{SUPPORT_CHAT}:1"), "hello", "k")
    assert time.monotonic() - started < 3.0
    assert not isinstance(caught.value, NotSent)  # the message may have been sent


async def test_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    http_server.route("POST", UPDATES, http_server.stall())
    adapter = adapter_for(http_server, deadline=0.25)
    started = time.monotonic()
    with pytest.raises(TransientError, match="getUpdates timed out"):
        await adapter.fetch_mentions(None)
    assert time.monotonic() - started < 2.0
    await adapter.aclose()


async def test_long_poll_outlasts_the_client_read_timeout(http_server: TestServer) -> None:
    held = threading.Event()

    def slow_first(request: Request) -> Reply:
        if sent_json(request)["timeout"] > 0:
            held.wait(0.3)  # the server holds a long poll open until something arrives
        return ok(fixture_body()["result"] if "offset" not in sent_json(request) else [])

    http_server.route("POST", UPDATES, slow_first)
    timeout = httpx.Timeout(connect=1.0, read=0.1, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = adapter_for(http_server, client=client, deadline=0.2, long_poll=1)
        page = await adapter.fetch_mentions(None)
    assert len(page.mentions) == 3
    assert [sent_json(r)["timeout"] for r in http_server.requests] == [1, 0]


async def test_connect_refused_is_not_sent() -> None:
    adapter = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent, match="getUpdates not sent"):
        await adapter.fetch_mentions(None)
    with pytest.raises(NotSent, match="sendMessage not sent"):
        await adapter.post_reply(mention_of(f"{SUPPORT_CHAT}:1"), "hi", "k")
    await adapter.aclose()


async def test_default_host() -> None:
    own = adapter_for(None)
    assert repr(own) == "TelegramAdapter(account='bank-tg', base_url='https://api.telegram.org')"
    await own.aclose()


# -- secrets -----------------------------------------------------------------


async def test_token_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faults: list[Reply] = [
        failure(401, f"Unauthorized {CANARY}"),
        failure(404, f"Not Found: /bot{CANARY}/getUpdates"),
        failure(409, f"Conflict {quote(CANARY, safe='')}"),
        failure(400, f"Bad Request: {CANARY}"),
        failure(403, f"Forbidden {quote(CANARY, safe=':')}"),
        TELEGRAM.answer("error-rate-limit.http"),
        failure(500, f"Internal {CANARY}"),
        html_error_page(502),
        truncated_json({"token": CANARY}),
    ]
    messages: list[str] = []
    for reply in faults:
        http_server.route("POST", UPDATES, reply)
        http_server.route("POST", SEND, reply)
        adapter = adapter_for(http_server)
        for call in (
            adapter.fetch_mentions("c"),
            adapter.post_reply(mention_of(f"{SUPPORT_CHAT}:1"), "x", "k"),
        ):
            with pytest.raises(AdapterError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
    refused = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent) as caught_refused:
        await refused.fetch_mentions("c")
    messages += [str(caught_refused.value), repr(adapter), repr(refused)]

    assert len(messages) == 2 * 2 * len(faults) + 3
    assert not [m for m in messages if "CANARY" in m or "\n" in m.strip("'\"()")]
    # httpx logs every request URL at INFO; the app's log filter redacts those, not us.
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not [m for m in ours if "CANARY" in m]
    assert any("getUpdates -> HTTP 500" in m for m in ours)


async def test_an_unreadable_update_is_skipped_not_fatal(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = updates(message(1, "first"), message(2, "second"), first=100)
    second["message"]["date"] = "not a date"
    (third,) = updates(message(3, "third"), first=102)
    pages = [ok([first, second]), ok([third]), EMPTY]
    http_server.route("POST", UPDATES, sequence(*pages))

    page = await adapter_for(http_server).fetch_mentions(None)

    assert [m.text for m in page.mentions] == ["first", "third"]
    assert page.cursor == "103"
    assert "skipped update 101" in caplog.text
