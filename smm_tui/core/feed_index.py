"""Every stored mention, indexed so a query over the whole feed does not test each record.

The index keeps each mention's age key in order with its folded searchable text
beside it, and a facet index of the enumerated fields. A word is then a substring
test over a list of strings, typing on searches only what the last word matched,
field terms are set operations, and only what is left runs as a test of each
mention's index row (:class:`~smm_tui.core.indexed.IndexedRow`), which reads the
record itself only for fields the index does not hold.

It is built on first use or ahead, in a worker (:meth:`MentionIndex.warm`), not
when the feed opens: the open queue needs none of it, and building it means
reading every mention. Changes made while a build runs are noted and put in
when it finishes.
"""

from __future__ import annotations

import bisect
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from smm_tui.core.facets import FacetIndex, Plan
from smm_tui.core.indexed import (
    Facts,
    IndexedRow,
    Loader,
    TagsOf,
    facts_of,
    followers_of,
    narrow,
    priority_of,
)
from smm_tui.core.query import Needles, Node, Query, QueryContext, TextSplit, searchable_text
from smm_tui.core.query_text import common_start, covers
from smm_tui.core.repository import Collection, Record, Repository

SortKey = tuple[str, ...]
#: Called by a build ahead of need between mentions; it may wait (see MentionIndex.ensure),
#: but not once the event it is given is set (a caller needs the index now).
Pause = Callable[[threading.Event], None]
#: How many mentions a build reads between calls to its pause (about 1 ms of work).
PAUSE_EVERY = 100


def pause_while_busy(
    last_input: Callable[[], float],
    *,
    quiet: float = 0.3,
    clock: Callable[[], float] = time.monotonic,
    wait: Callable[[threading.Event, float], object] = threading.Event.wait,
) -> Pause:
    """A pause that waits until ``quiet`` seconds have passed since the last input,
    or until the index is needed."""

    def pause(needed: threading.Event) -> None:
        while not needed.is_set() and (idle := clock() - last_input()) < quiet:
            wait(needed, quiet - idle)

    return pause


def age_key(record: Record) -> SortKey:
    """Creation time (the feed shows it reversed: newest first)."""
    return (record["created_at"], record["id"])


class RowColumns:
    """All the index holds of each mention but its age key, aligned by position.

    Searchable texts (narrowed), shared facts tuples, and priority and follower
    columns: a few dozen bytes a mention beside its text.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.facts: list[Facts] = []
        self.priorities = array("h")
        self.followers = array("q")
        self._shared: dict[Facts, Facts] = {}

    def append(self, record: Record) -> None:
        """Add a mention's row at the end."""
        self.insert(len(self.texts), record)

    def insert(self, position: int, record: Record) -> None:
        """Add a mention's row at ``position``."""
        facts = facts_of(record)
        self.texts.insert(position, _haystack(record))
        self.facts.insert(position, self._shared.setdefault(facts, facts))
        self.priorities.insert(position, priority_of(record))
        self.followers.insert(position, followers_of(record))

    def delete(self, position: int) -> None:
        """Take out the row at ``position``."""
        del self.texts[position], self.facts[position]
        del self.priorities[position], self.followers[position]

    def reordered(self, order: Sequence[int]) -> RowColumns:
        """The rows in the order of ``order`` (positions in this)."""
        rows = RowColumns()
        rows.texts = [self.texts[i] for i in order]
        rows.facts = [self.facts[i] for i in order]
        rows.priorities = array("h", (self.priorities[i] for i in order))
        rows.followers = array("q", (self.followers[i] for i in order))
        rows._shared = self._shared
        return rows

    def copy(self) -> RowColumns:
        """A copy another thread can read while this one changes."""
        rows = RowColumns()
        rows.texts, rows.facts = list(self.texts), list(self.facts)
        rows.priorities, rows.followers = array("h", self.priorities), array("q", self.followers)
        rows._shared = self._shared
        return rows

    def row(self, position: int, key: SortKey, load: Loader, tags_of: TagsOf) -> IndexedRow:
        """The row at ``position`` as a record for a query's predicate."""
        numbers = (self.priorities[position], self.followers[position])
        return IndexedRow(key, self.facts[position], numbers, self.texts[position], load, tags_of)


class MentionIndex:
    """Age keys, searchable texts and facets of every mention, kept up to date.

    The UI thread changes it (:meth:`put`); :meth:`warm` and :meth:`matching`
    (``from_worker=True``) may run in a worker at the same time.
    """

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        #: Guards the index's shape: a worker reads (or copies) it in one state.
        self._lock = threading.Lock()
        self._building = threading.Lock()
        #: Set once a caller waits for the index: a build ahead of need stops pausing.
        self._needed = threading.Event()
        self._built = False
        #: While a build runs, the ids changed since it read the repository.
        self._dirty: set[str] | None = None
        self._ages: list[SortKey] = []
        #: Each mention's row, at the position of its age key.
        self._rows = RowColumns()
        self._age_of: dict[str, SortKey] = {}
        self._facets = FacetIndex()
        #: Bumped whenever the index changes shape; a memo of another generation is stale.
        self._generation = 0
        self._memo: _TextMemo | None = None

    # -- building -------------------------------------------------------------------------

    def forget(self) -> None:
        """Drop everything; the next use reads every mention again."""
        with self._lock:
            self._built = False
            self._needed.clear()
            self._generation += 1
            self._ages, self._rows, self._age_of = [], RowColumns(), {}
            self._facets = FacetIndex()

    def ensure(self, pause: Pause | None = None) -> None:
        """Build the index from every mention, unless it is built.

        Building reads every mention, the archive a day at a time. ``pause`` (a
        build ahead of need, in a worker) is called every few hundred mentions and
        may wait, say while the user types, since the build and the keys share the
        interpreter; once a caller needs the index, the build no longer pauses.
        """
        if self._built:
            return
        if pause is None:
            self._needed.set()
        with self._building:
            if self._built:
                return
            with self._lock:
                self._dirty = set()
            # One pass: the archive is read a day at a time, and none of it is kept.
            facets, rows = FacetIndex(), RowColumns()
            records = self._repo.records(Collection.MENTIONS)
            if pause is not None:
                records = self._pausing(records, pause)
            ages: list[SortKey] = []
            for record in facets.added(records):
                ages.append(age_key(record))
                rows.append(record)
            # The columns put in order, rather than a list of (key, row) tuples sorted:
            # that would cost 8 MB more at 100k.
            order = sorted(range(len(ages)), key=ages.__getitem__)
            ages, rows = [ages[i] for i in order], rows.reordered(order)
            del order
            with self._lock:
                self._generation += 1
                self._ages, self._facets, self._rows = ages, facets, rows
                self._age_of = {key[-1]: key for key in ages}
                self._built = True
                dirty, self._dirty = self._dirty or set(), None
                for mention_id in dirty:
                    self._put(mention_id, self._repo.get(Collection.MENTIONS, mention_id))

    def _pausing(self, records: Iterator[Record], pause: Pause) -> Iterator[Record]:
        for count, record in enumerate(records):
            if count % PAUSE_EVERY == 0 and not self._needed.is_set():
                pause(self._needed)
            yield record

    def warm(self, pause: Pause | None = None) -> None:
        """Build the index ahead of the first query, in a worker thread (see :meth:`ensure`)."""
        self.ensure(pause)

    # -- changes --------------------------------------------------------------------------

    def put(self, mention_id: str, record: Record | None) -> None:
        """Take in a mention's current record (None: it is gone)."""
        with self._lock:
            if self._built:
                self._put(mention_id, record)
            elif self._dirty is not None:
                self._dirty.add(mention_id)

    def _put(self, mention_id: str, record: Record | None) -> None:
        """Move a mention's age key and row, re-file its facets (lock held)."""
        self._generation += 1
        self._facets.put(mention_id, record)
        old = self._age_of.pop(mention_id, None)
        position = None if old is None else position_of(self._ages, old)
        if position is not None:
            del self._ages[position]
            self._rows.delete(position)
        if record is not None:
            key = age_key(record)
            position = bisect.bisect_left(self._ages, key)
            self._ages.insert(position, key)
            self._rows.insert(position, record)
            self._age_of[mention_id] = key

    def key_of(self, mention_id: str) -> SortKey | None:
        """A mention's age key, if the index is built and holds it."""
        return self._age_of.get(mention_id)

    # -- querying -------------------------------------------------------------------------

    def matching(
        self, query: Query, ctx: QueryContext, *, from_worker: bool = False
    ) -> list[SortKey]:
        """The age keys of every mention ``query`` matches, ascending.

        Words are looked for in the searchable texts, enumerated fields in the
        facet index, and only what is left runs as a predicate on index rows,
        which read a record only for a field the index does not hold. The UI
        thread, the only one that reshapes the index, reads it in place and
        remembers which texts matched, so typing on searches only those; a
        worker reads a copy, taken with the facets' answer in one state.
        """
        self.ensure()
        words = query.split_text()
        with self._lock:
            plan = self._facets.plan(words.rest)
            ages, rows = self._ages, self._rows
            tags_of: TagsOf = self._facets.tags_of
            generation = self._generation
            positions: Sequence[int] = range(len(ages))
            remembered = None if from_worker else self._remembered(generation, words)
            if remembered is not None:
                positions = remembered  # narrowed by the same plan; needles are re-tested
            elif plan.narrows:
                positions = self._narrowed(ages, plan)  # first: words then search fewer texts
            if from_worker:
                ages, rows, tags_of = list(ages), rows.copy(), self._facets.tags_now()
        texts = rows.texts
        if words.needles:
            positions = _holding(texts, positions, [_narrowed(word) for word in words.needles])
            if not from_worker:
                self._memo = _TextMemo(generation, words.needles, words.rest.root, positions)
        for word in words.absent:
            positions = _lacking(texts, positions, _narrowed(word))
        if plan.rest.is_empty:
            return ages[:] if isinstance(positions, range) else [ages[i] for i in positions]
        matches = plan.rest.compile(ctx)
        load = partial(self._repo.get, Collection.MENTIONS)
        return [ages[i] for i in positions if matches(rows.row(i, ages[i], load, tags_of))]

    def _narrowed(self, ages: list[SortKey], plan: Plan) -> list[int]:
        """The positions the plan's sets allow, in age order."""
        allowed, excluded = plan.allows(), plan.excluded()
        if allowed is not None and len(allowed) * 10 < len(ages):
            # Few allowed: find each one's place, rather than walk every key.
            age_of = self._age_of
            found = (age_of.get(mention_id) for mention_id in allowed - excluded)
            places = (position_of(ages, key) for key in found if key is not None)
            return sorted(place for place in places if place is not None)
        if allowed is None:
            return [i for i, key in enumerate(ages) if key[-1] not in excluded]
        allowed -= excluded
        return [i for i, key in enumerate(ages) if key[-1] in allowed]

    def _remembered(self, generation: int, words: TextSplit) -> list[int] | None:
        """What the last words matched, if the new words can only match fewer of them."""
        memo = self._memo
        if not words.needles or memo is None or memo.generation != generation:
            return None
        if memo.rest != words.rest.root or not memo.narrowed_by(words.needles):
            return None
        return memo.picked


@dataclass(frozen=True, slots=True)
class _TextMemo:
    """Which positions of the index held the needles last typed, for typing on."""

    generation: int
    needles: tuple[Needles, ...]
    #: The query's other terms: the memo holds only positions their facets allowed.
    rest: Node
    picked: list[int]

    def narrowed_by(self, needles: tuple[Needles, ...]) -> bool:
        """Whether every text holding all of ``needles`` holds all of this memo's."""
        return all(any(covers(new, old) for new in needles) for old in self.needles)


def _narrowed(word: Needles) -> Needles:
    if len(word) == 1:
        return (narrow(word[0]),)
    return (narrow(word[0]), narrow(word[1]))


def _holding(texts: list[str], positions: Sequence[int], words: list[Needles]) -> list[int]:
    """The positions whose text holds a needle of every word (already narrowed).

    A word is one needle or two (its stem, and the word as typed: see ``needles``).
    """
    picked = positions
    for word in words:
        # A word of two needles: both hold their common beginning, so one pass finds the
        # texts worth two tests.
        first = word[0] if len(word) == 1 else common_start(word)
        if isinstance(picked, range):
            picked = [i for i, text in enumerate(texts) if first in text]
        else:
            picked = [i for i in picked if first in texts[i]]
        if len(word) == 2:
            stem, typed = word
            picked = [i for i in picked if stem in texts[i] or typed in texts[i]]
    return picked if isinstance(picked, list) else list(picked)


def _lacking(texts: list[str], positions: Sequence[int], word: Needles) -> list[int]:
    """The positions whose text holds no needle of ``word`` (already narrowed)."""
    if len(word) == 1:
        (unwanted,) = word
        return [i for i in positions if unwanted not in texts[i]]
    stem, typed = word
    common = common_start(word)  # most texts lack it: one test each
    return [
        i
        for i in positions
        if common not in (text := texts[i]) or (stem not in text and typed not in text)
    ]


def _haystack(record: Record) -> str:
    return narrow(searchable_text(record, cached=False))


def position_of(keys: list[SortKey], key: SortKey) -> int | None:
    """Where ``key`` sits in the ascending ``keys``, if it is there."""
    position = bisect.bisect_left(keys, key)
    if position < len(keys) and keys[position] == key:
        return position
    return None
