"""What every VK adapter test module shares: the test account, its fake and VK's answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from smm_tui.adapters.vk import VKAdapter
from smm_tui.core.models import Author
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, sequence
from tests.conftest import FakeClock
from tests.fakes.harness import Network
from tests.fakes.vk import FakeVK
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "vk"
CANARY = "CANARY-vk/7f3a+x=="
#: The admin's user token (``user_token_env``), a canary as well.
USER_CANARY = "CANARY-vk-user/9b2e+y=="
ACCOUNT = "bank-vk"
GROUP = 218375169
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
LP = "/lp"


@pytest.fixture
def server(http_server: TestServer) -> TestServer:
    return http_server


@pytest.fixture
def fake(server: TestServer) -> FakeVK:
    return FakeVK(server, token=CANARY)


@pytest.fixture
async def fake_with_user_token(server: TestServer) -> AsyncIterator[FakeVK]:
    """The fake, whose admin's user token is :data:`USER_CANARY` (for :func:`on_fake`)."""
    made = FakeVK(server, token=CANARY, user_token=USER_CANARY)
    yield made
    await made.aclose()


def on_fake(fake: FakeVK, *, user_token: bool) -> VKAdapter:
    """An adapter on ``fake`` at :data:`NOW`, with or without the user token."""
    adapter = fake.adapter(clock=FakeClock(NOW), user_token=user_token)
    assert isinstance(adapter, VKAdapter)
    return adapter


def auth_of(requests: list[Request]) -> list[str | None]:
    """The ``Authorization`` header of each request: which token it came with."""
    return [r.headers.get("authorization") for r in requests]


VK = Network(
    VKAdapter,
    account=ACCOUNT,
    token=CANARY,
    token_env="BANK_VK_TOKEN",
    now=NOW,
    author=Author("512345678", "anna.smirnova", "Анна Смирнова"),
    keys={"group_id": GROUP},
    root_of=lambda external_id: external_id.split("_")[0],
)
adapter_for = VK.adapter


def adapter_with_user_token(server: TestServer, user_token: str = USER_CANARY) -> VKAdapter:
    """:func:`adapter_for`, on an account that also names an admin's user token."""
    return VK.adapter(server, user_token=user_token)


mention_of = VK.mention
fixture = VK.fixture


def comments_fixture() -> dict[str, Any]:
    data: dict[str, Any] = fixture("list-mentions.json")["response"]
    return data


def ok(response: Any) -> Reply:
    return json_reply({"response": response})


def vk_error(code: int, message: str = "Some error") -> Reply:
    return json_reply({"error": {"error_code": code, "error_msg": message}})


def method(name: str) -> str:
    return f"/method/{name}"


def form(request: Request) -> dict[str, str]:
    return {name: values[-1] for name, values in request.form().items()}


def cursor(ts: str = "1023", seen: dict[str, int] | None = None) -> str:
    return json.dumps({"ts": ts, "seen": seen or {}})


def route_session(server: TestServer, *sessions: tuple[str, str]) -> None:
    """``groups.getLongPollServer`` answering ``(key, ts)`` sessions in turn, server = ``/lp``."""
    replies = [ok({"key": key, "server": server.url + LP, "ts": ts}) for key, ts in sessions]
    server.route("POST", method("groups.getLongPollServer"), sequence(*replies))


def event(comment: dict[str, Any], kind: str = "wall_reply_new") -> dict[str, Any]:
    obj = {**comment, "post_owner_id": comment.get("owner_id", -GROUP)}
    return {"type": kind, "event_id": "e" * 40, "v": "5.199", "object": obj, "group_id": GROUP}


def anna() -> dict[str, Any]:
    profile: dict[str, Any] = comments_fixture()["profiles"][0]
    return profile
