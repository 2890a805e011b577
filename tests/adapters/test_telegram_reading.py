"""TelegramAdapter against a real local HTTP server: reading updates and replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from smm_tui.adapters import telegram
from smm_tui.adapters.base import PermanentError, TransientError, Unverifiable
from smm_tui.core.models import Author
from smm_tui.core.network import NotSent
from tests.adapters import httpserver
from tests.adapters import telegram_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer
from tests.fakes.base import Fault
from tests.fakes.telegram import FakeTelegram

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
fake = kit.fake


# -- reading -----------------------------------------------------------------


async def test_fixture_updates_become_mentions(http_server: TestServer) -> None:
    http_server.route(
        "POST",
        kit.UPDATES,
        httpserver.sequence(httpserver.json_reply(kit.fixture_body()), kit.EMPTY),
    )
    adapter = kit.adapter_for(http_server, long_poll=20)

    page = await adapter.fetch_mentions(None)

    anna, laila, mallory = page.mentions
    assert page.cursor == "905120304"
    assert anna.external_id == f"{kit.SUPPORT_CHAT}:4410"
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
        f"{kit.DISCUSSION}:911",
        f"{kit.DISCUSSION}:911",
    )
    # Hostile strings stay data, byte for byte; a private chat has no link.
    assert mallory.text == "[bold red]x[/] \x1b[31mALERT\x1b[0m <b>not bold</b> *also not bold*"
    assert mallory.author.display_name == "[blink]Mallory[/blink]\x1b[2J"
    assert (mallory.url, mallory.parent_external_id) == ("", "700000002:76")
    first, second = (kit.sent_json(r) for r in http_server.requests)
    assert first == {"limit": 100, "timeout": 20, "allowed_updates": ["message", "edited_message"]}
    assert second == {**first, "timeout": 0, "offset": 905120304}


async def test_thread_is_what_the_updates_brought(http_server: TestServer) -> None:
    http_server.route(
        "POST",
        kit.UPDATES,
        httpserver.sequence(httpserver.json_reply(kit.fixture_body()), kit.EMPTY),
    )
    http_server.route(
        "POST", kit.SEND, httpserver.raw_json_reply((kit.API / "reply-success.json").read_text())
    )
    adapter = kit.adapter_for(http_server)
    anna, laila, mallory = (await adapter.fetch_mentions(None)).mentions

    (post,) = await adapter.fetch_thread(laila)
    (bot_message,) = await adapter.fetch_thread(mallory)
    assert await adapter.fetch_thread(anna) == ()
    published = await adapter.post_reply(anna, "Анна, извините!", "k")

    assert post.external_id == f"{kit.DISCUSSION}:911"
    assert post.author == Author(str(kit.CHANNEL), "@acme_news", "ACME Новости")
    assert post.text == "Мы открылись после праздников! ☕️"
    assert bot_message.author.handle == "@acme_support_bot"
    assert [m.external_id for m in await adapter.fetch_thread(anna)] == [published.external_id]


def test_fixture_offsets_are_utf16_and_the_limit_counts_characters() -> None:
    anna = kit.fixture_messages()[0]
    text, url_entity = anna["text"], anna["entities"][1]
    units = text.encode("utf-16-le")
    start, length = 2 * url_entity["offset"], 2 * url_entity["length"]
    assert units[start : start + length].decode("utf-16-le") == "https://track.example.ru/4821"
    adapter = kit.adapter_for("http://127.0.0.1:9")
    assert adapter.reply_limit == 4096
    assert adapter.reply_length("😀" * 4096) == 4096  # code points, not UTF-16 units


async def test_which_messages_count(http_server: TestServer) -> None:
    channel = {
        "id": kit.CHANNEL,
        "title": "ACME Новости",
        "username": "acme_news",
        "type": "channel",
    }
    group = kit.fixture_messages()[0]["chat"]
    bot = {"id": 7000000001, "is_bot": True, "first_name": "ACME Support"}
    other = {"id": -1009, "title": "[red]Fan club[/]", "type": "channel"}
    items = kit.updates(
        {"channel_post": kit.message(1, chat=channel)},
        {"callback_query": {"id": "1", "from": bot, "data": "x"}},
        kit.message(2, None, new_chat_members=[bot]),  # a service message
        kit.message(3, "post", is_automatic_forward=True, sender_chat=channel),
        kit.message(4, "sent by a bot", **{"from": bot}),
        kit.message(5, None, caption="photo of the damage", photo=[{"file_id": "f"}]),
        kit.message(6, None, photo=[{"file_id": "g"}]),  # no caption: nothing to read
        kit.message(7, "an anonymous admin", sender_chat=group),
        kit.message(8, "the channel answering", sender_chat=channel),
        kit.message(9, "a fan channel", sender_chat=other),
        kit.message(10, "first words"),
        {"edited_message": kit.message(10, "second thoughts")},
        kit.message(11, "in a channel", chat=channel),
    )
    http_server.route("POST", kit.UPDATES, httpserver.sequence(kit.ok(items), kit.EMPTY))

    page = await kit.adapter_for(http_server).fetch_mentions("100")

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
    http_server.route("POST", kit.UPDATES, kit.EMPTY)
    adapter = kit.adapter_for(http_server)
    assert (await adapter.fetch_mentions("905120304")).cursor == "905120304"
    # Nothing pending on a first poll: from offset 0, everything that comes is new.
    assert (await adapter.fetch_mentions(None)).cursor == "0"
    assert (await adapter.fetch_mentions("n00-7")).cursor == "0"
    offsets = [kit.sent_json(r).get("offset") for r in http_server.requests]
    assert offsets == [905120304, None, None]


async def test_a_server_repeating_old_updates_is_not_looped_on(http_server: TestServer) -> None:
    http_server.route(
        "POST", kit.UPDATES, httpserver.json_reply(kit.fixture_body())
    )  # ignores the offset
    page = await kit.adapter_for(http_server).fetch_mentions("905120304")
    assert page.mentions == ()
    assert page.cursor == "905120304"
    assert len(http_server.requests) == 1


async def test_paging_stops_at_max_pages(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram, "MAX_PAGES", 3)

    def always_one_more(request: Request) -> Reply:
        offset = kit.sent_json(request).get("offset") or 1
        return kit.ok(kit.updates(kit.message(offset, f"m{offset}"), first=offset))

    http_server.route("POST", kit.UPDATES, always_one_more)
    page = await kit.adapter_for(http_server).fetch_mentions("1")
    assert [m.text for m in page.mentions] == ["m1", "m2", "m3"]
    assert page.cursor == "4"
    assert len(http_server.requests) == 3


async def test_a_later_page_failing_keeps_what_was_confirmed(http_server: TestServer) -> None:
    http_server.route(
        "POST",
        kit.UPDATES,
        httpserver.sequence(httpserver.json_reply(kit.fixture_body()), kit.failure(500, "oops")),
    )
    page = await kit.adapter_for(http_server).fetch_mentions("905120301")
    assert len(page.mentions) == 3
    assert page.cursor == "905120304"


async def test_a_backfill_failing_mid_way_goes_on_where_it_stopped(
    http_server: TestServer,
) -> None:
    replies = (httpserver.json_reply(kit.fixture_body()), kit.failure(500, "oops"), kit.EMPTY)
    http_server.route("POST", kit.UPDATES, httpserver.sequence(*replies))
    adapter = kit.adapter_for(http_server)
    with pytest.raises(TransientError):
        await adapter.fetch_mentions(None)

    page = await adapter.fetch_mentions(None)

    assert len(page.mentions) == 3
    assert page.cursor == "905120304"
    offsets = [kit.sent_json(r).get("offset") for r in http_server.requests]
    assert offsets == [None, 905120304, 905120304]


@pytest.mark.parametrize(("backfill", "kept"), [(2, 2), (0, 0)])
async def test_a_backfill_keeps_the_newest_pending_mentions(
    fake: FakeTelegram, backfill: int, kept: int
) -> None:
    sent = [fake.add_mention(f"old {k}") for k in range(5)]
    adapter = kit.adapter_for(fake.server, token=fake.token, backfill=backfill)

    page = await adapter.fetch_mentions(None)
    new = fake.add_mention("new")
    later = await adapter.fetch_mentions(page.cursor)

    assert [m.external_id for m in page.mentions] == sent[len(sent) - kept :]
    assert [m.external_id for m in later.mentions] == [new]
    await adapter.aclose()


async def test_verify_asks_get_me(http_server: TestServer) -> None:
    bot = json.loads((kit.API / "reply-success.json").read_text())["result"]["from"]
    http_server.route("POST", kit.PREFIX + "getMe", kit.ok(bot))
    identity = await kit.adapter_for(http_server).verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        "7000000001",
        "@acme_support_bot",
        "ACME Support",
    )


async def test_post_comments_and_reply_lookup_are_not_possible() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(PermanentError, match="cannot list a post's comments"):
        await adapter.fetch_post_comments(f"{kit.DISCUSSION}:911")
    with pytest.raises(Unverifiable, match="bank-tg"):
        await adapter.find_reply(kit.mention_of(f"{kit.SUPPORT_CHAT}:4410"), "hello")
    await adapter.aclose()


# -- replies -----------------------------------------------------------------


async def test_post_reply_request_shape(http_server: TestServer) -> None:
    http_server.route(
        "POST", kit.SEND, httpserver.raw_json_reply((kit.API / "reply-success.json").read_text())
    )
    text = "Анна, извините за задержку! Проверили — посылка в пути, трек обновится сегодня 🙏"

    published = await kit.adapter_for(http_server).post_reply(
        kit.mention_of(f"{kit.SUPPORT_CHAT}:4410"), text, "key-1"
    )

    assert published.external_id == f"{kit.SUPPORT_CHAT}:4412"
    assert published.url == "https://t.me/acme_chat/4412"
    (request,) = http_server.requests
    assert kit.sent_json(request) == {
        "chat_id": kit.SUPPORT_CHAT,
        "text": text,
        "reply_parameters": {"message_id": 4410},
    }


async def test_reply_to_a_foreign_id_is_refused_without_sending(http_server: TestServer) -> None:
    with pytest.raises(PermanentError, match="not a Telegram message id"):
        await kit.adapter_for(http_server).post_reply(kit.mention_of("s123"), "hi", "k")
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
