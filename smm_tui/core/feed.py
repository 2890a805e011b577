"""The feed's view model: which mentions show, in what order, and the unread count.

The open queue is ordered by urgency: the mention whose first response is due
soonest first, then by priority, then by age; mentions already answered come
after. The whole feed ("all") is newest first. The model keeps one sorted
list of keys and re-filters on change; rows are built only for the ids the UI
asks for, so a 100,000-mention store costs one sorted list, not 100,000 objects.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import overload

from smm_tui.core.models import Mention, Status, utcnow
from smm_tui.core.query import Query, QueryContext, parse
from smm_tui.core.repository import Changed, Collection, Record, Repository


class FeedScope(enum.StrEnum):
    """Which mentions the feed lists."""

    OPEN = "open"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """The feed's current scope and query (see :mod:`smm_tui.core.query`).

    Build it with :meth:`parsed`, which raises :class:`QueryError` for a bad query.
    """

    scope: FeedScope = FeedScope.OPEN
    query: Query = field(default_factory=lambda: parse(""))

    @classmethod
    def parsed(cls, scope: FeedScope, text: str) -> FeedFilter:
        """A filter for ``text`` in the query language; raises QueryError, saying where."""
        return cls(scope, parse(text))

    @property
    def text(self) -> str:
        """The query as the user wrote it, normalised."""
        return self.query.text

    def predicate(self, ctx: QueryContext) -> Callable[[Record], bool]:
        """A fast test over stored records."""
        open_only = self.scope is FeedScope.OPEN
        open_values = {Status.NEW.value, Status.SEEN.value}
        if self.query.is_empty:
            if not open_only:
                return lambda _record: True
            return lambda record: record["status"] in open_values
        matches = self.query.compile(ctx)
        if not open_only:
            return matches
        return lambda record: record["status"] in open_values and matches(record)


SortKey = tuple[str, ...]
#: Sorts after any ISO time: mentions with nothing due go last in the queue.
_NOTHING_DUE = "~"


def urgency_key(record: Record) -> SortKey:
    """Due time (if no one has answered), then priority (highest first), then age."""
    due = record.get("sla_due_at") if record.get("first_response_at") is None else None
    priority = int(record.get("priority") or 0)
    return (due or _NOTHING_DUE, f"{100 - priority:03d}", record["created_at"], record["id"])


def age_key(record: Record) -> SortKey:
    """Creation time (the view shows it reversed: newest first)."""
    return (record["created_at"], record["id"])


class FeedModel:
    """Ordered, filtered mention ids over a repository: the open queue by urgency, all by age.

    A filter change re-scans every mention; a store change only re-tests the
    mentions it touched, so live updates cost O(changed · log n).
    """

    def __init__(self, repo: Repository, context: Callable[[], QueryContext] | None = None) -> None:
        self._repo = repo
        self._context = context or (lambda: QueryContext(utcnow(), ""))
        self._visible: list[SortKey] = []
        self._keys: dict[str, SortKey] = {}
        self._unread: set[str] = set()
        self._open: set[str] = set()
        self.filter = FeedFilter()
        self.ids: Sequence[str] = _View(self._visible, reverse=False)
        self.rebuild()

    @property
    def by_urgency(self) -> bool:
        """Whether the list is the open queue, most urgent first (else all, newest first)."""
        return self.filter.scope is FeedScope.OPEN

    def _key(self, record: Record) -> SortKey:
        return urgency_key(record) if self.by_urgency else age_key(record)

    @property
    def unread(self) -> int:
        """How many mentions are new (whatever the filter)."""
        return len(self._unread)

    def rebuild(self) -> None:
        """Re-scan every mention (at start, and when the filter changes)."""
        matches = self.filter.predicate(self._context())
        visible: list[SortKey] = []
        keys: dict[str, SortKey] = {}
        unread: set[str] = set()
        open_ids: set[str] = set()
        new, seen = Status.NEW.value, Status.SEEN.value
        for record in self._repo.records(Collection.MENTIONS):
            if record["status"] == new:
                unread.add(record["id"])
            if record["status"] in (new, seen):
                open_ids.add(record["id"])
            if matches(record):
                key = self._key(record)
                visible.append(key)
                keys[record["id"]] = key
        visible.sort()
        self._visible[:] = visible
        self._keys = keys
        self._unread = unread
        self._open = open_ids
        self.ids = _View(self._visible, reverse=not self.by_urgency)

    def apply(self, changed: Changed) -> bool:
        """Take in a change; returns whether the visible list or counts may differ."""
        ids = changed.of(Collection.MENTIONS)
        if not ids:
            return False
        matches = self.filter.predicate(self._context())
        for mention_id in ids:
            self._retest(mention_id, matches)
        return True

    def retest(self) -> None:
        """Filter again as time has passed (``is:breaching``, ``older:``).

        The open queue re-tests only the open mentions, which stay few however
        large the archive grows; "all" re-scans everything.
        """
        if self.filter.scope is not FeedScope.OPEN:
            self.rebuild()
            return
        matches = self.filter.predicate(self._context())
        keys: dict[str, SortKey] = {}
        for mention_id in self._open:
            record = self._repo.get(Collection.MENTIONS, mention_id)
            if record is not None and matches(record):
                keys[mention_id] = self._key(record)
        self._keys = keys
        self._visible[:] = sorted(keys.values())

    def count(self, wanted: FeedFilter) -> int:
        """How many mentions ``wanted`` would show (for a view's live count).

        Open-queue filters test only the open mentions, which stay few however
        large the archive grows; "all" with no query is the store's count.
        """
        if wanted.scope is FeedScope.ALL:
            if wanted.query.is_empty:
                return self._repo.count(Collection.MENTIONS)
            matches = wanted.predicate(self._context())
            return sum(1 for r in self._repo.records(Collection.MENTIONS) if matches(r))
        matches = wanted.predicate(self._context())
        found = 0
        for mention_id in list(self._open):  # a snapshot: counts may run in a thread
            record = self._repo.get(Collection.MENTIONS, mention_id)
            if record is not None and matches(record):
                found += 1
        return found

    def set_filter(self, new_filter: FeedFilter) -> None:
        """Show a different scope or query.

        A query that only narrows the current one (typing on: ``карт`` →
        ``карта``) re-tests just the mentions shown now, not every mention.
        """
        old, self.filter = self.filter, new_filter
        if new_filter.scope is old.scope and new_filter.query.refines(old.query):
            self._narrow()
        else:
            self.rebuild()

    def _narrow(self) -> None:
        matches = self.filter.predicate(self._context())
        kept: list[SortKey] = []
        for key in self._visible:
            record = self._repo.get(Collection.MENTIONS, key[-1])
            if record is not None and matches(record):
                kept.append(key)
            else:
                self._keys.pop(key[-1], None)
        self._visible[:] = kept

    def mention(self, mention_id: str) -> Mention | None:
        """The current mention behind a row."""
        record = self._repo.get(Collection.MENTIONS, mention_id)
        return None if record is None else Mention.from_record(record)

    def mentions(self, ids: Iterable[str]) -> list[Mention]:
        """Mentions for some ids, skipping any that vanished."""
        return [m for m in (self.mention(i) for i in ids) if m is not None]

    def index_of(self, mention_id: str) -> int | None:
        """Where a mention sits in the visible list, as shown."""
        key = self._keys.get(mention_id)
        position = None if key is None else self._position(key)
        if position is None:
            return None
        return position if self.by_urgency else len(self._visible) - 1 - position

    def _position(self, key: SortKey) -> int | None:
        position = bisect.bisect_left(self._visible, key)
        if position < len(self._visible) and self._visible[position] == key:
            return position
        return None

    def _retest(self, mention_id: str, matches: Callable[[Record], bool]) -> None:
        record = self._repo.get(Collection.MENTIONS, mention_id)
        old = self._keys.pop(mention_id, None)
        if old is not None:
            position = self._position(old)
            if position is not None:
                del self._visible[position]
        if record is None:
            self._unread.discard(mention_id)
            self._open.discard(mention_id)
            return
        if record["status"] == Status.NEW.value:
            self._unread.add(mention_id)
        else:
            self._unread.discard(mention_id)
        if Status(record["status"]).is_open:
            self._open.add(mention_id)
        else:
            self._open.discard(mention_id)
        if matches(record):
            key = self._key(record)
            bisect.insort(self._visible, key)
            self._keys[mention_id] = key


class _View(Sequence[str]):
    """The ids of an ascending key list, as shown (reversed for newest first), uncopied."""

    def __init__(self, ascending: list[SortKey], *, reverse: bool) -> None:
        self._ascending = ascending
        self._reverse = reverse

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
        if self._reverse:
            index = len(self._ascending) - 1 - index
        return self._ascending[index][-1]
