"""Bluesky records and views: notifications, posts, strong references, reply records.

Pure functions over the AT Protocol shapes :class:`~smm_tui.adapters.bluesky.BlueskyAdapter`
reads and writes; the ``is_*`` checks say whether a value has the documented shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smm_tui.core.models import from_iso, to_iso

__all__ = [
    "EPOCH",
    "POST",
    "Mark",
    "Refs",
    "created_at",
    "int_or_none",
    "is_at_uri",
    "is_notification",
    "is_post",
    "is_thread_post",
    "mark_of",
    "parse_cursor",
    "post_record",
    "post_url",
    "refs_of",
    "reply_of",
    "reply_record",
    "tid",
    "tid_value",
    "uri_of",
]

#: The collection (and ``$type``) of a post record.
POST = "app.bsky.feed.post"
#: Cursor of an inbox that held nothing: every notification after it is new.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
#: The sortable base32 alphabet of TIDs.
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_LENGTH = 13


@dataclass(frozen=True, slots=True)
class Refs:
    """The strong references a reply to one post needs: ``{uri, cid}`` of it and its root."""

    parent: dict[str, str]
    root: dict[str, str]


@dataclass(frozen=True, slots=True)
class Mark:
    """A notification's place in the inbox: when it was indexed, and which it was."""

    indexed_at: datetime
    uri: str

    def encode(self) -> str:
        """The mark as a cursor: ``"<indexedAt>|<uri>"``."""
        return f"{to_iso(self.indexed_at)}|{self.uri}"

    def reached_by(self, other: Mark) -> bool:
        """Whether ``other`` (met paging back) is this notification or older than it."""
        return other.uri == self.uri or other.indexed_at < self.indexed_at


def parse_cursor(cursor: str) -> Mark | None:
    """The mark a cursor names; None for a cursor this adapter did not write."""
    moment, _, uri = cursor.partition("|")
    try:
        parsed = from_iso(moment)
    except ValueError:
        return None
    return Mark(parsed, uri) if parsed is not None else None


def mark_of(notification: dict[str, Any]) -> Mark:
    """The mark of a notification that passed :func:`is_notification`."""
    moment = from_iso(notification["indexedAt"])
    assert moment is not None  # is_notification checked it
    return Mark(moment, notification["uri"])


def is_notification(item: Any) -> bool:
    """Whether ``item`` has a notification's ``uri``, ``reason`` and a usable ``indexedAt``."""
    if not isinstance(item, dict):
        return False
    fields = (item.get("uri"), item.get("reason"), item.get("indexedAt"))
    if not all(isinstance(value, str) for value in fields):
        return False
    try:
        return from_iso(item["indexedAt"]) is not None
    except ValueError:
        return False


def is_post(record: Any) -> bool:
    """Whether ``record`` is a post record (a record without ``$type`` is taken as one)."""
    return isinstance(record, dict) and record.get("$type", POST) == POST


def is_thread_post(node: Any) -> bool:
    """A ``threadViewPost`` (not a ``notFoundPost`` or ``blockedPost``)."""
    return isinstance(node, dict) and isinstance(node.get("post"), dict)


def is_at_uri(value: Any) -> bool:
    """Whether ``value`` looks like a record's ``at://<repo>/<collection>/<rkey>``."""
    return isinstance(value, str) and value.startswith("at://") and value.count("/") >= 4


def refs_of(post: dict[str, Any]) -> Refs:
    """What a reply to ``post`` must reference: the post, and its thread's root."""
    uri, cid = post["uri"], post["cid"]
    if not is_at_uri(uri) or not isinstance(cid, str) or not cid:
        raise ValueError("no strong reference")
    own = {"uri": uri, "cid": cid}
    return Refs(parent=own, root=_strong_ref(reply_of(post.get("record")).get("root")) or own)


def reply_of(record: Any) -> dict[str, Any]:
    """A post record's ``reply`` (``{root, parent}``), empty when it is not a reply."""
    reply = record.get("reply") if isinstance(record, dict) else None
    return reply if isinstance(reply, dict) else {}


def uri_of(ref: Any) -> str | None:
    """The ``at://`` uri of a reference, or None."""
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if is_at_uri(uri) else None


def _strong_ref(value: Any) -> dict[str, str] | None:
    """A ``{uri, cid}`` strong reference, or None when absent or incomplete."""
    uri = uri_of(value)
    cid = value.get("cid") if uri is not None else None
    return {"uri": str(uri), "cid": cid} if isinstance(cid, str) and cid else None


def created_at(created: Any, indexed: str) -> datetime:
    """The post's own ``createdAt``; the server's ``indexedAt`` when that is unusable."""
    for value in (created, indexed):
        if isinstance(value, str):
            try:
                moment = from_iso(value)
            except ValueError:
                continue
            if moment is not None:
                return moment
    raise ValueError("no usable time")


def int_or_none(value: Any) -> int | None:
    """``value`` if it is an integer (not a boolean), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def reply_record(
    text: str, refs: Refs, facets: list[dict[str, Any]], language: str, now: datetime
) -> dict[str, Any]:
    """The post record answering ``refs.parent`` with ``text``, created at ``now``."""
    record = post_record(text, facets, now)
    if _LANGUAGE.fullmatch(language):
        record["langs"] = [language]
    record["reply"] = {"root": dict(refs.root), "parent": dict(refs.parent)}
    return record


def post_record(text: str, facets: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """A new top-level post record with ``text``, created at ``now`` (no reply, no language)."""
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _timestamp(now)}
    if facets:
        record["facets"] = facets
    return record


def tid(value: int) -> str:
    """``value`` as a TID (a record key): 13 characters of the sortable base32 alphabet.

    A valid TID is a 64-bit number whose top bit is 0: ``value`` below 2**63.
    """
    chars = []
    for _ in range(_TID_LENGTH):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def tid_value(rkey: str) -> int | None:
    """The number a TID stands for; None when ``rkey`` is not 13 characters of its alphabet."""
    if len(rkey) != _TID_LENGTH or any(char not in _TID_ALPHABET for char in rkey):
        return None
    value = 0
    for char in rkey:
        value = (value << 5) | _TID_ALPHABET.index(char)
    return value


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post_url(profile: str, uri: str) -> str:
    """The bsky.app link of post ``uri`` (``at://<did>/app.bsky.feed.post/<rkey>``)."""
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    actor = profile.lstrip("@")
    if not actor or actor == "handle.invalid":
        actor = uri.removeprefix("at://").split("/", 1)[0]
    return f"https://bsky.app/profile/{actor}/post/{rkey}"
