"""A repository in memory that keeps, in order, every operation it applied.

Work played through the real services against one of these costs no disk
writes however many small commits it makes; :meth:`RehearsalRepository.changes`
then hands over exactly what the services did, for a real store to commit at
once (see :mod:`smm_tui.core.demo_day`). It applies operations as the store
does: ``insert_new`` skips a known id, a ``patch`` needs the record and its
``expect`` guard, and every write moves the record's ``rev`` on.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import OPEN_VALUES, to_iso
from smm_tui.core.repository import Changed, ChangeSet, Collection, Op, Record, Subscriber, ids_of


class RehearsalRepository:
    """A :class:`~smm_tui.core.repository.Repository` in memory, for one task's private use."""

    def __init__(self) -> None:
        self._records: dict[Collection, dict[str, Record]] = {c: {} for c in Collection}
        self._applied: list[Op] = []

    def changes(self) -> ChangeSet:
        """Every operation applied so far, in order: replayed on an empty store, the same state."""
        return ChangeSet(list(self._applied))

    def submit(self, changes: ChangeSet) -> Future[Changed]:
        """Apply at once; the future is already resolved."""
        future: Future[Changed] = Future()
        future.set_result(self.commit(changes))
        return future

    def commit(self, changes: ChangeSet) -> Changed:
        """Apply the operations that hold, in order, and remember them."""
        applied: list[Op] = []
        skipped: list[Op] = []
        for op in changes.ops:
            (applied if self._apply(op) else skipped).append(op)
        self._applied += applied
        return Changed(ids_of(applied), tuple(applied), tuple(skipped))

    def _apply(self, op: Op) -> bool:
        records = self._records[op.collection]
        applies, record = op.outcome(records.get(op.id))
        if applies and record is None:
            del records[op.id]
        elif applies and record is not None:
            records[op.id] = record
        return applies

    def get(self, collection: Collection, record_id: str) -> Record | None:
        """The record with that id, or None."""
        return self._records[collection].get(record_id)

    def records(self, collection: Collection) -> Iterator[Record]:
        """Every record of a collection (a snapshot)."""
        return iter(list(self._records[collection].values()))

    def load_archive(self) -> None:
        """Nothing is deferred in memory."""

    def open_mentions(self) -> Iterator[Record]:
        """Every mention still open (new, seen, ticketed or follow-up)."""
        return (r for r in self.records(Collection.MENTIONS) if r["status"] in OPEN_VALUES)

    def mentions_created(self, since: datetime, until: datetime) -> Iterator[Record]:
        """Every mention created from ``since`` to ``until`` (both included)."""
        low, high = to_iso(since), to_iso(until)
        return (r for r in self.records(Collection.MENTIONS) if low <= r["created_at"] <= high)

    def count(self, collection: Collection) -> int:
        """How many records a collection holds."""
        return len(self._records[collection])

    def subscribe(self, subscriber: Subscriber) -> None:
        """Nobody else watches a rehearsal."""

    def refresh(self) -> Future[Changed]:
        """No other process writes here: nothing changes."""
        future: Future[Changed] = Future()
        future.set_result(Changed(ids={}))
        return future


class RehearsalClock:
    """The time the services see in a rehearsal: moved to each action's moment in turn."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Rehearsal:
    """What a history is played on: a repository in memory, a clock moved by hand, ids
    drawn from ``id_seed`` (the same seed, the same ids) and contexts for each actor."""

    def __init__(self, now: datetime, id_seed: str) -> None:
        self.repo = RehearsalRepository()
        self.clock = RehearsalClock(now)
        ids = random.Random(id_seed)
        self.make_id: Callable[[], str] = lambda: f"{ids.getrandbits(64):016x}"

    def context(self, actor: str) -> ServiceContext:
        """A service context acting as ``actor``.

        One owner for every claim, always alive: work is settled as it is done.
        """
        return ServiceContext(
            self.repo, actor, self.clock, self.make_id, "demo-day", lambda _owner: True
        )

    def play(self, work: Coroutine[Any, Any, object]) -> ChangeSet:
        """Run ``work`` on an event loop of its own in a worker thread (so this may be
        called with or without a loop running); what it did, to commit at once."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, work).result()
        return self.repo.changes()
