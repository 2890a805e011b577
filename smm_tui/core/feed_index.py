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
from typing import cast

from smm_tui.core.facets import FacetIndex, Plan
from smm_tui.core.indexed import (
    Facts,
    IndexedRow,
    TagsOf,
    facts_of,
    followers_of,
    narrow,
    priority_of,
)
from smm_tui.core.query import Node, Query, QueryContext, TextSplit, searchable_text
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


class MentionIndex:
    """Age keys, searchable texts and facets of every mention, kept up to date.

    The UI thread changes it (:meth:`put`); :meth:`warm` and :meth:`matching`
    (``from_worker=True``) may run in a worker at the same time.
    """

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        #: Guards the shape of ``_ages``/``_texts`` against a worker filling texts by position.
        self._lock = threading.Lock()
        self._building = threading.Lock()
        #: Set once a caller waits for the index: a build ahead of need stops pausing.
        self._needed = threading.Event()
        self._built = False
        #: While a build runs, the ids changed since it read the repository.
        self._dirty: set[str] | None = None
        self._ages: list[SortKey] = []
        #: Searchable texts, each character past U+FFFF (an emoji) written as its UTF-16
        #: pair (see _narrow): a third of real texts hold one, which would make the whole
        #: str four bytes a character instead of two.
        self._texts: list[str | None] = []
        #: The indexed fields of each mention (beside its age key), as shared tuples,
        #: and its priority (which would make nearly every tuple unique).
        self._facts: list[Facts] = []
        self._priorities = array("h")
        self._followers = array("q")
        self._shared_facts: dict[Facts, Facts] = {}
        self._age_of: dict[str, SortKey] = {}
        self._facets = FacetIndex()
        #: How many of ``_texts`` are still None.
        self._unfilled = 0
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
            self._ages, self._texts, self._facts, self._age_of = [], [], [], {}
            self._priorities, self._followers = array("h"), array("q")
            self._facets, self._unfilled, self._shared_facts = FacetIndex(), 0, {}

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
            facets = FacetIndex()
            shared: dict[Facts, Facts] = {}
            records = self._repo.records(Collection.MENTIONS)
            if pause is not None:
                records = self._pausing(records, pause)
            ages: list[SortKey] = []
            texts: list[str | None] = []
            facts: list[Facts] = []
            priorities, followers = array("h"), array("q")
            for record in facets.added(records):
                ages.append(age_key(record))
                texts.append(_haystack(record))
                facts.append(shared.setdefault(row := facts_of(record), row))
                priorities.append(priority_of(record))
                followers.append(followers_of(record))
            # Three lists put in order, rather than one list of (key, text, facts)
            # tuples to sort: that costs 8 MB more at 100k.
            order = sorted(range(len(ages)), key=ages.__getitem__)
            ages = [ages[i] for i in order]
            texts = [texts[i] for i in order]
            facts = [facts[i] for i in order]
            priorities = array("h", (priorities[i] for i in order))
            followers = array("q", (followers[i] for i in order))
            del order
            with self._lock:
                self._generation += 1
                self._ages, self._facets, self._texts = ages, facets, texts
                # Changes share their facts among themselves; the build's table is let go.
                self._facts, self._shared_facts = facts, {}
                self._priorities, self._followers = priorities, followers
                self._unfilled = 0
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

    def warm(self, chunk: int = 2000, pause: Pause | None = None) -> None:
        """Build the index and every searchable text ahead of the first query.

        Safe to run in a worker thread; it takes the lock a chunk at a time.
        ``pause`` is as for :meth:`ensure`.
        """
        self.ensure(pause)
        start = 0
        while True:
            with self._lock:
                if start >= len(self._texts):
                    return
                self._fill(start, min(start + chunk, len(self._texts)))
            start += chunk

    def _fill(self, start: int, stop: int) -> None:
        """Fill the missing searchable texts in ``start:stop`` (the lock is held)."""
        if not self._unfilled:
            return
        texts, ages, get = self._texts, self._ages, self._repo.get
        for index in range(start, stop):
            if texts[index] is None:
                record = get(Collection.MENTIONS, ages[index][-1])
                texts[index] = "" if record is None else _haystack(record)
                self._unfilled -= 1

    # -- changes --------------------------------------------------------------------------

    def put(self, mention_id: str, record: Record | None) -> None:
        """Take in a mention's current record (None: it is gone)."""
        with self._lock:
            if self._built:
                self._put(mention_id, record)
            elif self._dirty is not None:
                self._dirty.add(mention_id)

    def _put(self, mention_id: str, record: Record | None) -> None:
        """Move a mention's age key, forget its text, re-file its facets (lock held)."""
        self._generation += 1
        self._facets.put(mention_id, record)
        old = self._age_of.pop(mention_id, None)
        position = None if old is None else position_of(self._ages, old)
        if position is not None:
            del self._ages[position]
            del self._facts[position]
            del self._priorities[position]
            del self._followers[position]
            if self._texts.pop(position) is None:
                self._unfilled -= 1
        if record is not None:
            key = age_key(record)
            position = bisect.bisect_left(self._ages, key)
            self._ages.insert(position, key)
            self._facts.insert(position, _shared(self._shared_facts, facts_of(record)))
            self._priorities.insert(position, priority_of(record))
            self._followers.insert(position, followers_of(record))
            self._texts.insert(position, None)
            self._unfilled += 1
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
            self._fill(0, len(self._texts))
            plan = self._facets.plan(words.rest)
            ages, texts, facts = self._ages, cast(list[str], self._texts), self._facts
            priorities, followers = self._priorities, self._followers
            tags_of: TagsOf = self._facets.tags_of
            generation = self._generation
            positions: Sequence[int] = range(len(ages))
            remembered = None if from_worker else self._remembered(generation, words)
            if remembered is not None:
                positions = remembered  # narrowed by the same plan; needles are re-tested
            elif plan.narrows:
                positions = self._narrowed(ages, plan)  # first: words then search fewer texts
            if from_worker:
                ages, texts, facts = list(ages), list(texts), list(facts)
                priorities, followers = array("h", priorities), array("q", followers)
                tags_of = self._facets.tags_now()
        if words.needles:
            positions = _holding(texts, positions, [narrow(n) for n in words.needles])
            if not from_worker:
                self._memo = _TextMemo(generation, words.needles, words.rest.root, positions)
        for word in words.absent:
            unwanted = narrow(word)
            positions = [i for i in positions if unwanted not in texts[i]]
        if plan.rest.is_empty:
            return ages[:] if isinstance(positions, range) else [ages[i] for i in positions]
        matches = plan.rest.compile(ctx)
        load = partial(self._repo.get, Collection.MENTIONS)
        return [
            ages[i]
            for i in positions
            if matches(
                IndexedRow(
                    ages[i], facts[i], (priorities[i], followers[i]), texts[i], load, tags_of
                )
            )
        ]

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
    needles: tuple[str, ...]
    #: The query's other terms: the memo holds only positions their facets allowed.
    rest: Node
    picked: list[int]

    def narrowed_by(self, needles: tuple[str, ...]) -> bool:
        """Whether every text holding all of ``needles`` holds all of this memo's."""
        return all(any(old in new for new in needles) for old in self.needles)


def _holding(texts: list[str], positions: Sequence[int], needles: list[str]) -> list[int]:
    """The positions whose text holds every needle (already narrowed)."""
    first, *others = needles
    if isinstance(positions, range):
        picked = [i for i, text in enumerate(texts) if first in text]
    else:
        picked = [i for i in positions if first in texts[i]]
    for needle in others:
        picked = [i for i in picked if needle in texts[i]]
    return picked


def _haystack(record: Record) -> str:
    return narrow(searchable_text(record, cached=False))


def _shared(table: dict[Facts, Facts], facts: Facts) -> Facts:
    """One tuple for equal facts: mentions share a few thousand combinations."""
    return table.setdefault(facts, facts)


def position_of(keys: list[SortKey], key: SortKey) -> int | None:
    """Where ``key`` sits in the ascending ``keys``, if it is there."""
    position = bisect.bisect_left(keys, key)
    if position < len(keys) and keys[position] == key:
        return position
    return None
