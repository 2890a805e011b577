"""A mention as the feed's index holds it, so a query can test it without reading the record.

The index keeps, per mention, its age key, its folded searchable text and a few
fields (:data:`INDEXED_FIELDS`) as one shared tuple. :class:`IndexedRow` offers
them to a query's predicate as a record; a test that asks for any other field
(the author, the response time, the URL) reads the whole record then, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

#: The fields an index row answers from its facts, as the record holds them but for
#: :data:`PRESENCE_FIELDS`; the order is that of :func:`facts_of`. (Tags, folded, come
#: from the facet index, and priority from its own column: with either, rows would
#: share hundreds of times fewer tuples.)
INDEXED_FIELDS: Final = (
    "platform",
    "status",
    "sentiment",
    "intent",
    "account",
    "language",
    "assignee",
    "ticket_id",
    "url",
    "first_response_at",
)
#: Fields a row answers only as present (True) or not (None): queries ask no more
#: (``has:url``, ``is:replied-to``), and their values would make every row unique.
PRESENCE_FIELDS: Final = ("ticket_id", "url", "first_response_at")
_AT: Final = {name: position for position, name in enumerate(INDEXED_FIELDS)}
_VALUED: Final = tuple(name for name in INDEXED_FIELDS if name not in PRESENCE_FIELDS)

Facts = tuple[Any, ...]
Loader = Callable[[str], Mapping[str, Any] | None]
TagsOf = Callable[[str], tuple[str, ...]]

#: How a number column stores "none", and a value it cannot hold (read the record).
NO_NUMBER: Final = -1
OTHER_NUMBER: Final = -2


def priority_of(record: Mapping[str, Any]) -> int:
    """A record's priority as the index's column holds it (two bytes)."""
    return _number(record.get("priority"), 2**15)


def followers_of(record: Mapping[str, Any]) -> int:
    """The author's followers as the index's column holds them (eight bytes)."""
    author = record.get("author")
    return _number(author.get("followers") if isinstance(author, Mapping) else None, 2**63)


def _number(value: object, limit: int) -> int:
    if value is None:
        return NO_NUMBER
    if type(value) is int and 0 <= value < limit:
        return value
    return OTHER_NUMBER


def facts_of(record: Mapping[str, Any]) -> Facts:
    """The indexed fields of a record, in :data:`INDEXED_FIELDS` order."""
    get = record.get
    present = tuple(True if get(name) else None for name in PRESENCE_FIELDS)
    return (*(get(name) for name in _VALUED), *present)


class IndexedRow(Mapping[str, Any]):
    """A record made of an index row: id, creation time, indexed fields, tags, the haystack.

    ``haystack`` is the folded searchable text with characters past U+FFFF as
    surrogate pairs (:func:`narrow`); query predicates look words up in it
    directly. Any other field is read from the whole record, loaded on first use.
    """

    __slots__ = (
        "_facts",
        "_followers",
        "_key",
        "_load",
        "_priority",
        "_record",
        "_tags_of",
        "haystack",
    )

    def __init__(
        self,
        key: tuple[str, ...],
        facts: Facts,
        numbers: tuple[int, int],
        haystack: str,
        load: Loader,
        tags_of: TagsOf,
    ) -> None:
        self._key = key
        self._facts = facts
        self._priority, self._followers = numbers
        self.haystack = haystack
        self._load = load
        self._tags_of = tags_of
        self._record: Mapping[str, Any] | None = None

    def __getitem__(self, name: str) -> Any:
        position = _AT.get(name)
        if position is not None:
            return self._facts[position]
        if name == "id":
            return self._key[-1]
        if name == "created_at":
            return self._key[0]
        if name == "tags":
            return self._tags_of(self._key[-1])
        if name == "priority" and self._priority != OTHER_NUMBER:
            return None if self._priority == NO_NUMBER else self._priority
        if name == "author" and self._followers != OTHER_NUMBER:
            return _RowAuthor(self, None if self._followers == NO_NUMBER else self._followers)
        return self._whole()[name]

    def _whole(self) -> Mapping[str, Any]:
        if self._record is None:
            self._record = self._load(self._key[-1]) or {}
        return self._record

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())


class _RowAuthor(Mapping[str, Any]):
    """A row's author: the followers from the index, anything else from the record."""

    __slots__ = ("_followers", "_row")

    def __init__(self, row: IndexedRow, followers: int | None) -> None:
        self._row = row
        self._followers = followers

    def __getitem__(self, name: str) -> Any:
        if name == "followers":
            return self._followers
        return self._whole()[name]

    def _whole(self) -> Mapping[str, Any]:
        author = self._row._whole().get("author")
        return author if isinstance(author, Mapping) else {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def narrow(text: str) -> str:
    """``text`` with each character past U+FFFF written as its two UTF-16 surrogates.

    Applied to haystacks and needles alike, a substring test gives the same answer
    (a high and a low surrogate can never be confused), while the str stays two
    bytes a character: a third of real texts hold an emoji, which would make the
    whole str four bytes a character. (UTF-8 bytes were smaller still, but searched
    twice as slowly.)
    """
    if text.isascii():
        return text
    if _SURROGATE.search(text):
        # Fenced, so that it never matches half of a pair made below: a high surrogate
        # follows another only here. (Stored texts hold none; a needle might.)
        text = _SURROGATE.sub(_fenced, text)
    if max(text) <= "\uffff":
        return text
    return _ASTRAL.sub(_as_pair, text)


def _fenced(match: re.Match[str]) -> str:
    return "\ud800\ud800" + match.group()


def _as_pair(match: re.Match[str]) -> str:
    offset = ord(match.group()) - 0x10000
    return chr(0xD800 + (offset >> 10)) + chr(0xDC00 + (offset & 0x3FF))
