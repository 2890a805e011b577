"""The feed's view model: which mentions show, in what order, and the unread count.

It keeps every mention id sorted by creation time and re-filters on change.
Rows are built only for the ids the UI asks for, so a 100,000-mention store
costs one sorted list, not 100,000 objects.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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
    """Ordered, filtered mention ids over a repository, newest first."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._sorted: list[tuple[str, str]] = []
        self._known: set[str] = set()
        self.filter = FeedFilter()
        self.ids: list[str] = []
        self.unread = 0
        self.rebuild()

    def rebuild(self) -> None:
        """Re-read every mention (at start, or when another process changed many)."""
        records = list(self._repo.records(Collection.MENTIONS))
        self._sorted = sorted((r["created_at"], r["id"]) for r in records)
        self._known = {r["id"] for r in records}
        self._refilter()

    def apply(self, changed: Changed) -> bool:
        """Take in a change; returns whether the visible list or counts may differ."""
        ids = changed.of(Collection.MENTIONS)
        if not ids:
            return False
        for mention_id in ids:
            self._track(mention_id)
        self._refilter()
        return True

    def set_filter(self, new_filter: FeedFilter) -> None:
        """Show a different scope or text filter."""
        self.filter = new_filter
        self._refilter()

    def mention(self, mention_id: str) -> Mention | None:
        """The current mention behind a row."""
        record = self._repo.get(Collection.MENTIONS, mention_id)
        return None if record is None else Mention.from_record(record)

    def mentions(self, ids: Iterable[str]) -> list[Mention]:
        """Mentions for some ids, skipping any that vanished."""
        return [m for m in (self.mention(i) for i in ids) if m is not None]

    def index_of(self, mention_id: str) -> int | None:
        """Where a mention sits in the visible list."""
        try:
            return self.ids.index(mention_id)
        except ValueError:
            return None

    def _track(self, mention_id: str) -> None:
        record = self._repo.get(Collection.MENTIONS, mention_id)
        if record is None:
            if mention_id in self._known:
                self._known.discard(mention_id)
                self._sorted = [item for item in self._sorted if item[1] != mention_id]
            return
        if mention_id not in self._known:
            self._known.add(mention_id)
            bisect.insort(self._sorted, (record["created_at"], mention_id))

    def _refilter(self) -> None:
        matches = self.filter.predicate()
        get = self._repo.get
        visible: list[str] = []
        unread = 0
        for _, mention_id in reversed(self._sorted):
            record = get(Collection.MENTIONS, mention_id)
            if record is None:
                continue
            if record["status"] == Status.NEW.value:
                unread += 1
            if matches(record):
                visible.append(mention_id)
        self.ids = visible
        self.unread = unread
