"""The shapes the fake X API deals in: defaults, problems, paging tokens and query parameters.

Used by :class:`tests.fakes.x.FakeX`; shapes follow ``tests/fixtures/api/x/``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from tests.adapters.httpserver import Request
from tests.recorded import FIXTURES

FIXTURE = FIXTURES / "api" / "x" / "list-mentions.json"
SNOWFLAKE_EPOCH_MS = 1288834974657
#: Fields every post has whatever was asked (X's defaults).
DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")
RATE_LIMIT = 450
RATE_WINDOW_S = 900
PROBLEM_401 = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
PROBLEM_429 = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
PROBLEM_503 = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}


def escape(text: str) -> str:
    """Text as X sends it: ``&``, ``<`` and ``>`` as entities, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fixture_template() -> dict[str, Any]:
    """The first documented post, the shape every fake post copies."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    template: dict[str, Any] = data["data"][0]
    return template


def one_param(request: Request, name: str) -> str | None:
    """The first value of query parameter ``name``, if it was sent."""
    values = request.query.get(name)
    return values[0] if values else None


def listed_param(request: Request, name: str) -> list[str]:
    """The comma-separated values of query parameter ``name``."""
    return [part for part in (one_param(request, name) or "").split(",") if part]


def encode_token(below: int) -> str:
    """The pagination token of the page of posts older than id ``below``."""
    return base64.b32encode(f"until:{below}".encode()).decode().rstrip("=").lower()


def decode_token(token: str | None) -> int:
    """The id a pagination token pages below (every id for None); ValueError if not ours."""
    if token is None:
        return 1 << 64
    padded = token.upper() + "=" * (-len(token) % 8)
    try:
        text = base64.b32decode(padded).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError("bad token") from None
    if not text.startswith("until:"):
        raise ValueError("bad token")
    return int(text.removeprefix("until:"))


def invalid_request(parameter: str, message: str) -> dict[str, Any]:
    """X's 400 Problem for a bad parameter: a generic detail, the reason in ``errors[]``."""
    return {
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def mention_entities(text: str, users: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entities.mentions`` of ``text``: the first ``@username`` of each of ``users`` in it."""
    found = []
    for user in users:
        handle = "@" + str(user["username"])
        start = text.find(handle)
        if start >= 0:
            found.append(
                {
                    "start": start,
                    "end": start + len(handle),
                    "username": user["username"],
                    "id": user["id"],
                }
            )
    return found
