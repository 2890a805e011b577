"""What every X adapter test module shares: the test account, its fake and X's answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from smm_tui.adapters import http
from smm_tui.adapters.x import XAdapter
from smm_tui.core.models import Author
from tests.adapters.httpserver import Reply, TestServer, json_reply, running_server
from tests.fakes.base import TEST_TIMEOUT
from tests.fakes.harness import Network
from tests.fakes.x import FakeX
from tests.recorded import FIXTURES, cassette

API = FIXTURES / "api" / "x"
CANARY = "CANARY-tok/7f3a+x=="
ACCOUNT = "bank-x"
USER = "1400000000000000001"
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
MENTIONS = f"/2/users/{USER}/mentions"
TIMELINE = f"/2/users/{USER}/tweets"
SEARCH = "/2/tweets/search/recent"
TWEETS = "/2/tweets"
ANNA = "1874012345678901249"
LAILA = "1874011111111111111"
MALLORY = "1874010000000000007"
SHORT = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
FIELDS = {
    "tweet.fields": [
        "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,"
        "entities,note_tweet"
    ],
    "expansions": ["author_id"],
    "user.fields": ["username,name,public_metrics"],
}


_CLIENTS: list[httpx.AsyncClient] = []
_FAKES: list[FakeX] = []


def local_client(read: float = 5.0) -> httpx.AsyncClient:
    """A client for 127.0.0.1: no TLS, so no 30 ms of loading CA certificates per adapter."""
    timeout = httpx.Timeout(connect=1.0, read=read, write=1.0, pool=1.0)
    client = http.make_client(timeout=timeout, transport=httpx.AsyncHTTPTransport(verify=False))
    _CLIENTS.append(client)
    return client


def adapter_of(fake: FakeX, timeout: httpx.Timeout = TEST_TIMEOUT) -> XAdapter:
    """``fake.adapter()``, whose client the fake lent (closed when the test ends)."""
    adapter = fake.adapter(timeout=timeout)
    assert isinstance(adapter, XAdapter)
    _FAKES.append(fake)
    return adapter


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    """Close the clients a test made, so no socket outlives it."""
    yield
    while _CLIENTS:
        await _CLIENTS.pop().aclose()
    while _FAKES:
        await _FAKES.pop().aclose()


X = Network(
    XAdapter,
    account=ACCOUNT,
    token=CANARY,
    token_env="BANK_X_TOKEN",
    now=NOW,
    author=Author("1502233445566778899", "@anna_smirnova", "Анна"),
    keys={"user_id": USER},
    root_of=lambda post_id: post_id,
)
adapter_for = X.adapter
mention_of = X.mention


def mentions_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((API / "list-mentions.json").read_text(encoding="utf-8"))
    return data


def recorded(name: str, method: str = "GET") -> tuple[str, Reply]:
    """(request uri, answer) of the first ``method`` exchange in a tweepy cassette."""
    exchange = next(e for e in cassette("x", name) if e.method == method)
    headers = {k: v for k, v in exchange.headers.items() if k.lower() != "content-length"}
    return exchange.uri, Reply(exchange.status, headers, exchange.body.encode())


def post(
    post_id: str, text: str = "t", parent: str | None = None, root: str = ""
) -> dict[str, Any]:
    """A post as X sends it with our tweet.fields."""
    item: dict[str, Any] = {
        "id": post_id,
        "edit_history_tweet_ids": [post_id],
        "text": text,
        "author_id": "1502233445566778899",
        "created_at": "2025-01-01T09:00:00.000Z",
        "conversation_id": root or post_id,
    }
    if parent is not None:
        item["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
    return item


def listing(posts: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"result_count": len(posts)}
    if posts:
        meta |= {"newest_id": posts[0]["id"], "oldest_id": posts[-1]["id"]}
    if next_token:
        meta["next_token"] = next_token
    users = [{"id": "1502233445566778899", "name": "Анна", "username": "anna_smirnova"}]
    return {"data": posts, "includes": {"users": users}, "meta": meta} if posts else {"meta": meta}


def problem(status: int, detail: str, kind: str = "about:blank", title: str = "Forbidden") -> Reply:
    return json_reply({"title": title, "detail": detail, "type": kind, "status": status}, status)


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """The shared server, with TCP_NODELAY so that small answers do not wait 40 ms for an ACK.

    (Its handler writes headers and body in two sends; Nagle plus delayed ACK.)
    """
    for server in running_server():
        server._server.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def fake(http_server: TestServer) -> Iterator[FakeX]:
    yield FakeX(http_server)
