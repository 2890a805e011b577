"""What every Telegram adapter test module shares: the test bot, its fake, the Bot API answers."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from smm_tui.adapters.telegram import TelegramAdapter
from smm_tui.core.models import Author
from tests.adapters.httpserver import Reply, Request, json_reply, running_server
from tests.fakes.harness import Network
from tests.fakes.telegram import FakeTelegram
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "telegram"
# A colon as in real tokens, plus characters that must not split the URL path.
CANARY = "CANARY-123:tok/7f3a+x=="
PREFIX = f"/bot{quote(CANARY, safe=':')}/"
UPDATES = PREFIX + "getUpdates"
SEND = PREFIX + "sendMessage"
MEMBERS = PREFIX + "getChatMemberCount"
ACCOUNT = "bank-tg"
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
SUPPORT_CHAT = -1001987654321
DISCUSSION = -1001555000111
CHANNEL = -1001444000222
#: The brand channel's @name (its id is :data:`CHANNEL`).
CHANNEL_NAME = "@acme_news"
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


def channel_post(message_id: int, text: str = "hi", chat_id: int = CHANNEL) -> dict[str, Any]:
    """sendMessage's result for a post in the brand's channel."""
    chat = {"id": chat_id, "title": "ACME Новости", "type": "channel"}
    return {"message_id": message_id, "sender_chat": chat, "chat": chat, "date": 1, "text": text}


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
