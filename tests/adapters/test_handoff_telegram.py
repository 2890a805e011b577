"""TelegramChannel against the fake Bot API on 127.0.0.1: the message, its chat, no token shown."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from smm_tui.adapters.handoff_telegram import TelegramChannel
from smm_tui.core.network import AuthError, NotSent, PermanentError, RateLimited
from tests.adapters import handoff_kit as kit
from tests.adapters import telegram_kit
from tests.adapters.httpserver import TestServer, running_server, unused_port
from tests.fakes.telegram import FakeTelegram

CHAT = -1001777000333


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    for server in running_server():
        made = FakeTelegram(server)
        made.chats[CHAT] = []
        yield made


def channel_on(base_url: str, token: str, chat: str = str(CHAT)) -> TelegramChannel:
    return TelegramChannel(
        kit.DEPARTMENT, token=token, chat_id=chat, token_env="BANK_TG_TOKEN", base_url=base_url
    )


async def test_the_text_arrives_in_the_department_chat_as_plain_text(fake: FakeTelegram) -> None:
    channel = channel_on(fake.server.url, fake.token)

    receipt = await channel.deliver(kit.handoff())

    (sent,) = fake.chats[CHAT]
    assert sent["chat_id"] == CHAT
    assert sent["text"] == kit.TEXT
    assert "parse_mode" not in sent
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert receipt.startswith("message ") and receipt[8:].isdigit()
    assert (channel.kind, channel.target) == ("telegram", f"chat {CHAT}")
    assert fake.published == []  # not a reply in the brand's discussion group


async def test_a_text_past_4096_characters_is_clipped_with_an_ellipsis(
    fake: FakeTelegram,
) -> None:
    long_text = "Карта " * 1000

    await channel_on(fake.server.url, fake.token).deliver(kit.handoff(text=long_text))

    (sent,) = fake.chats[CHAT]
    assert len(sent["text"]) == 4096
    assert sent["text"] == long_text[:4095] + "…"


async def test_a_bot_kicked_from_the_chat_is_refused_without_the_token(
    http_server: TestServer,
) -> None:
    kicked = telegram_kit.failure(403, "Forbidden: bot was kicked from the supergroup chat")
    http_server.route("POST", telegram_kit.SEND, kicked)

    with pytest.raises(PermanentError) as caught:
        await channel_on(http_server.url, telegram_kit.CANARY).deliver(kit.handoff())

    said = kit.assert_clean(caught.value, telegram_kit.CANARY, quote(telegram_kit.CANARY))
    assert said == (
        f"department 'Payments': telegram to chat {CHAT}: sendMessage refused (error 403): "
        "Forbidden: bot was kicked from the supergroup chat"
    )


async def test_a_refused_token_says_what_to_set_and_never_shows_it(
    http_server: TestServer,
) -> None:
    echo = f"Unauthorized: {telegram_kit.CANARY} /bot{quote(telegram_kit.CANARY, safe=':')}/"
    http_server.route("POST", telegram_kit.SEND, telegram_kit.failure(401, echo))

    with pytest.raises(AuthError) as caught:
        await channel_on(http_server.url, telegram_kit.CANARY).deliver(kit.handoff())

    said = kit.assert_clean(caught.value, telegram_kit.CANARY, "tok/7f3a", "tok%2F7f3a")
    assert said.endswith("set BANK_TG_TOKEN")


async def test_a_429_says_when_to_come_back(http_server: TestServer) -> None:
    limited = telegram_kit.failure(429, "Too Many Requests", parameters={"retry_after": 30})
    http_server.route("POST", telegram_kit.SEND, limited)

    with pytest.raises(RateLimited) as caught:
        await channel_on(http_server.url, telegram_kit.CANARY).deliver(kit.handoff())

    kit.assert_clean(caught.value, telegram_kit.CANARY)


async def test_nothing_listening_is_not_sent() -> None:
    channel = channel_on(f"http://127.0.0.1:{unused_port()}", telegram_kit.CANARY)

    with pytest.raises(NotSent) as caught:
        await channel.deliver(kit.handoff())

    said = kit.assert_clean(caught.value, telegram_kit.CANARY, "tok/7f3a", "tok%2F7f3a")
    assert "sendMessage not sent (could not connect)" in said
