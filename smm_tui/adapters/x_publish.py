"""Reading X's answers about the account's own posts: the timeline query, counters, followers.

Pure functions used by :class:`~smm_tui.adapters.x.XAdapter`'s publishing
methods. Counters come from ``public_metrics`` (``like_count``,
``retweet_count`` or, in the newer spec, ``repost_count``, ``reply_count``,
``impression_count``); a figure X leaves out is None and the note says so,
never 0.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from smm_tui.adapters import x_posts
from smm_tui.adapters.base import PermanentError, PostCounters, count_or_none, noted_counters
from smm_tui.adapters.http import CallContext
from smm_tui.adapters.x_errors import one_line

__all__ = [
    "LOOKUP_LIMIT",
    "counters_of",
    "followers_of",
    "timeline_query",
    "wrong_user",
]

#: The most ids one ``GET /2/tweets?ids=`` takes.
LOOKUP_LIMIT = 100
#: X refuses a ``start_time`` before this (the first snowflake ids).
EARLIEST_START = datetime(2010, 11, 6, 0, 0, 1, tzinfo=UTC)
# (our name, its word in notes, X's fields in the order they are read: the newer
# spec renamed retweets).
_COUNTERS = (
    ("likes", "likes", ("like_count",)),
    ("reposts", "reposts", ("repost_count", "retweet_count")),
    ("replies", "replies", ("reply_count",)),
    ("views", "views (impression_count)", ("impression_count",)),
)


def timeline_query(since: datetime, max_results: int) -> dict[str, str]:
    """The user-timeline query for the account's own posts (no replies, no reposts) from ``since``.

    ``start_time`` is whole seconds (``YYYY-MM-DDTHH:mm:ssZ``, as X asks), rounded
    down so that a post in the same second as ``since`` is still listed.
    """
    params = x_posts.post_fields(max_results=max_results)
    params["exclude"] = "replies,retweets"
    start = max(since.astimezone(UTC), EARLIEST_START)
    params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return params


def counters_of(body: Any, asked: Collection[str]) -> dict[str, PostCounters]:
    """The counters of each asked-for post in a lookup's ``data``, by id.

    Posts X could not find come in ``errors[]`` and are simply absent. Raises
    TypeError or KeyError on a shape X does not send.
    """
    if not isinstance(body, dict):
        raise TypeError("not an object")
    data = x_posts.or_empty(body.get("data"), [])
    if not isinstance(data, list):
        raise TypeError("data is not a list")
    found: dict[str, PostCounters] = {}
    for tweet in data:
        post_id = str(tweet["id"])
        if post_id in asked:
            found[post_id] = _counters(tweet.get("public_metrics"))
    return found


def followers_of(body: Any, user_id: str, ctx: CallContext) -> tuple[int, str]:
    """``public_metrics.followers_count`` and the username from ``GET /2/users/me``.

    The user must be ``user_id`` (when it is known): the count of another account
    would be a wrong number, not a missing one. Raises TypeError or KeyError on a
    shape X does not send.
    """
    user = body["data"]
    found_id = str(user["id"])
    if user_id and found_id != user_id:
        raise wrong_user(found_id, ctx)
    count = _count(user["public_metrics"], ("followers_count",))
    if count is None:
        raise TypeError("followers_count is not a count")
    username = user.get("username")
    return count, username if isinstance(username, str) else ""


def wrong_user(found_id: str, ctx: CallContext) -> PermanentError:
    """The error for a token of user ``found_id`` where the account is configured as another."""
    return PermanentError(
        f"{ctx.who}: the token belongs to user {one_line(ctx.clean(found_id))}, not to the "
        "configured user_id: fix user_id or the token"
    )


def _counters(metrics: Any) -> PostCounters:
    fields: Mapping[str, Any] = metrics if isinstance(metrics, dict) else {}
    return noted_counters(
        ((ours, word, _count(fields, names)) for ours, word, names in _COUNTERS),
        "X did not report {} for this post",
    )


def _count(fields: Mapping[str, Any], names: Sequence[str]) -> int | None:
    """The first of ``names`` that holds a count (a whole number, not negative), else None."""
    counts = (count_or_none(fields.get(name)) for name in names)
    return next((count for count in counts if count is not None), None)
