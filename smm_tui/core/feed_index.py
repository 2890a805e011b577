"""Every stored mention, indexed so a query over the whole feed does not test each record.

The index keeps each mention's age key in order with its folded searchable text
beside it, and a facet index of the enumerated fields. A word is then a substring
test over a list of strings, typing on searches only what the last word matched,
field terms are set operations, and only what is left runs as a test of records.

It is built on first use or ahead, in a worker (:meth:`MentionIndex.warm`), not
when the feed opens: the open queue needs none of it, and building it means
reading every mention. Changes made while a build runs are noted and put in
when it finishes.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from typing import cast

from smm_tui.core.facets import FacetIndex, Plan
from smm_tui.core.query import Query, QueryContext, searchable_text
from smm_tui.core.repository import Collection, Record, Repository

SortKey = tuple[str, ...]


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
        self._built = False
        #: While a build runs, the ids changed since it read the repository.
        self._dirty: set[str] | None = None
        self._ages: list[SortKey] = []
        self._texts: list[str | None] = []
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
            self._generation += 1
            self._ages, self._texts, self._age_of = [], [], {}
            self._facets, self._unfilled = FacetIndex(), 0

    def ensure(self) -> None:
        """Build the index from every mention, unless it is built."""
        if self._built:
            return
        with self._building:
            if self._built:
                return
            with self._lock:
                self._dirty = set()
            records = list(self._repo.records(Collection.MENTIONS))
            ages = sorted(age_key(record) for record in records)
            facets = FacetIndex()
            facets.reset(records)
            del records
            with self._lock:
                self._generation += 1
                self._ages, self._facets = ages, facets
                self._texts = [None] * len(ages)
                self._unfilled = len(ages)
                self._age_of = {key[-1]: key for key in ages}
                self._built = True
                dirty, self._dirty = self._dirty or set(), None
                for mention_id in dirty:
                    self._put(mention_id, self._repo.get(Collection.MENTIONS, mention_id))

    def warm(self, chunk: int = 2000) -> None:
        """Build the index and every searchable text ahead of the first query.

        Safe to run in a worker thread; it takes the lock a chunk at a time.
        """
        self.ensure()
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
                texts[index] = "" if record is None else searchable_text(record, cached=False)
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
            if self._texts.pop(position) is None:
                self._unfilled -= 1
        if record is not None:
            key = age_key(record)
            position = bisect.bisect_left(self._ages, key)
            self._ages.insert(position, key)
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
        facet index, and only what is left runs as a predicate on the records.
        The UI thread, the only one that reshapes the index, reads it in place
        and remembers which texts matched, so typing on searches only those; a
        worker reads a copy.
        """
        self.ensure()
        words = query.split_text()
        plan = self._facets.plan(words.rest)
        needles = words.needles or words.absent
        if needles:
            ages = self._with_words(words.needles, words.absent, copy=from_worker)
        else:
            ages = list(self._ages) if from_worker else self._ages
        if plan.narrows:
            ages = self._narrowed(ages, plan, few_first=not needles)
        if plan.rest.is_empty:
            return list(ages)
        matches = plan.rest.compile(ctx)
        if needles or plan.narrows:
            get = self._repo.get
            kept: list[SortKey] = []
            for key in ages:
                record = get(Collection.MENTIONS, key[-1])
                if record is not None and matches(record):
                    kept.append(key)
            return kept
        # Straight over the records, then back into age order: cheaper than a lookup each.
        found = {r["id"] for r in self._repo.records(Collection.MENTIONS) if matches(r)}
        return [key for key in ages if key[-1] in found]

    def _narrowed(self, ages: list[SortKey], plan: Plan, *, few_first: bool) -> list[SortKey]:
        """The keys of ``ages`` the plan's sets allow, still in age order."""
        allowed, excluded = plan.allows(), plan.excluded()
        if allowed is not None and few_first and len(allowed) * 10 < len(ages):
            # Few allowed: look their keys up and sort, rather than walk every key.
            age_of = self._age_of
            found = (age_of.get(mention_id) for mention_id in allowed - excluded)
            return sorted(key for key in found if key is not None)
        if allowed is None:
            return [key for key in ages if key[-1] not in excluded]
        if excluded:
            allowed -= excluded
        return [key for key in ages if key[-1] in allowed]

    def _with_words(
        self, needles: tuple[str, ...], absent: tuple[str, ...], *, copy: bool
    ) -> list[SortKey]:
        """The age keys of the mentions whose searchable text holds every needle, no absent."""
        with self._lock:
            self._fill(0, len(self._texts))
            ages, texts = self._ages, cast(list[str], self._texts)
            if copy:
                ages, texts = list(ages), list(texts)
            generation = self._generation
        memo = None if copy else self._memo
        todo = needles
        if needles and memo and memo.generation == generation and memo.narrowed_by(needles):
            picked = memo.picked
        elif needles:
            picked = [i for i, text in enumerate(texts) if needles[0] in text]
            todo = needles[1:]
        else:
            picked = list(range(len(texts)))
        for needle in todo:
            picked = [i for i in picked if needle in texts[i]]
        if needles and not copy:
            self._memo = _TextMemo(generation, needles, picked)
        for word in absent:
            picked = [i for i in picked if word not in texts[i]]
        return [ages[i] for i in picked]


@dataclass(frozen=True, slots=True)
class _TextMemo:
    """Which positions of the index held the needles last typed, for typing on."""

    generation: int
    needles: tuple[str, ...]
    picked: list[int]

    def narrowed_by(self, needles: tuple[str, ...]) -> bool:
        """Whether every text holding all of ``needles`` holds all of this memo's."""
        return all(any(old in new for new in needles) for old in self.needles)


def position_of(keys: list[SortKey], key: SortKey) -> int | None:
    """Where ``key`` sits in the ascending ``keys``, if it is there."""
    position = bisect.bisect_left(keys, key)
    if position < len(keys) and keys[position] == key:
        return position
    return None
