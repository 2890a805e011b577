"""The feed's view model: which mentions show, in what order, and the unread count.

The open queue is ordered by urgency: overdue mentions first, the highest
priority first and, among equals, the longest overdue first; then the ones not
yet due, the least time left first (then priority, then age); mentions already
answered, or with no response target, come after. The whole feed ("all") is
newest first. The model keeps sorted lists of keys and re-filters on change;
rows are built only for the ids the UI asks for, so a 100,000-mention store
costs a few lists, not 100,000 objects.
"""

from __future__ import annotations

import bisect
import enum
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

from smm_tui.core.feed_index import MentionIndex, Pause, SortKey, age_key, position_of
from smm_tui.core.models import OPEN_VALUES, Mention, Status, to_iso, utcnow
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
        open_values = OPEN_VALUES
        if self.query.is_empty:
            if not open_only:
                return lambda _record: True
            return lambda record: record["status"] in open_values
        matches = self.query.compile(ctx)
        if not open_only:
            return matches
        return lambda record: record["status"] in open_values and matches(record)


#: How many closed mentions' records the feed holds for its rows (they live in archive files).
HELD_ROWS = 2000

#: The queue's three bands, in order: overdue, not yet due, nothing due (answered, no target).
OVERDUE, DUE, NOTHING_DUE = "0", "1", "2"


def urgency_key(record: Record, now_iso: str = "") -> SortKey:
    """The queue's order at ``now_iso`` (a stored-style ISO time; "" sees nothing overdue).

    Overdue (awaiting a first response past its due time): priority (highest
    first), then how late (the longest overdue first). Not yet due: time left
    (least first), then priority. Then the rest by priority. Ties go by age.
    """
    due = record.get("sla_due_at") if record.get("first_response_at") is None else None
    rank = f"{100 - int(record.get('priority') or 0):03d}"
    created, mention_id = record["created_at"], record["id"]
    if due is None:
        return (NOTHING_DUE, "", rank, created, mention_id)
    if due <= now_iso:
        return (OVERDUE, rank, due, created, mention_id)
    return (DUE, due, rank, created, mention_id)


class FeedModel:
    """Ordered, filtered mention ids over a repository: the open queue by urgency, all by age.

    It keeps the ids of the open mentions, read from the open queue alone, so the
    open queue re-filters only those, which stay few however large the archive
    grows. Queries over everything go to a :class:`~smm_tui.core.feed_index.MentionIndex`,
    built on first use or ahead by :meth:`warm`. A store change only re-tests the
    mentions it touched: O(changed · log n).

    The UI thread changes the model; :meth:`count` and :meth:`warm` may run in a
    worker thread at the same time.
    """

    def __init__(self, repo: Repository, context: Callable[[], QueryContext] | None = None) -> None:
        self._repo = repo
        self._context = context or (lambda: QueryContext(utcnow(), ""))
        self._visible: list[SortKey] = []
        self._keys: dict[str, SortKey] = {}
        self._unread: set[str] = set()
        self._open: set[str] = set()
        #: Every mention, for queries over the whole feed (built on first use, or warmed).
        self._index = MentionIndex(repo)
        #: Saved views counted live (see :meth:`track`): the open ids each matches,
        #: or None for a view over everything, counted otherwise.
        self._tracked: list[FeedFilter] = []
        self._members: list[set[str] | None] = []
        self.filter = FeedFilter()
        self.ids: Sequence[str] = _View(self._visible, reverse=False)
        #: The time the open queue's keys were made at: one cut-off for overdue, so the
        #: list stays sorted between re-sorts (see :meth:`catch_up`).
        self._now_iso = ""
        #: Records of closed mentions read for rows (see :meth:`held_mention`), oldest first.
        self._held: OrderedDict[str, Record | None] = OrderedDict()
        self._wanted: set[str] = set()
        self.rebuild()

    @property
    def by_urgency(self) -> bool:
        """Whether the list is the open queue, most urgent first (else all, newest first)."""
        return self.filter.scope is FeedScope.OPEN

    def _key(self, record: Record) -> SortKey:
        return urgency_key(record, self._now_iso) if self.by_urgency else age_key(record)

    def catch_up(self) -> bool:
        """Re-sort the open queue if a mention fell overdue since the last sort.

        Cheap when none did (one look at the first not-yet-due key); returns
        whether the order may have changed.
        """
        if not self.by_urgency:
            return False
        now_iso = to_iso(self._context().now) or ""
        first = bisect.bisect_left(self._visible, (DUE,))
        if first == len(self._visible) or self._visible[first][0] != DUE:
            return False
        if self._visible[first][1] > now_iso:
            return False
        self._refilter()
        return True

    @property
    def unread(self) -> int:
        """How many mentions are new (whatever the filter)."""
        return len(self._unread)

    def _index_open(self) -> None:
        """Which mentions are open and which unread: read from the open queue alone."""
        new = Status.NEW.value
        unread: set[str] = set()
        open_ids: set[str] = set()
        for record in self._repo.open_mentions():
            open_ids.add(record["id"])
            if record["status"] == new:
                unread.add(record["id"])
        self._unread, self._open = unread, open_ids

    def warm(self, pause: Pause | None = None) -> None:
        """Build the index of every mention ahead of the first query over all of them.

        Safe to run in a worker thread; ``pause`` is called between steps and may
        wait (say while the user types; see :meth:`MentionIndex.ensure`).
        """
        self._index.warm(pause=pause)

    def _matching_open(self, wanted: FeedFilter, ctx: QueryContext) -> list[Record]:
        matches, get = wanted.predicate(ctx), self._repo.get
        found: list[Record] = []
        for mention_id in list(self._open):  # a snapshot: counts may run in a thread
            record = get(Collection.MENTIONS, mention_id)
            if record is not None and matches(record):
                found.append(record)
        return found

    def rebuild(self) -> None:
        """Re-read the mentions from the repository, then filter afresh."""
        self._index_open()
        self._index.forget()
        self._refilter()

    def _refilter(self) -> None:
        """Filter afresh from the index (when the filter changes or time passes)."""
        ctx = self._context()
        self._now_iso = to_iso(ctx.now) or ""
        if self.by_urgency:
            now_iso = self._now_iso
            keys = {r["id"]: urgency_key(r, now_iso) for r in self._matching_open(self.filter, ctx)}
            visible = sorted(keys.values())
        else:
            visible = self._index.matching(self.filter.query, ctx)
            keys = {}  # newest first: a mention's key is its age key, see _shown_key
        self._visible[:] = visible
        self._keys = keys
        self.ids = _View(self._visible, reverse=not self.by_urgency)

    def apply(self, changed: Changed) -> bool:
        """Take in a change; returns whether the visible list or counts may differ."""
        ids = changed.of(Collection.MENTIONS)
        if not ids:
            return False
        ctx = self._context()
        matches = self.filter.predicate(ctx)
        tracked = [
            (members, wanted.predicate(ctx))
            for wanted, members in zip(self._tracked, self._members, strict=True)
            if members is not None
        ]
        for mention_id in ids:
            record = self._retest(mention_id, matches)
            for members, counted in tracked:
                if record is not None and counted(record):
                    members.add(mention_id)
                else:
                    members.discard(mention_id)
        return True

    # -- live counts of saved views -------------------------------------------------------

    def track(self, filters: Sequence[FeedFilter]) -> None:
        """Keep live counts of these filters as changes come in (:meth:`tracked_counts`).

        Open-queue filters are counted exactly, mention by mention, as changes
        are applied; everything unfiltered is the store's count; any other filter
        over everything is left to :meth:`count` in a worker.
        """
        self._tracked = list(filters)
        self._members = [set() if f.scope is FeedScope.OPEN else None for f in filters]
        self.recount_tracked()

    def recount_tracked(self, *, time_dependent_only: bool = False) -> None:
        """Count the tracked open-queue filters afresh (or only those time changes)."""
        ctx = self._context()
        for index, wanted in enumerate(self._tracked):
            if self._members[index] is None:
                continue
            if time_dependent_only and not wanted.query.time_dependent:
                continue
            self._members[index] = {r["id"] for r in self._matching_open(wanted, ctx)}

    def tracked_counts(self) -> list[int | None]:
        """Each tracked filter's count now; None for one only :meth:`count` can tell."""
        counts: list[int | None] = []
        for wanted, members in zip(self._tracked, self._members, strict=True):
            if members is not None:
                counts.append(len(members))
            elif wanted.query.is_empty:
                counts.append(self._repo.count(Collection.MENTIONS))
            else:
                counts.append(None)
        return counts

    def retest(self) -> None:
        """Filter again as time has passed (``is:breaching``, ``older:``)."""
        self._refilter()

    def count(self, wanted: FeedFilter) -> int:
        """How many mentions ``wanted`` would show (for a view's live count)."""
        ctx = self._context()
        if wanted.scope is FeedScope.OPEN:
            return len(self._matching_open(wanted, ctx))
        if wanted.query.is_empty:
            return self._repo.count(Collection.MENTIONS)
        return len(self._index.matching(wanted.query, ctx, from_worker=True))

    def set_filter(self, new_filter: FeedFilter) -> None:
        """Show a different scope or query.

        Typing on is cheap either way: the open queue is few mentions, and the
        index of everything searches only what the last word matched.
        """
        self.filter = new_filter
        self._refilter()

    def mention(self, mention_id: str) -> Mention | None:
        """The current mention behind a row."""
        record = self._repo.get(Collection.MENTIONS, mention_id)
        return None if record is None else Mention.from_record(record)

    def held_mention(self, mention_id: str) -> Mention | None:
        """The mention behind a row, without reading a file (safe while painting).

        Open mentions are in memory; a closed one may sit in an archive file: until
        :meth:`hold` has its record, None, and the id is wanted (:meth:`take_wanted`).
        """
        if mention_id in self._open:
            return self.mention(mention_id)
        if mention_id not in self._held:
            self._wanted.add(mention_id)
            return None
        self._held.move_to_end(mention_id)
        record = self._held[mention_id]
        return None if record is None else Mention.from_record(record)

    def take_wanted(self) -> list[str]:
        """The rows :meth:`held_mention` could not show, to :meth:`read` off the UI thread."""
        wanted, self._wanted = self._wanted, set()
        return sorted(wanted)

    def read(self, mention_ids: Iterable[str]) -> dict[str, Record | None]:
        """The records of some mentions (None for one that vanished); may read files."""
        return {i: self._repo.get(Collection.MENTIONS, i) for i in mention_ids}

    def hold(self, records: Mapping[str, Record | None]) -> None:
        """Keep records :meth:`read` returned for the rows, the least recently shown going."""
        self._held.update(records)
        while len(self._held) > HELD_ROWS:
            self._held.popitem(last=False)

    def count_untracked(self) -> dict[int, int]:
        """Counts of the tracked filters :meth:`tracked_counts` cannot tell (slow: a worker's)."""
        counts = self.tracked_counts()
        return {i: self.count(f) for i, f in enumerate(self._tracked) if counts[i] is None}

    def mentions(self, ids: Iterable[str]) -> list[Mention]:
        """Mentions for some ids, skipping any that vanished."""
        return [m for m in (self.mention(i) for i in ids) if m is not None]

    def index_of(self, mention_id: str) -> int | None:
        """Where a mention sits in the visible list, as shown."""
        key = self._shown_key(mention_id)
        position = None if key is None else position_of(self._visible, key)
        if position is None:
            return None
        return position if self.by_urgency else len(self._visible) - 1 - position

    def _shown_key(self, mention_id: str) -> SortKey | None:
        """The key a mention would have in the visible list (it may not be there)."""
        if self.by_urgency:
            return self._keys.get(mention_id)
        return self._index.key_of(mention_id)

    def _retest(self, mention_id: str, matches: Callable[[Record], bool]) -> Record | None:
        """Move one changed mention in the lists; returns its current record, if any."""
        record = self._repo.get(Collection.MENTIONS, mention_id)
        if mention_id in self._held:
            self._held[mention_id] = record
        old = self._shown_key(mention_id)
        self._keys.pop(mention_id, None)
        self._index.put(mention_id, record)
        if old is not None:
            position = position_of(self._visible, old)
            if position is not None:
                del self._visible[position]
        if record is None:
            self._unread.discard(mention_id)
            self._open.discard(mention_id)
            return None
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
            if self.by_urgency:
                self._keys[mention_id] = key
        return record


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
