"""What every Bluesky adapter test module shares: the test account, its fake PDS and its answers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from smm_tui.adapters.bluesky import BlueskyAdapter
from smm_tui.core.models import Author, Mention
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply
from tests.conftest import FakeClock
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.bluesky_shapes import CREATE_SESSION, LIST_NOTIFICATIONS
from tests.fakes.harness import Network
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "bluesky"
PASSWORD = "CANARY-app-pass/7f3a+x=="
ACCESS = "eyJhbGciOiJFUzI1NiJ9.CANARY-access.c2ln"
REFRESH = "eyJhbGciOiJFUzI1NiJ9.CANARY-refresh.c2ln"
ACCOUNT = "bank-bluesky"
HANDLE = "acme.bsky.social"
NOW = datetime(2025, 1, 1, 9, 20, 31, tzinfo=UTC)
ANNA = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3let2ajrh4c2k"
LAILA = "at://did:plc:4llrhdclvdlmmynkwsmg5tdc/app.bsky.feed.post/3let23fwjlz2r"
MALLORY = "at://did:plc:q6gjnaw2blty4crticxkmujt/app.bsky.feed.post/3let22bq5mk2x"
BRAND_POST = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lesx2xk3pc2a"
NO_AUTHOR = {"uri": ANNA, "cid": "bafy", "reason": "mention", "indexedAt": "2025-01-01T09:00Z"}
FAST = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)


@pytest.fixture
def fake(http_server: TestServer) -> FakeBluesky:
    return FakeBluesky(http_server)


BLUESKY = Network(
    BlueskyAdapter,
    account=ACCOUNT,
    token=PASSWORD,
    token_env="BANK_BLUESKY_APP_PASSWORD",
    now=NOW,
    author=Author("did:plc:someone", "@someone.bsky.social"),
    keys={"handle": HANDLE},
)
adapter_for = BLUESKY.adapter
mention_of = BLUESKY.mention
fixture = BLUESKY.fixture


def on_fake(fake: FakeBluesky, clock: Callable[[], datetime] | None = None) -> BlueskyAdapter:
    """What ``fake.adapter()`` builds (the contract suite uses that), on a clock of the test's."""
    adapter = fake.adapter(clock=clock or FakeClock(NOW), timeout=FAST)
    assert isinstance(adapter, BlueskyAdapter)
    return adapter


def session_body() -> dict[str, Any]:
    return dict(fixture("create-session-success.json"), accessJwt=ACCESS, refreshJwt=REFRESH)


def serve(server: TestServer, notifications: Reply | Callable[[Request], Reply]) -> None:
    server.route("POST", CREATE_SESSION, json_reply(session_body()))
    server.route("GET", LIST_NOTIFICATIONS, notifications)


def newest_page_only(
    body: Any, headers: dict[str, str] | None = None
) -> Callable[[Request], Reply]:
    """``body`` as the newest page; the page below it (asked with its cursor) is empty."""

    def handler(request: Request) -> Reply:
        older = "cursor" in request.query
        return json_reply({"notifications": []} if older else body, headers=headers)

    return handler


def notification(k: int, template: dict[str, Any], indexed: datetime) -> dict[str, Any]:
    item = copy.deepcopy(template)
    item["uri"] = f"at://did:plc:x/app.bsky.feed.post/k{k:03d}"
    item["record"]["text"] = f"mention {k}"
    item["indexedAt"] = indexed.isoformat().replace("+00:00", "Z")
    return item


def texts(mentions: tuple[Mention, ...]) -> list[str]:
    return [m.text for m in mentions]
