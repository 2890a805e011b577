"""The store: sharded TinyDB files, one writer thread, an inter-process lock and a journal.

How a commit works (all under the data dir's inter-process lock):

0. Check the schema version in ``meta.json``: once a newer smm-tui has upgraded
   the data dir, this store writes nothing more (and re-reads nothing), and says so.
1. Finish any commit a crashed process left in the journal (:mod:`.journal`).
2. Re-read every shard another process replaced since we last looked (:mod:`.shards`).
3. Apply the queued operations to copies of the shards they touch (:mod:`.plan`).
4. Write the redo log, then each touched shard, then remove the log (:mod:`.journal`);
   every write is an atomic replace with fsync.
5. Install the new shards in memory, resolve the callers' futures and tell
   subscribers (:mod:`.writer`). Nothing is acknowledged before step 4 has fsynced.

:class:`Store` composes these behind :class:`smm_tui.core.repository.Repository`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

from smm_tui.core.models import to_iso
from smm_tui.core.repository import Changed, ChangeSet, Collection, Record, Subscriber
from smm_tui.store import layout, migrations
from smm_tui.store.days import RECENT_ARCHIVE_DAYS
from smm_tui.store.journal import Journal
from smm_tui.store.layout import ARCHIVED, JOURNAL
from smm_tui.store.lock import LOCK, DataDirLock, StoreLocked
from smm_tui.store.migrations import SchemaWatch, StoreOutdated
from smm_tui.store.plan import Plan
from smm_tui.store.shards import Shards
from smm_tui.store.storage import StoreCorrupt, StoreError, ensure_private_dir
from smm_tui.store.writer import Writer

__all__ = [
    "JOURNAL",
    "LOCK",
    "RECENT_ARCHIVE_DAYS",
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreOutdated",
]

logger = logging.getLogger(__name__)


class Store:
    """The durable store behind :class:`smm_tui.core.repository.Repository`."""

    def __init__(self, data_dir: Path, *, lock_timeout: float = 15.0) -> None:
        self.data_dir = data_dir
        self.warnings: list[str] = []
        self._lock = DataDirLock(data_dir, lock_timeout)
        self._shards = Shards(data_dir, self.warnings)
        self._journal = Journal(self._shards)
        self._writer = Writer(
            data_dir,
            commit=self._commit_batch,
            refresh=self._refresh_only,
            first=self._load_archive,
        )
        #: Set once every shard has been read (at once, unless open deferred the archive).
        self._archive_loaded = threading.Event()
        #: Set when the deferred archive should be read: asked for, needed, or closing.
        self._archive_wanted = threading.Event()
        self._closing = threading.Event()
        self.commits = 0
        #: The schema version this store reads and writes (see migrations).
        self.schema_version = migrations.SCHEMA_VERSION
        self._schema = SchemaWatch(data_dir, self.schema_version, self.warnings)
        self._outdated_told = False

    # -- life cycle ---------------------------------------------------------------

    @classmethod
    def open(
        cls, data_dir: Path, *, lock_timeout: float = 15.0, defer_archive: bool = False
    ) -> Store:
        """Open (creating if needed) the store in ``data_dir`` and start its writer.

        ``defer_archive`` reads only the open queue and the small collections now,
        and the daily archive shards in the writer thread once :meth:`load_archive`
        asks (say after the first frame is painted) or anything needs them: a write
        or refresh, :meth:`records`, or a :meth:`get` that finds nothing, which
        wait for them. The writer serves no write before the archive is in.
        :meth:`count` counts what is in.
        """
        ensure_private_dir(data_dir)
        store = cls(data_dir, lock_timeout=lock_timeout)
        with store._lock.held():
            # A journal left by the version before is finished first, so that the
            # migration sees (and upgrades) what that commit wrote.
            migrations.refuse_newer(data_dir, store.schema_version)
            store._journal.recover()
            store._shards.drop()  # the migration may rewrite what recovery read
            migrations.upgrade(data_dir, store.schema_version)
            store._schema.settle()
            store._shards.load(None if not defer_archive else _hot_only)
        if not defer_archive:
            store._archive_wanted.set()
            store._archive_loaded.set()
        store._writer.start()
        return store

    def load_archive(self) -> None:
        """Read the archive that :meth:`open` deferred, now (nothing, if all is read)."""
        self._archive_wanted.set()

    def _wait_for_archive(self) -> None:
        self._archive_wanted.set()
        self._archive_loaded.wait()

    def _load_archive(self) -> None:
        """Read the archive shards that open deferred (in the writer, before any write).

        Under the same lock it first re-reads the queue's files, so a change another
        process made since open is not missed. A failure is told as a warning; writes
        stay safe whatever happened, since every commit re-reads all files first.
        """
        if self._archive_loaded.is_set():  # open read it all
            return
        self._archive_wanted.wait()
        if self._closing.is_set():  # quitting before the archive was needed
            self._archive_loaded.set()
            return
        already, failed = len(self.warnings), None
        seen = {c: self._shards.ids(c) for c in ARCHIVED}
        ids: dict[Collection, set[str]] = {Collection.MENTIONS: set()}
        try:
            with self._lock.held():
                self._schema.check()
                hot = self._shards.refresh(_hot_only)
                archive = self._shards.load(layout.is_archive)
            for collection, changed in hot.ids.items():
                ids.setdefault(collection, set()).update(changed)
            # Archived records are news to every reader, except those already shown
            # from the queue (moved to the archive by another process since open).
            for collection, changed in archive.ids.items():
                ids.setdefault(collection, set()).update(changed & seen.get(collection, set()))
        except Exception as exc:
            failed = exc
            logger.warning("reading the archive of %s failed", self.data_dir, exc_info=True)
        finally:
            self._archive_loaded.set()
        if failed is not None:
            reason = " ".join(str(failed).split()) or type(failed).__name__
            self.warnings.append(
                f"could not read the archive in {self.data_dir} ({reason}); "
                "views over everything may be incomplete until it is read"
            )
        warnings = tuple(dict.fromkeys(self.warnings[already:]))
        frozen = {collection: frozenset(found) for collection, found in ids.items()}
        self._writer.notify(Changed(frozen, external=True, warnings=warnings))

    def close(self) -> None:
        """Finish queued writes and stop the writer.

        Raises StoreError if the writer had died: writes queued since then were
        not made (their futures failed too).
        """
        self._writer.close(before_stop=self._stop_reading)

    def _stop_reading(self) -> None:
        self._closing.set()
        self._archive_wanted.set()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------

    def get(self, collection: Collection, record_id: str) -> Record | None:
        """The current record with that id, or None.

        An archived record is read from its day's file, which stays cached for
        the next few look-ups (neighbours in time share a day).
        """
        loaded = self._archive_loaded.is_set()  # before the look-up: it may land meanwhile
        record = self._shards.get(collection, record_id)
        if record is None and not loaded and collection in ARCHIVED:
            self._wait_for_archive()
            record = self._shards.get(collection, record_id)
        return record

    def records(self, collection: Collection) -> Iterator[Record]:
        """Every record in a collection: those held at the call, then the archive's, a day
        at a time, read as the iterator gets to them."""
        if collection in ARCHIVED:
            self._wait_for_archive()
        return self._shards.records(collection)

    def open_mentions(self) -> Iterator[Record]:
        """A snapshot of the open mentions: by the layout, the open queue's shard holds them."""
        return self._shards.open_mentions()

    def mentions_created(self, since: datetime, until: datetime) -> Iterator[Record]:
        """Every mention created from ``since`` to ``until``: the held ones, and only the
        archive days in that span (a mention's day is its creation's, in UTC)."""
        self._wait_for_archive()
        first, last = since.astimezone(UTC).date(), until.astimezone(UTC).date()
        low, high = to_iso(since), to_iso(until)
        days = self._shards.records_of_days(Collection.MENTIONS, str(first), str(last))
        return (r for r in days if low <= r["created_at"] <= high)

    def count(self, collection: Collection) -> int:
        """How many records a collection holds (so far, while the archive is being read)."""
        return self._shards.count(collection)

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber`` from the writer thread after every durable change."""
        self._writer.subscribe(subscriber)

    # -- writing ------------------------------------------------------------------

    def submit(self, changes: ChangeSet) -> Future[Changed]:
        """Queue changes; the future resolves once they are durable."""
        return self._enqueue(changes)

    def commit(self, changes: ChangeSet) -> Changed:
        """Write changes and wait until they are durable."""
        return self.submit(changes).result()

    def refresh(self) -> Future[Changed]:
        """Pick up other processes' writes (resolved by the writer thread)."""
        return self._enqueue(None)

    def _enqueue(self, changes: ChangeSet | None) -> Future[Changed]:
        self._archive_wanted.set()  # the writer serves it only once the archive is in
        return self._writer.submit(changes)

    def _refresh_only(self) -> Changed:
        try:
            self._schema.check()
            return self._shards.refresh()
        except StoreOutdated as exc:
            # Told once (whichever noticed first); then the store just stops reading.
            told, self._outdated_told = self._outdated_told, True
            return Changed(ids={}, external=True, warnings=() if told else (str(exc),))
        except StoreCorrupt as exc:
            self.warnings.append(str(exc))
            return Changed(ids={}, external=True)

    def _commit_batch(self, batch: list[ChangeSet]) -> tuple[Changed, list[Changed]]:
        with self._lock.held():
            self._schema.check()
            self._journal.recover()
            external = self._shards.refresh()
            plan = Plan.of(self._shards, [op for changes in batch for op in changes.ops])
            if plan.applied:
                self._journal.commit(plan)
                self._shards.install(plan.touched, plan.moves)
                self.commits += 1
        return plan.changed(external), plan.outcomes([changes.ops for changes in batch])


def _hot_only(path: str) -> bool:
    return not layout.is_archive(path)
