"""TelegramAdapter publishing to the brand's channel, its subscriber count and post counters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from smm_tui.adapters.base import (
    Adapter,
    AdapterError,
    AuthError,
    PermanentError,
    PostCounters,
    RateLimited,
    TransientError,
    Unverifiable,
)
from smm_tui.adapters.telegram_posts import COUNTERS_NOTE
from smm_tui.core.network import NotSent
from tests.adapters import checks, httpserver
from tests.adapters import telegram_kit as kit
from tests.adapters.httpserver import Reply, TestServer
from tests.conftest import FakeClock
from tests.fakes.base import BrandPost, Fault
from tests.fakes.telegram import RETRY_AFTER, FakeTelegram

fake = kit.fake

TEXT = "Spring offer: 3% cashback on every card until May. Details: https://bank.example/spring"
#: Markup of every kind Telegram could parse, Rich markup, bidi overrides and control characters.
HOSTILE = (
    "<b>bold</b> <a href='tg://user?id=1'>x</a> *star* _under_ `code` [link](https://evil.example)"
    " ||spoiler|| [red]rich[/red] \u202eevil\u202c \u200b\x1b[31mred\x1b[0m\nline two & &amp;"
)
NO_CHANNEL = (
    "telegram account 'bank-tg' has no channel: set channel = \"@name\" in its [[accounts]] block"
)


@pytest.fixture
async def publisher(fake: FakeTelegram) -> AsyncIterator[Adapter]:
    """A real adapter on the fake, with the fake's channel (``@acme_news``)."""
    made = fake.adapter(clock=FakeClock(datetime.now(UTC)))
    yield made
    await made.aclose()
    await fake.aclose()


def on_channel(
    server: TestServer | str, channel: object = kit.CHANNEL_NAME, *, deadline: float = 5.0
) -> Adapter:
    """An adapter on ``server`` for the test bot with ``channel`` configured."""
    return kit.adapter_for(server, keys={"channel": channel}, deadline=deadline)


# -- publishing ----------------------------------------------------------------


async def test_a_post_is_plain_text_sent_to_the_channel(
    fake: FakeTelegram, publisher: Adapter
) -> None:
    published = await publisher.publish_post(TEXT, "d8f3:brand")

    (request,) = fake.requests("post")
    assert json.loads(request.body) == {"chat_id": "@acme_news", "text": TEXT}  # no parse_mode
    assert fake.requests("reply") == []
    assert fake.posts == [BrandPost(published.external_id, TEXT)]
    assert published.url == f"https://t.me/acme_news/{published.external_id}"


@pytest.mark.parametrize(
    ("channel", "chat_id", "url"),
    [
        ("@acme_news", "@acme_news", "https://t.me/acme_news/77"),
        (kit.CHANNEL, kit.CHANNEL, "https://t.me/c/1444000222/77"),
        (str(kit.CHANNEL), kit.CHANNEL, "https://t.me/c/1444000222/77"),
        (-4001234, -4001234, ""),  # a basic group: Telegram makes no links to its messages
    ],
    ids=["name", "numeric", "numeric-string", "not-a-channel-id"],
)
async def test_the_posts_url_follows_the_configured_channel(
    http_server: TestServer, channel: object, chat_id: object, url: str
) -> None:
    http_server.route("POST", kit.SEND, kit.ok(kit.channel_post(77)))

    published = await on_channel(http_server, channel).publish_post("hello", "k")

    assert (published.external_id, published.url) == ("77", url)
    assert kit.sent_json(http_server.requests[0]) == {"chat_id": chat_id, "text": "hello"}


async def test_message_id_0_may_be_a_scheduled_post_so_it_is_transient(
    http_server: TestServer,
) -> None:
    http_server.route("POST", kit.SEND, kit.ok(kit.channel_post(0)))

    with pytest.raises(TransientError, match="message id 0: it may have scheduled") as caught:
        await on_channel(http_server).publish_post("hello", "k")
    assert not isinstance(caught.value, NotSent)


@pytest.mark.parametrize(
    "result",
    [{"message_id": "77"}, {"message_id": True}, {"message_id": -1}, {}, [77], None],
    ids=["string", "bool", "negative", "missing", "list", "null"],
)
async def test_an_unreadable_answer_to_a_post_is_transient(
    http_server: TestServer, result: object
) -> None:
    http_server.route("POST", kit.SEND, kit.ok(result))

    with pytest.raises(TransientError, match="unexpected sendMessage result shape"):
        await on_channel(http_server).publish_post("hello", "k")


async def test_without_a_channel_publishing_and_followers_say_what_to_set(
    http_server: TestServer,
) -> None:
    adapter = kit.adapter_for(http_server)

    for call in (adapter.publish_post("hello", "k"), adapter.follower_count()):
        with pytest.raises(PermanentError) as caught:
            await call
        assert str(caught.value) == NO_CHANNEL
    assert http_server.requests == []


async def test_hostile_text_goes_out_as_it_is_and_is_never_parsed(
    fake: FakeTelegram, publisher: Adapter
) -> None:
    published = await publisher.publish_post(HOSTILE, "k")

    sent = json.loads(fake.requests("post")[0].body)
    assert sent == {"chat_id": "@acme_news", "text": HOSTILE}
    assert fake.posts[0].text == HOSTILE
    assert published.external_id.isdigit()
    assert published.url == f"https://t.me/acme_news/{published.external_id}"


async def test_a_post_is_not_looked_for_the_bot_api_cannot_list_a_channel(
    http_server: TestServer,
) -> None:
    with pytest.raises(Unverifiable, match="cannot list a channel's posts"):
        await on_channel(http_server).find_post("hello", "k", kit.NOW)
    assert http_server.requests == []


# -- errors --------------------------------------------------------------------


async def test_a_rate_limit_publishes_nothing_and_blocks_only_posting(
    fake: FakeTelegram,
) -> None:
    clock = FakeClock(datetime.now(UTC))
    adapter = fake.adapter(clock=clock)
    fake.fail("post", Fault.RATE_LIMIT)

    with pytest.raises(RateLimited) as caught:
        await adapter.publish_post(TEXT, "k")
    assert caught.value.retry_at == clock.now + timedelta(seconds=RETRY_AFTER)
    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, "k")
    assert len(fake.requests("post")) == 1, "a request went to a spent budget"
    assert fake.posts == []

    fake.add_mention("still read")
    assert [m.text for m in (await adapter.fetch_mentions(None)).mentions] == ["still read"]
    clock.now += timedelta(seconds=RETRY_AFTER + 1)
    await adapter.publish_post(TEXT, "k")
    assert [post.text for post in fake.posts] == [TEXT]
    await adapter.aclose()
    await fake.aclose()


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (
            kit.failure(403, "Forbidden: bot is not a member of the channel chat"),
            PermanentError,
            "sendMessage refused (error 403): Forbidden: bot is not a member of the channel chat",
        ),
        (
            kit.failure(400, "Bad Request: chat not found"),
            PermanentError,
            "refused (error 400)",
        ),
        (kit.failure(401, "Unauthorized"), AuthError, "token refused or expired"),
        (kit.failure(502, "Bad Gateway"), TransientError, "failed (error 502)"),
        (httpserver.html_error_page(502), TransientError, "answered HTTP 502"),
    ],
    ids=["403-not-admin", "400-no-chat", "401", "502", "502-html"],
)
async def test_publishing_errors_are_typed(
    http_server: TestServer, reply: Reply, error: type[AdapterError], words: str
) -> None:
    http_server.route("POST", kit.SEND, reply)

    with pytest.raises(error) as caught:
        await on_channel(http_server).publish_post("hello", "k")
    assert words in str(caught.value)
    assert not isinstance(caught.value, NotSent)


async def test_a_post_that_may_have_arrived_is_transient_not_unsent(
    http_server: TestServer,
) -> None:
    http_server.route("POST", kit.SEND, http_server.stall())
    adapter = on_channel(http_server, deadline=0.3)

    await checks.assert_sent_and_transient(adapter, adapter.publish_post("hello", "k"))


async def test_a_post_that_never_left_is_not_sent() -> None:
    adapter = on_channel(f"http://127.0.0.1:{httpserver.unused_port()}")

    with pytest.raises(NotSent, match="sendMessage not sent"):
        await adapter.publish_post("hello", "k")
    await adapter.aclose()


# -- followers and counters ------------------------------------------------------


async def test_the_follower_count_is_the_channels_member_count(
    fake: FakeTelegram, publisher: Adapter
) -> None:
    fake.followers = 48_213

    assert await publisher.follower_count() == 48_213
    (request,) = fake.requests("followers")
    assert json.loads(request.body) == {"chat_id": "@acme_news"}


@pytest.mark.parametrize(
    "result", ["12", -1, True, None], ids=["string", "negative", "bool", "null"]
)
async def test_an_unreadable_member_count_is_transient(
    http_server: TestServer, result: object
) -> None:
    http_server.route("POST", kit.MEMBERS, kit.ok(result))

    with pytest.raises(TransientError, match="unexpected getChatMemberCount result shape"):
        await on_channel(http_server).follower_count()


async def test_counters_are_unknown_with_a_reason_and_need_no_request(
    http_server: TestServer,
) -> None:
    counters = await on_channel(http_server).post_counters(["77", "78"])

    unknown = PostCounters(note=COUNTERS_NOTE)
    assert counters == {"77": unknown, "78": unknown}
    assert (unknown.likes, unknown.reposts, unknown.replies, unknown.views) == (None,) * 4
    assert http_server.requests == []


# -- secrets -------------------------------------------------------------------


async def test_the_token_is_in_no_message_or_repr(http_server: TestServer) -> None:
    faults: list[Reply] = [
        kit.failure(401, f"Unauthorized {kit.CANARY}"),
        kit.failure(403, f"Forbidden: /bot{kit.CANARY}/sendMessage"),
        kit.failure(400, f"Bad Request: {kit.CANARY}\nsecond line"),
        kit.failure(429, f"Too Many Requests {kit.CANARY}", parameters={"retry_after": 3}),
        kit.failure(500, f"Internal {kit.CANARY}"),
        kit.ok({"message_id": 0, "text": kit.CANARY}),
        httpserver.truncated_json({"token": kit.CANARY}),
    ]
    messages = await checks.fault_messages(
        http_server,
        [("POST", kit.SEND), ("POST", kit.MEMBERS)],
        faults,
        lambda: on_channel(http_server),
        lambda adapter: (adapter.publish_post("x", "k"), adapter.follower_count()),
    )
    refused = on_channel(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent) as caught:
        await refused.publish_post("x", "k")
    messages += [str(caught.value), repr(caught.value), repr(refused)]

    assert len(messages) == (2 * 2 + 1) * len(faults) + 3
    assert not [m for m in messages if "CANARY" in m or "\n" in m.strip("'\"()")]


@pytest.mark.parametrize("channel", ["acme_news", "@a b", "", "-100x"])
def test_a_channel_that_is_neither_a_name_nor_an_id_is_refused(channel: str) -> None:
    with pytest.raises(ValueError, match="telegram account 'bank-tg': channel must be"):
        kit.adapter_for(None, keys={"channel": channel})
