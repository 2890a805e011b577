"""Reading a VK community's wall: comments, posts, authors and the long-poll cursor.

What :class:`~smm_tui.adapters.vk.VKAdapter` takes from VK's answers, parsed
into small value objects. The parsers raise ``KeyError``, ``TypeError`` or
``ValueError`` on a shape VK does not document; the adapter turns those into a
:class:`~smm_tui.core.network.TransientError` naming the call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from smm_tui.core.models import Author

__all__ = [
    "SEEN_POSTS",
    "Authors",
    "Comment",
    "Cursor",
    "Post",
    "as_int",
    "from_unix",
    "plain_text",
    "tagged_ids",
]

#: How many posts' newest comment ids the cursor keeps.
SEEN_POSTS = 50
_AUTHOR_CACHE = 10_000
# [id1|Name], [club1|Name], [public1|Name], [event1|Name]; board replies add ":bp-1_2".
_MARKUP = re.compile(r"\[(?:id|club|public|event)\d+(?::bp-?\d+_\d+)?\|([^\[\]|]*)\]")
_TAG = re.compile(r"\[((?:id|club|public|event)\d+)(?::bp-?\d+_\d+)?\|[^\[\]|]*\]")


def plain_text(text: str) -> str:
    """VK text with mention markup (``[id1|Name]``, ``[club1|Name]``) turned into the name."""
    return _MARKUP.sub(r"\1", text)


def tagged_ids(text: str) -> tuple[str, ...]:
    """The people and communities VK text tags (``id1``, ``club5``), each once, in order."""
    return tuple(dict.fromkeys(m.group(1) for m in _TAG.finditer(text)))


@dataclass(frozen=True, slots=True)
class Comment:
    """The parts of a ``wall_wall_comment`` the adapter uses."""

    post_id: int
    id: int
    from_id: int
    date: int
    text: str
    reply_to: int | None
    head: int | None
    deleted: bool

    @classmethod
    def parse(cls, raw: Any, post_id: int | None = None) -> Comment:
        """The comment in ``raw``; ``post_id`` when the item does not name its post."""
        if not isinstance(raw, dict):
            raise TypeError("comment")
        post = raw.get("post_id", post_id)
        stack = raw.get("parents_stack") or []
        if not isinstance(stack, list):
            raise TypeError("parents_stack")
        reply_to = raw.get("reply_to_comment")
        deleted = bool(raw.get("deleted"))
        return cls(
            post_id=as_int(post),
            id=as_int(raw["id"]),
            from_id=as_int(raw.get("from_id", 0) if deleted else raw["from_id"]),
            date=as_int(raw.get("date", 0) if deleted else raw["date"]),
            text=str(raw.get("text") or ""),
            reply_to=as_int(reply_to) if reply_to else None,
            head=as_int(stack[0]) if stack else None,
            deleted=deleted,
        )


@dataclass(frozen=True, slots=True)
class Post:
    """The parts of a wall post the adapter uses."""

    id: int
    from_id: int
    date: int
    text: str
    comments: int | None

    @classmethod
    def parse(cls, raw: Any) -> Post:
        """The post in ``raw`` (an item of ``wall.get`` or ``wall.getById``)."""
        if not isinstance(raw, dict):
            raise TypeError("post")
        comments = raw.get("comments")
        count = comments.get("count") if isinstance(comments, dict) else None
        return cls(
            id=as_int(raw["id"]),
            from_id=as_int(raw.get("from_id", raw.get("owner_id"))),
            date=as_int(raw["date"]),
            text=str(raw.get("text") or ""),
            comments=as_int(count) if count is not None else None,
        )


@dataclass(slots=True)
class Cursor:
    """What ``fetch_mentions`` hands back: the long-poll ``ts`` and, per post, the newest
    comment id delivered (so a catch-up does not deliver them again).

    The session key is not part of it: the cursor is stored on disk, and a key
    from a past run is useless anyway. A new one is asked for, keeping ``ts``.
    """

    ts: str
    seen: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls, text: str | None) -> Cursor | None:
        """The cursor in ``text``; None when there is none or it cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            ts = data["ts"]
            if not isinstance(ts, str) or not ts:
                return None
            seen = {int(post): int(comment) for post, comment in data.get("seen", {}).items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return cls(ts, seen)

    def dump(self) -> str:
        """The cursor as a string; only the :data:`SEEN_POSTS` newest posts are kept."""
        newest = sorted(self.seen, reverse=True)[:SEEN_POSTS]
        seen = {str(post): self.seen[post] for post in sorted(newest)}
        return json.dumps({"ts": self.ts, "seen": seen}, separators=(",", ":"))

    def is_new(self, comment: Comment) -> bool:
        """Whether ``comment`` is newer than any delivered on its post."""
        return comment.id > self.seen.get(comment.post_id, 0)

    def saw(self, comments: Iterable[Comment]) -> None:
        """Remember ``comments`` as delivered."""
        for comment in comments:
            if comment.id > self.seen.get(comment.post_id, 0):
                self.seen[comment.post_id] = comment.id


class Authors:
    """The authors VK described, by ``from_id`` (users positive, communities negative)."""

    def __init__(self) -> None:
        self._known: dict[int, Author] = {}

    def get(self, from_id: int) -> Author:
        """The author ``from_id``; one VK told us nothing about is named by its id."""
        return self._known.get(from_id) or _placeholder(from_id)

    def unknown(self, ids: set[int]) -> tuple[list[int], list[int]]:
        """The user ids and the community ids (positive) among ``ids`` not described yet."""
        users = sorted(i for i in ids if i > 0 and i not in self._known)
        groups = sorted(-i for i in ids if i < 0 and i not in self._known)
        return users, groups

    def remember(self, body: Any) -> None:
        """Keep the authors an ``extended=1`` answer describes (``profiles`` and ``groups``)."""
        if not isinstance(body, dict):
            return
        if len(self._known) > _AUTHOR_CACHE:
            self._known.clear()
        for profile in _dicts(body.get("profiles")):
            if isinstance(profile.get("id"), int):
                self._known[profile["id"]] = _user_author(profile)
        for group in _dicts(body.get("groups")):
            if isinstance(group.get("id"), int):
                self._known[-group["id"]] = _group_author(group)


def as_int(value: Any) -> int:
    """A VK id or number: an int, or a string of digits (``ts`` comes as a string)."""
    if isinstance(value, bool):
        raise TypeError("boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value):
        return int(value)
    raise TypeError("not a number")


def from_unix(seconds: int) -> datetime:
    """A VK ``date`` (Unix seconds) as an aware UTC time; TypeError when out of range."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise TypeError("date") from None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _user_author(profile: dict[str, Any]) -> Author:
    user_id = int(profile["id"])
    name = f"{profile.get('first_name') or ''} {profile.get('last_name') or ''}".strip()
    return Author(str(user_id), str(profile.get("screen_name") or f"id{user_id}"), name)


def _group_author(group: dict[str, Any]) -> Author:
    group_id = int(group["id"])
    handle = str(group.get("screen_name") or f"club{group_id}")
    return Author(str(-group_id), handle, str(group.get("name") or ""))


def _placeholder(from_id: int) -> Author:
    """An author VK told us nothing about (a deleted account): the id is all we know."""
    handle = f"id{from_id}" if from_id >= 0 else f"club{-from_id}"
    return Author(str(from_id), handle, "")
