"""What the fake X API needs for the brand's own posts: which operation a request is, and metrics.

Used by :class:`tests.fakes.x.FakeX`. One path serves several operations, as
on X: ``POST /2/tweets`` is a ``reply`` with a ``reply`` object and a ``post``
without; ``GET /2/tweets`` asking for ``public_metrics`` is ``counters``; the
user timeline with ``start_time`` (or ``exclude``) is ``find_post``;
``GET /2/users/me`` asking for ``public_metrics`` is ``followers``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tests.adapters.httpserver import Request
from tests.fakes.base import Counters, Operation
from tests.fakes.x_shapes import listed_param, one_param

#: X's answer to a post whose text repeats one of the account's recent posts.
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
#: X's answer to a text past 280 weighted characters.
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)
#: The only ``start_time`` form X takes: whole seconds in UTC.
_START_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def operation_of(request: Request, brand_id: str) -> Operation | None:
    """The fault operation ``request`` belongs to (None: verify, never faulted)."""
    method, path = request.method, request.path
    if method == "POST" and path == "/2/tweets":
        return "reply" if "reply" in _json_object(request.body) else "post"
    if method != "GET":
        return None
    if path == "/2/users/me":
        return "followers" if "public_metrics" in listed_param(request, "user.fields") else None
    if path == f"/2/users/{brand_id}/mentions":
        return "mentions"
    if path == f"/2/users/{brand_id}/tweets":
        return "find_post" if {"start_time", "exclude"} & set(request.query) else "thread"
    if path == "/2/tweets":
        return "counters" if "public_metrics" in listed_param(request, "tweet.fields") else "thread"
    return "thread" if path == "/2/tweets/search/recent" else None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def own_posts(
    request: Request, posts: Iterable[dict[str, Any]], brand_id: str
) -> list[dict[str, Any]]:
    """The brand's posts the user timeline lists: ``exclude`` and ``start_time`` honoured.

    Raises ValueError for a ``start_time`` X would refuse (not ``YYYY-MM-DDTHH:mm:ssZ``)
    or an ``exclude`` value X does not know.
    """
    excluded = set(listed_param(request, "exclude"))
    if excluded - {"replies", "retweets"}:
        raise ValueError("exclude")
    start = _start_time(one_param(request, "start_time"))
    listed = []
    for post in posts:
        kinds = {ref["type"] for ref in post.get("referenced_tweets", [])}
        if post["author_id"] != brand_id:
            continue
        if ("replies" in excluded and "replied_to" in kinds) or (
            "retweets" in excluded and "retweeted" in kinds
        ):
            continue
        if start is not None and _created(post) < start:
            continue
        listed.append(post)
    return listed


def _start_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    if not _START_TIME.fullmatch(value):
        raise ValueError("start_time")
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _created(post: dict[str, Any]) -> datetime:
    return datetime.strptime(post["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def post_metrics(counters: Counters | None, *, newer_names: bool) -> dict[str, int]:
    """A post's ``public_metrics``: zeros when it has no counters; no ``impression_count``
    when its :attr:`Counters.views` is None. ``newer_names``: ``repost_count`` (spec 2.167).
    """
    figures = counters or Counters(views=0)
    metrics = {
        "repost_count" if newer_names else "retweet_count": figures.reposts,
        "reply_count": figures.replies,
        "like_count": figures.likes,
        "quote_count": 0,
        "bookmark_count": 0,
    }
    if figures.views is not None:
        metrics["impression_count"] = figures.views
    return metrics


def not_found(post_id: str) -> dict[str, Any]:
    """The ``errors[]`` entry of a post a lookup cannot find."""
    return {
        "value": post_id,
        "detail": f"Could not find tweet with ids: [{post_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": post_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
