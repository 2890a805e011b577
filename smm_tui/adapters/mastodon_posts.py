"""Reading Mastodon's answers about the brand's own statuses and account.

Pure functions over Status and Account objects, used by
:class:`~smm_tui.adapters.mastodon.MastodonAdapter` to publish, to look for a
status whose answer was lost, and to read the follower count and counters.
They raise ``KeyError``, ``TypeError`` or ``ValueError`` on a shape Mastodon
does not document; the adapter turns those into a
:class:`~smm_tui.core.network.TransientError` naming the call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smm_tui.adapters.base import PostCounters, PublishedReply, count_or_none, noted_counters
from smm_tui.adapters.mastodon_html import html_to_text
from smm_tui.core.models import from_iso
from smm_tui.core.network import is_our_post

__all__ = ["VIEWS_NOTE", "counters", "current_text", "followers", "look_in_page", "published"]

#: Why a Mastodon post never has a view count.
VIEWS_NOTE = "Mastodon does not count views"
#: Our counter names and the Status fields that hold them.
_COUNTER_FIELDS = (
    ("likes", "favourites_count"),
    ("reposts", "reblogs_count"),
    ("replies", "replies_count"),
)


def published(status: Any) -> PublishedReply:
    """The id and address of a status Mastodon made for us (``url``, else ``uri``)."""
    if not isinstance(status, dict):
        raise TypeError("a status is an object")
    url = next((v for v in (status.get("url"), status.get("uri")) if isinstance(v, str) and v), "")
    return PublishedReply(_status_id(status), url)


def look_in_page(statuses: Any, text: str, since: datetime) -> tuple[PublishedReply | None, bool]:
    """Our status reading as ``text`` created at or after ``since`` in one page of the
    account's statuses (newest first), and whether an older page may still hold it.

    Boosts are never ours; the rest is compared as plain text, links and handles
    aside (:func:`~smm_tui.core.network.is_our_post`).
    """
    if not isinstance(statuses, list):
        raise TypeError("a page of statuses is a list")
    reached_since = not statuses
    for status in statuses:
        if not isinstance(status, dict):
            raise TypeError("a status is an object")
        created_at = from_iso(str(status["created_at"]))
        assert created_at is not None
        if created_at < since:
            reached_since = True
            continue
        content = status.get("content")
        if status.get("reblog") or not isinstance(content, str):
            continue
        if is_our_post(html_to_text(content), text):
            return published(status), False
    return None, not reached_since


def followers(account: Any) -> int:
    """``followers_count`` of an Account: the followers Mastodon reports."""
    count = count_or_none(account["followers_count"])
    if count is None:
        raise ValueError("followers_count is not a count")
    return count


def counters(status: Any) -> PostCounters:
    """A status's own favourites, boosts and replies; views None (:data:`VIEWS_NOTE`).

    A counter the server leaves out (a fork, an older version) is None, and the
    note says so.
    """
    if not isinstance(status, dict):
        raise TypeError("a status is an object")
    return noted_counters(
        ((ours, field, count_or_none(status.get(field))) for ours, field in _COUNTER_FIELDS),
        "this server gave no {}",
        always=VIEWS_NOTE,
    )


def current_text(status: Any) -> tuple[str, datetime | None]:
    """A status's text as a mention's (plain text from ``content``) and when it was last
    edited (``edited_at``; None if never)."""
    if not isinstance(status, dict):
        raise TypeError("a status is an object")
    edited = status.get("edited_at")
    edited_at = from_iso(edited) if isinstance(edited, str) and edited else None
    return html_to_text(str(status.get("content") or "")), edited_at


def _status_id(status: dict[str, Any]) -> str:
    value = status["id"]
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ValueError("a status id is a string")
    return str(value)
