"""What every Mastodon adapter test module shares: the test account and the documented answers."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from smm_tui.adapters.mastodon import MastodonAdapter
from smm_tui.core.models import Author
from tests.adapters.httpserver import TestServer, json_reply
from tests.fakes.harness import Network
from tests.recorded import FIXTURES, cassette

API = FIXTURES / "api" / "mastodon"
CANARY = "CANARY-tok/7f3a+x=="
ACCOUNT = "bank-mastodon"
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
NOTIFICATIONS = "/api/v1/notifications"
STATUSES = "/api/v1/statuses"
VERIFY = "/api/v1/accounts/verify_credentials"
#: The test account's id: the author of ``reply-success.json``.
BRAND_ID = "109000000000000001"
BRAND_STATUSES = f"/api/v1/accounts/{BRAND_ID}/statuses"


MASTODON = Network(
    MastodonAdapter,
    account=ACCOUNT,
    token=CANARY,
    now=NOW,
    author=Author("110200000000000011", "@anna@fediverse.example.ru", "Анна"),
    language="ru",
)
adapter_for = MASTODON.adapter
mention_of = MASTODON.mention


def mentions_fixture() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((API / "list-mentions.json").read_text())
    return data


def recorded_bodies(name: str) -> list[tuple[str, str]]:
    """(request uri, response body) pairs of a Mastodon.py VCR cassette."""
    return [(exchange.uri, exchange.body) for exchange in cassette("mastodon", name)]


def notification(k: int, template: dict[str, Any]) -> dict[str, Any]:
    """Notification number ``k`` with opaque ids that do not sort like the API orders them."""
    item = copy.deepcopy(template)
    item["id"] = f"n{(k * 7919) % 1000:03d}-{k}"
    item["status"]["id"] = f"s{(k * 104729) % 997}-{k}"
    item["status"]["content"] = f"<p>mention {k}</p>"
    return item


def link_prev(server: TestServer, min_id: str) -> dict[str, str]:
    return {
        "Link": f'<{server.url}{NOTIFICATIONS}?max_id=1&types%5B%5D=mention>; rel="next", '
        f'<{server.url}{NOTIFICATIONS}?min_id={min_id}&types%5B%5D=mention>; rel="prev"'
    }


def own_status(
    status_id: str, content: str, created_at: str = "2025-01-01T09:20:31.000Z", **fields: Any
) -> dict[str, Any]:
    """A public status of the test account (``reply-success.json``) with HTML ``content``."""
    status: dict[str, Any] = json.loads((API / "reply-success.json").read_text())
    status.update(
        id=status_id,
        content=content,
        created_at=created_at,
        in_reply_to_id=None,
        in_reply_to_account_id=None,
        mentions=[],
        url=f"https://mastodon.example/@acme/{status_id}",
        uri=f"https://mastodon.example/users/acme/statuses/{status_id}",
    )
    status.update(fields)
    return status


def serve_account(server: TestServer) -> None:
    """``verify_credentials`` of the test account on ``server``."""
    server.route("GET", VERIFY, json_reply(own_status("0", "")["account"]))
