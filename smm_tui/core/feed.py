"""The feed's view model: which mentions show, in what order, and the unread count.

It keeps every mention id sorted by creation time and re-filters on change.
Rows are built only for the ids the UI asks for, so a 100,000-mention store
costs one sorted list, not 100,000 objects.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import overload

from smm_tui.core.models import Mention, Status
from smm_tui.core.repository import Changed, Collection, Record, Repository


class FeedScope(enum.StrEnum):
    """Which mentions the feed lists."""

    OPEN = "open"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """The feed's current scope and free-text filter."""

    scope: FeedScope = FeedScope.OPEN
    text: str = ""

    def predicate(self) -> Callable[[Record], bool]:
        """A fast test over stored records."""
        needle = self.text.casefold().strip()
        open_only = self.scope is FeedScope.OPEN
        open_values = {Status.NEW.value, Status.SEEN.value}

        def matches(record: Record) -> bool:
            if open_only and record["status"] not in open_values:
                return False
            if not needle:
                return True
            author = record["author"]
            haystack = f"{record['text']}\n{author['handle']}\n{author['display_name']}"
            return needle in haystack.casefold()

        return matches


class FeedModel:
    """Ordered, filtered mention ids over a repository, newest first.

    A filter change re-scans every mention; a store change only re-tests the
    mentions it touched, so live updates cost O(changed · log n).
    """

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._visible: list[tuple[str, str]] = []
        self._unread: set[str] = set()
        self.filter = FeedFilter()
        self.ids: Sequence[str] = _NewestFirst(self._visible)
        self.rebuild()

    @property
    def unread(self) -> int:
        """How many mentions are new (whatever the filter)."""
        return len(self._unread)

    def rebuild(self) -> None:
        """Re-scan every mention (at start, and when the filter changes)."""
        matches = self.filter.predicate()
        visible: list[tuple[str, str]] = []
        unread: set[str] = set()
        new = Status.NEW.value
        for record in self._repo.records(Collection.MENTIONS):
            if record["status"] == new:
                unread.add(record["id"])
            if matches(record):
                visible.append((record["created_at"], record["id"]))
        visible.sort()
        self._visible[:] = visible
        self._unread = unread

    def apply(self, changed: Changed) -> bool:
        """Take in a change; returns whether the visible list or counts may differ."""
        ids = changed.of(Collection.MENTIONS)
        if not ids:
            return False
        matches = self.filter.predicate()
        for mention_id in ids:
            self._retest(mention_id, matches)
        return True

    def set_filter(self, new_filter: FeedFilter) -> None:
        """Show a different scope or text filter."""
        self.filter = new_filter
        self.rebuild()

    def mention(self, mention_id: str) -> Mention | None:
        """The current mention behind a row."""
        record = self._repo.get(Collection.MENTIONS, mention_id)
        return None if record is None else Mention.from_record(record)

    def mentions(self, ids: Iterable[str]) -> list[Mention]:
        """Mentions for some ids, skipping any that vanished."""
        return [m for m in (self.mention(i) for i in ids) if m is not None]

    def index_of(self, mention_id: str) -> int | None:
        """Where a mention sits in the visible list (newest first)."""
        record = self._repo.get(Collection.MENTIONS, mention_id)
        if record is None:
            return None
        position = self._position((record["created_at"], mention_id))
        return None if position is None else len(self._visible) - 1 - position

    def _position(self, key: tuple[str, str]) -> int | None:
        position = bisect.bisect_left(self._visible, key)
        if position < len(self._visible) and self._visible[position] == key:
            return position
        return None

    def _retest(self, mention_id: str, matches: Callable[[Record], bool]) -> None:
        record = self._repo.get(Collection.MENTIONS, mention_id)
        if record is None:
            self._unread.discard(mention_id)
            self._visible[:] = [item for item in self._visible if item[1] != mention_id]
            return
        if record["status"] == Status.NEW.value:
            self._unread.add(mention_id)
        else:
            self._unread.discard(mention_id)
        key = (record["created_at"], mention_id)
        position = self._position(key)
        if matches(record):
            if position is None:
                bisect.insort(self._visible, key)
        elif position is not None:
            del self._visible[position]


class _NewestFirst(Sequence[str]):
    """A newest-first view of an ascending list of (created_at, id), without copying."""

    def __init__(self, ascending: list[tuple[str, str]]) -> None:
        self._ascending = ascending

    def __len__(self) -> int:
        return len(self._ascending)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self._ascending)
        if not 0 <= index < len(self._ascending):
            raise IndexError(index)
        return self._ascending[len(self._ascending) - 1 - index][1]
