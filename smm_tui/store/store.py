"""The store: sharded TinyDB files, one writer thread, an inter-process lock and a journal.

How a commit works (all under the data dir's inter-process lock):

0. Check the schema version in ``meta.json``: once a newer smm-tui has upgraded
   the data dir, this store writes nothing more (and re-reads nothing), and says so.
1. Finish any commit a crashed process left in the journal.
2. Re-read every shard another process replaced since we last looked.
3. Apply the queued operations to copies of the shards they touch.
4. Write a redo log to ``journal.json`` (atomically): for each touched shard,
   the records the commit leaves in it and the ids it takes out. Then write each
   touched shard (atomically), then remove the journal. A crash at any point
   leaves either the old state or a journal that the next commit rolls forward;
   applying the redo log is idempotent, so it is right whichever shards were
   already replaced, and a commit is all or nothing across files.
5. Install the new shards in memory, resolve the callers' futures and tell
   subscribers. Nothing is acknowledged before step 4 has fsynced.

Callers never block on each other: the writer drains whatever is queued into
one commit, so a burst of a thousand ingested mentions costs a few writes.

The writer outlives its callers' mistakes: changes whose future was cancelled
(an awaiting task cancelled at exit) are still written, and a subscriber that
raises is logged, not fatal. Should the writer die anyway, every waiting future
fails and :meth:`Store.close` raises instead of pretending all was written.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import queue
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock
import orjson

from smm_tui.core.repository import (
    Changed,
    ChangeSet,
    Collection,
    Op,
    Record,
    Subscriber,
    ids_of,
)
from smm_tui.store import layout, migrations
from smm_tui.store.storage import (
    AtomicJSONStorage,
    FileSignature,
    StoreCorrupt,
    StoreError,
    atomic_write_bytes,
    ensure_private_dir,
    fsync_dir,
    quarantine,
)

JOURNAL = "journal.json"
#: How many archive days' records stay in memory after a read (about 1k mentions a day).
RECENT_ARCHIVE_DAYS = 4
LOCK = ".lock"

logger = logging.getLogger(__name__)


class StoreLocked(StoreError):
    """Another process held the store lock for longer than the timeout."""


class StoreOutdated(StoreError):
    """A newer smm-tui upgraded the data dir since this store opened it: it writes no more."""


@dataclass(slots=True)
class _Shard:
    collection: Collection
    records: dict[str, Record] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Day:
    """An archive shard left on disk: its collection, and each record's id and revision.

    Ids and revisions are packed (16 bytes a record) so that a day another process
    replaced can be told apart record by record without keeping the records.
    """

    collection: Collection
    ids: tuple[str, ...]
    revs: array[int]

    @classmethod
    def of(cls, collection: Collection, records: dict[str, Record]) -> _Day:
        """What to keep of a day holding ``records``."""
        revs = array("q", (_rev(record) for record in records.values()))
        return cls(collection, tuple(records), revs)

    def revisions(self) -> dict[str, int]:
        """Each id's revision."""
        return dict(zip(self.ids, self.revs, strict=True))


@dataclass(slots=True)
class _Plan:
    """The outcome of applying operations to copies of the shards they touch."""

    shards: dict[str, _Shard] = field(default_factory=dict)
    #: What each archive shard held before the plan touched it (to put back on failure).
    originals: dict[str, dict[str, Record]] = field(default_factory=dict)
    applied: list[Op] = field(default_factory=list)
    skipped: list[Op] = field(default_factory=list)
    moves: dict[tuple[Collection, str], str | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Request:
    changes: ChangeSet | None
    future: Future[Changed]


class Store:
    """The durable store behind :class:`smm_tui.core.repository.Repository`."""

    def __init__(self, data_dir: Path, *, lock_timeout: float = 15.0) -> None:
        self.data_dir = data_dir
        self.warnings: list[str] = []
        self._lock = filelock.FileLock(
            str(data_dir / LOCK), timeout=lock_timeout, mode=0o600, thread_local=False
        )
        self._lock_timeout = lock_timeout
        #: The shards held in memory: the queue and the small collections.
        self._shards: dict[str, _Shard] = {}
        #: The archive's daily shards, whose records stay on disk (see _cold_records),
        #: and the collection of each. _location says which records each holds.
        self._cold: dict[str, _Day] = {}
        #: The archive shards read last, most recent last: a few days of records.
        self._recent: OrderedDict[str, dict[str, Record]] = OrderedDict()
        self._signatures: dict[str, FileSignature | None] = {}
        #: The records of the shards held in memory, by collection and id.
        self._records: dict[Collection, dict[str, Record]] = {c: {} for c in Collection}
        #: Which shard holds each record, held or not.
        self._location: dict[Collection, dict[str, str]] = {c: {} for c in Collection}
        self._state = threading.RLock()
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._subscribers: list[Subscriber] = []
        self._writer: threading.Thread | None = None
        # Guards _writer, _crash and putting on the queue, so that nothing is queued
        # behind the stop marker or after the writer died (it would never resolve).
        self._life = threading.Lock()
        self._crash: BaseException | None = None
        #: Set once every shard has been read (at once, unless open deferred the archive).
        self._archive_loaded = threading.Event()
        #: Set when the deferred archive should be read: asked for, needed, or closing.
        self._archive_wanted = threading.Event()
        self._closing = threading.Event()
        self._crash_reported = False
        self.commits = 0
        #: The schema version this store reads and writes (see migrations).
        self.schema_version = migrations.SCHEMA_VERSION
        self._meta_signature: FileSignature | None = None
        #: Set once meta.json names a newer schema: the one line every write then fails with.
        self._outdated: str | None = None
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
        with store._locked():
            # A journal left by the version before is finished first, so that the
            # migration sees (and upgrades) what that commit wrote.
            migrations.refuse_newer(data_dir, store.schema_version)
            store._recover_journal()
            store._drop_memory()  # the migration may rewrite what recovery read
            migrations.upgrade(data_dir, store.schema_version)
            store._meta_signature = FileSignature.of(data_dir / layout.META)
            store._load(None if not defer_archive else lambda path: not layout.is_archive(path))
        if not defer_archive:
            store._archive_wanted.set()
            store._archive_loaded.set()
        store._writer = threading.Thread(
            target=store._run_writer, args=(defer_archive,), name="store-writer", daemon=True
        )
        store._writer.start()
        return store

    def _load(self, only: Callable[[str], bool] | None) -> Changed:
        """Read the shards (``only`` those it accepts), with the collector held off."""
        gc.disable()
        try:
            changed = self._refresh(only)
        finally:
            gc.enable()
        # What was just read lives as long as the store: keep the collector off it.
        gc.freeze()
        return changed

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
        self._archive_wanted.wait()
        if self._closing.is_set():  # quitting before the archive was needed
            self._archive_loaded.set()
            return
        already, failed = len(self.warnings), None
        seen = {c: set(self._location[c]) for c in _ARCHIVED}
        ids: dict[Collection, set[str]] = {Collection.MENTIONS: set()}
        try:
            with self._locked():
                self._check_schema()
                hot = self._refresh(lambda path: not layout.is_archive(path))
                archive = self._load(layout.is_archive)
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
        self._notify(Changed(frozen, external=True, warnings=warnings))

    def close(self) -> None:
        """Finish queued writes and stop the writer.

        Raises StoreError if the writer had died: writes queued since then were
        not made (their futures failed too).
        """
        with self._life:
            writer, self._writer = self._writer, None
            if writer is not None:
                self._closing.set()
                self._archive_wanted.set()
                self._queue.put(None)
        if writer is not None:
            writer.join()
            self._reject_queued(StoreError(f"store at {self.data_dir} is closed"))
        if self._crash is not None and not self._crash_reported:
            self._crash_reported = True
            raise self._writer_died() from self._crash

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
        record = self._records[collection].get(record_id)
        if record is None:
            record = self._lookup(collection, record_id)
        if record is None and not loaded and collection in _ARCHIVED:
            self._wait_for_archive()
            record = self._lookup(collection, record_id)
        return record

    def records(self, collection: Collection) -> Iterator[Record]:
        """Every record in a collection: those held at the call, then the archive's, a day
        at a time, read as the iterator gets to them."""
        if collection in _ARCHIVED:
            self._wait_for_archive()
        with self._state:
            held = list(self._records[collection].values())
            days = sorted(path for path, day in self._cold.items() if day.collection is collection)
        return self._stream(collection, held, days)

    def _stream(
        self, collection: Collection, held: list[Record], days: list[str]
    ) -> Iterator[Record]:
        """Each record once: those held, then each day's, then any moved out of a day
        not yet read into the held ones meanwhile (by a commit while the caller reads)."""
        seen: set[str] = set()
        for record in held:
            seen.add(record["id"])
            yield record
        for path in days:
            with self._state:
                found = self._cold_records(path, remember=False) if path in self._cold else {}
                fresh = [record for rid, record in found.items() if rid not in seen]
            seen.update(record["id"] for record in fresh)
            yield from fresh
        with self._state:
            moved = [r for rid, r in self._records[collection].items() if rid not in seen]
        yield from moved

    def open_mentions(self) -> Iterator[Record]:
        """A snapshot of the open mentions: by the layout, the open queue's shard holds them."""
        path, mentions = layout.OPEN_MENTIONS, self._records[Collection.MENTIONS]
        location = self._location[Collection.MENTIONS]
        with self._state:
            shard = self._shards.get(path)
            ids = [] if shard is None else list(shard.records)
            current = [mentions[rid] for rid in ids if location.get(rid) == path]  # not moved
        return iter(current)

    def count(self, collection: Collection) -> int:
        """How many records a collection holds (so far, while the archive is being read)."""
        return len(self._location[collection])

    def _lookup(self, collection: Collection, record_id: str) -> Record | None:
        """A record, held or archived (read through the cache of recent days)."""
        with self._state:
            record = self._records[collection].get(record_id)
            if record is not None:
                return record
            path = self._location[collection].get(record_id)
            if path is None or path not in self._cold:
                return None
            return self._cold_records(path).get(record_id)

    def _cold_records(self, path: str, *, remember: bool = True) -> dict[str, Record]:
        """The records an archive shard holds, from the cache or its file (``_state`` held).

        Only records located there count: a stale copy of one that has moved since
        is left out. ``remember=False`` (a full scan) reads without evicting the
        recent days. The dict returned is shared: copy it before changing it.
        """
        cached = self._recent.get(path)
        if cached is not None:
            self._recent.move_to_end(path)
            return cached
        try:
            shard = self._read_shard(path)
        except (StoreCorrupt, OSError) as exc:
            # A reader gets what can be read; the writer's next refresh settles the rest.
            problem = (
                str(exc)
                if isinstance(exc, StoreCorrupt)
                else _unreadable(self.data_dir / path, exc)
            )
            self.warnings.append(problem)
            logger.warning("%s", problem)
            shard = None
        location = self._location[self._cold[path].collection]
        found = {} if shard is None else shard.records
        records = {rid: r for rid, r in found.items() if location.get(rid) == path}
        if remember:
            self._remember(path, records)
        return records

    def _remember(self, path: str, records: dict[str, Record]) -> None:
        self._recent[path] = records
        self._recent.move_to_end(path)
        while len(self._recent) > RECENT_ARCHIVE_DAYS:
            self._recent.popitem(last=False)

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber`` from the writer thread after every durable change."""
        self._subscribers.append(subscriber)

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
        future: Future[Changed] = Future()
        with self._life:
            if self._writer is not None and self._crash is None:
                self._queue.put(_Request(changes, future))
                return future
        if self._crash is not None:
            future.set_exception(self._writer_died())
        else:
            future.set_exception(StoreError(f"store at {self.data_dir} is closed"))
        return future

    def _writer_died(self) -> StoreError:
        reason = " ".join(str(self._crash).split()) or type(self._crash).__name__
        return StoreError(
            f"the writer of store {self.data_dir} stopped ({reason}); "
            "changes made since then were not saved"
        )

    def _reject_queued(self, error: StoreError) -> None:
        """Fail every request still queued (nothing will serve them)."""
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                return
            if request is not None:
                _fail(request.future, error)

    def _run_writer(self, load_archive: bool = False) -> None:
        batch: list[_Request] = []
        try:
            if load_archive:
                self._load_archive()
            stopping = False
            while not stopping:
                batch, stopping = self._next_batch()
                if batch:
                    self._serve(batch)
        except BaseException as exc:
            logger.exception("the writer of store %s stopped", self.data_dir)
            with self._life:
                self._crash = exc
            error = self._writer_died()
            for request in batch:
                _fail(request.future, error)
            self._reject_queued(error)

    def _next_batch(self) -> tuple[list[_Request], bool]:
        """Wait for work, then take all that is queued; True once the stop marker was taken."""
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
            if item is None:
                return batch, True
            batch.append(item)

    def _serve(self, batch: list[_Request]) -> None:
        # A future cancelled by now (its waiter gave up) is still written, just not
        # resolved; once marked running, a future can no longer be cancelled.
        waiting = [request for request in batch if request.future.set_running_or_notify_cancel()]
        writes = [request for request in batch if request.changes is not None]
        try:
            if writes:
                changed, per_request = self._commit_batch(writes)
            else:
                changed, per_request = self._refresh_only(), {}
        except Exception as exc:
            for request in waiting:
                request.future.set_exception(exc)
            return
        for request in waiting:
            request.future.set_result(per_request.get(id(request), changed))
        if changed or changed.warnings:
            self._notify(changed)

    def _notify(self, changed: Changed) -> None:
        """Tell every subscriber; one that raises is logged and the others still hear."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(changed)
            except Exception:
                logger.exception("a subscriber of store %s failed", self.data_dir)

    def _refresh_only(self) -> Changed:
        try:
            self._check_schema()
            return self._refresh()
        except StoreOutdated as exc:
            # Told once (whichever noticed first); then the store just stops reading.
            told, self._outdated_told = self._outdated_told, True
            return Changed(ids={}, external=True, warnings=() if told else (str(exc),))
        except StoreCorrupt as exc:
            self.warnings.append(str(exc))
            return Changed(ids={}, external=True)

    def _check_schema(self) -> None:
        """Raise StoreOutdated if meta.json says a newer smm-tui upgraded the data dir.

        Checked before every commit and refresh (a stat, and a read when the file
        changed): an old session must never write old-shaped records into a data dir
        a newer version has migrated, nor read records it does not understand.
        """
        if self._outdated is None:
            signature = FileSignature.of(self.data_dir / layout.META)
            if signature == self._meta_signature:
                return
            found = migrations.read_version(self.data_dir)
            self._meta_signature = signature
            if found is None or found <= self.schema_version:
                return
            self._outdated = (
                f"the data dir {self.data_dir} was upgraded to schema {found} by a newer "
                "smm-tui: quit and start the new version"
            )
            self.warnings.append(self._outdated)
            logger.warning("%s", self._outdated)
        raise StoreOutdated(self._outdated)

    def _commit_batch(self, requests: list[_Request]) -> tuple[Changed, dict[int, Changed]]:
        with self._locked():
            self._check_schema()
            self._recover_journal()
            external = self._refresh()
            ops = [op for request in requests for op in request.changes.ops]  # type: ignore[union-attr]
            plan = self._plan(ops)
            if plan.applied:
                self._write_or_roll_back(plan)
                self._install(plan)
                self.commits += 1
        per_request = {id(r): _outcome(r.changes.ops, plan) for r in requests}  # type: ignore[union-attr]
        ids = dict(external.ids)
        for collection, changed_ids in ids_of(plan.applied).items():
            ids[collection] = ids.get(collection, frozenset()) | changed_ids
        return Changed(ids, tuple(plan.applied), tuple(plan.skipped)), per_request

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreLocked(
                f"store {self.data_dir} is locked by another smm-tui process "
                f"(waited {self._lock_timeout:.0f}s for {self.data_dir / LOCK})"
            ) from None
        try:
            yield
        finally:
            self._lock.release()

    # -- planning and applying operations ---------------------------------------------

    def _current(self, plan: _Plan, collection: Collection, record_id: str) -> Record | None:
        key = (collection, record_id)
        if key in plan.moves:
            path = plan.moves[key]
            return None if path is None else plan.shards[path].records[record_id]
        return self._lookup(collection, record_id)

    def _shard_copy(self, plan: _Plan, path: str, collection: Collection) -> _Shard:
        if path not in plan.shards:
            if layout.is_archive(path):
                with self._state:
                    held = self._cold_records(path) if path in self._cold else {}
                plan.originals[path] = held
                plan.shards[path] = _Shard(collection, dict(held))
            else:
                live = self._shards.get(path)
                plan.shards[path] = _Shard(collection, dict(live.records) if live else {})
        return plan.shards[path]

    def _location_of(self, plan: _Plan, collection: Collection, record_id: str) -> str | None:
        key = (collection, record_id)
        if key in plan.moves:
            return plan.moves[key]
        return self._location[collection].get(record_id)

    def _place(self, plan: _Plan, collection: Collection, record: Record | None, rid: str) -> None:
        old_path = self._location_of(plan, collection, rid)
        if old_path is not None:
            self._shard_copy(plan, old_path, collection).records.pop(rid, None)
        if record is None:
            plan.moves[(collection, rid)] = None
            return
        new_path = layout.shard_for(collection, record)
        self._shard_copy(plan, new_path, collection).records[rid] = record
        plan.moves[(collection, rid)] = new_path

    def _plan(self, ops: list[Op]) -> _Plan:
        plan = _Plan()
        for op in ops:
            if self._apply(plan, op):
                plan.applied.append(op)
            else:
                plan.skipped.append(op)
        return plan

    def _apply(self, plan: _Plan, op: Op) -> bool:
        applies, record = op.outcome(self._current(plan, op.collection, op.id))
        if applies:
            self._place(plan, op.collection, record, op.id)
        return applies

    def _write_or_roll_back(self, plan: _Plan) -> None:
        """Write a plan; on an OS error put every touched file back and say so."""
        journal = self.data_dir / JOURNAL
        try:
            atomic_write_bytes(journal, orjson.dumps(self._redo_log(plan)))
        except OSError as exc:
            # No shard is touched before the journal is in place.
            with contextlib.suppress(OSError):
                journal.unlink(missing_ok=True)
            raise self._save_error(exc, changed=journal.exists()) from exc
        try:
            for path, shard in plan.shards.items():
                self._write_shard(path, shard)
            journal.unlink()
        except OSError as exc:
            raise self._save_error(exc, changed=not self._roll_back(plan)) from exc
        # Every shard is durable and the journal is gone: the commit has happened. Should
        # the removal not be durable, the journal comes back and is harmlessly redone.
        with contextlib.suppress(OSError):
            fsync_dir(self.data_dir)

    def _save_error(self, exc: OSError, *, changed: bool) -> StoreError:
        outcome = "nothing was changed"
        if changed:
            outcome = "it will be finished on the next save or start"
        return StoreError(f"could not save to {self.data_dir}: {exc.strerror}; {outcome}")

    def _roll_back(self, plan: _Plan) -> bool:
        """Put every touched shard back; True when the disk holds the old state again.

        The journal goes last: while a shard cannot be put back, the journal
        stays, so the next commit or start finishes the commit instead.
        """
        journal = self.data_dir / JOURNAL
        # Readers wait meanwhile, and no day they read as this commit wrote it stays cached.
        with self._state:
            try:
                for path, shard in plan.shards.items():
                    if path in self._shards:
                        self._write_shard(path, self._shards[path])
                    elif path in self._cold:
                        self._write_shard(path, _Shard(shard.collection, plan.originals[path]))
                    else:
                        (self.data_dir / path).unlink(missing_ok=True)
                journal.unlink(missing_ok=True)
                fsync_dir(self.data_dir)
                restored = True
            except OSError:
                restored = False
            for path in plan.shards:
                self._recent.pop(path, None)
            if restored:
                return True
            # Some days may hold what the journal will finish: until it is, readers see
            # them as they were, like the rest of the store.
            for path, original in plan.originals.items():
                if path in self._cold:
                    self._remember(path, original)
            return not journal.exists()

    def _redo_log(self, plan: _Plan) -> dict[str, Any]:
        """Per touched shard: the records the commit leaves in it and the ids it takes out."""
        log: dict[str, Any] = {
            path: {"collection": shard.collection.value, "set": {}, "drop": []}
            for path, shard in plan.shards.items()
        }
        for (collection, rid), path in plan.moves.items():
            old = self._location[collection].get(rid)
            if old is not None and old != path:
                log[old]["drop"].append(rid)
            if path is not None:
                log[path]["set"][rid] = plan.shards[path].records[rid]
        return log

    def _write_shard(self, path: str, shard: _Shard) -> None:
        target = self.data_dir / path
        ensure_private_dir(target.parent)
        table = {layout.doc_key(rid): record for rid, record in shard.records.items()}
        AtomicJSONStorage(target).write({shard.collection.value: table})

    def _install(self, plan: _Plan) -> None:
        with self._state:
            for path, shard in plan.shards.items():
                self._signatures[path] = FileSignature.of(self.data_dir / path)
                if layout.is_archive(path):
                    self._cold[path] = _Day.of(shard.collection, shard.records)
                    self._remember(path, shard.records)
                else:
                    self._shards[path] = shard
            for (collection, rid), target in plan.moves.items():
                if target is None:
                    self._records[collection].pop(rid, None)
                    self._location[collection].pop(rid, None)
                    continue
                if target in self._cold:
                    self._records[collection].pop(rid, None)
                else:
                    self._records[collection][rid] = plan.shards[target].records[rid]
                self._location[collection][rid] = target

    # -- recovery and re-reading ----------------------------------------------------------

    def _recover_journal(self) -> None:
        """Roll forward a commit that a crashed writer journaled but did not finish."""
        journal = self.data_dir / JOURNAL
        try:
            payload = journal.read_bytes()
        except FileNotFoundError:
            return
        try:
            redo = [
                (path, Collection(item["collection"]), dict(item["set"]), list(item["drop"]))
                for path, item in orjson.loads(payload).items()
            ]
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
            # The journal is written atomically, so an unreadable one was never
            # acted on: no shard was touched after it. Keep it for inspection.
            os.replace(journal, journal.with_name(f"{JOURNAL}.unreadable"))
            return
        self._refresh()
        plan = _Plan()
        for path, collection, _kept, dropped in redo:
            shard = self._shard_copy(plan, path, collection)
            for rid in dropped:
                shard.records.pop(str(rid), None)
                plan.moves.setdefault((collection, str(rid)), None)
        for path, collection, kept, _dropped in redo:
            shard = self._shard_copy(plan, path, collection)
            for rid, record in kept.items():
                shard.records[str(rid)] = record
                plan.moves[(collection, str(rid))] = path
        try:
            for path, shard in plan.shards.items():
                self._write_shard(path, shard)
        except OSError as exc:
            raise StoreError(
                f"could not finish an interrupted save in {self.data_dir}: {exc.strerror}; "
                "it will be tried again"
            ) from exc
        self._install(plan)
        journal.unlink()
        with contextlib.suppress(OSError):
            fsync_dir(self.data_dir)

    def _drop_memory(self) -> None:
        """Forget every shard read, so that the next refresh reads every file afresh."""
        with self._state:
            self._shards.clear()
            self._cold.clear()
            self._recent.clear()
            self._signatures.clear()
            for collection in Collection:
                self._records[collection].clear()
                self._location[collection].clear()

    def _shard_paths(self) -> set[str]:
        found = {
            str(path.relative_to(self.data_dir))
            for pattern in layout.SHARD_GLOBS
            for path in self.data_dir.glob(pattern)
        }
        paths = {p for p in found if layout.is_shard_path(p) and p not in _NOT_SHARDS}
        return paths | set(self._shards) | set(self._cold)

    def _refresh(self, only: Callable[[str], bool] | None = None) -> Changed:
        """Re-read every shard (``only`` those it accepts) whose file changed since we
        last read or wrote it."""
        changed: dict[Collection, set[str]] = {}
        problems: list[StoreCorrupt] = []
        for path in sorted(self._shard_paths()):
            if only is not None and not only(path):
                continue
            signature = FileSignature.of(self.data_dir / path)
            if path in self._signatures and self._signatures[path] == signature:
                continue
            try:
                shard = self._read_shard(path)
            except StoreCorrupt as exc:
                problems.append(exc)
                self.warnings.append(str(exc))
                shard, signature = None, None
            self._reload(path, shard, signature, changed)
        if problems and not self._shards and not self._cold:
            raise problems[0]
        return Changed({c: frozenset(ids) for c, ids in changed.items()}, external=True)

    def _read_shard(self, path: str) -> _Shard | None:
        target = self.data_dir / path
        tables = AtomicJSONStorage(target).read()
        if not tables:
            return None
        (name, docs), *_ = tables.items()
        try:
            collection = Collection(name)
        except ValueError:
            raise quarantine(target, f"unknown table {name!r}") from None
        for key, doc in docs.items():
            if "id" not in doc:
                raise quarantine(target, f"document {key} in table {name!r} has no id")
        return _Shard(collection, {str(doc["id"]): doc for doc in docs.values()})

    def _reload(
        self,
        path: str,
        shard: _Shard | None,
        signature: FileSignature | None,
        changed: dict[Collection, set[str]],
    ) -> None:
        """Put a shard read from disk in place of what we held of it (None: it is gone).

        An archive day keeps only its ids and revisions in memory; its records are
        dropped here (or cached, when another process replaced the day) and read
        again from the file when asked for. A replaced day reports only the records
        whose revision differs, not every record in it.
        """
        with self._state:
            self._recent.pop(path, None)
            self._signatures[path] = signature
            day = self._cold.get(path)
            before = None if day is None else day.revisions()
            found: dict[Collection, set[str]] = {}
            self._forget(path, found)
            if shard is not None:
                self._take(path, shard, found)
            if before is None or shard is None:
                for collection, ids in found.items():
                    changed.setdefault(collection, set()).update(ids)
                return
            location = self._location[shard.collection]
            differ = {rid for rid in before if location.get(rid) != path}
            differ.update(
                rid
                for rid, record in shard.records.items()
                if location.get(rid) == path and before.get(rid) != _rev(record)
            )
            changed.setdefault(shard.collection, set()).update(differ)
            self._remember(path, shard.records)

    def _take(self, path: str, shard: _Shard, changed: dict[Collection, set[str]]) -> None:
        """Locate a shard's records here (a newer copy elsewhere wins); hold them unless
        the shard is an archive day."""
        collection, location = shard.collection, self._location[shard.collection]
        cold = layout.is_archive(path)
        if location.keys().isdisjoint(shard.records):
            # None of these ids is known (every shard, when the store opens): take them
            # all at once; _adopt's comparisons only matter for ids held elsewhere.
            location.update(dict.fromkeys(shard.records, path))
            if not cold:
                self._records[collection].update(shard.records)
            changed.setdefault(collection, set()).update(shard.records)
        else:
            for rid, record in list(shard.records.items()):
                self._adopt(path, shard, rid, record, changed)
        if cold:
            self._cold[path] = _Day.of(collection, shard.records)
        else:
            self._shards[path] = shard

    def _forget(self, path: str, changed: dict[Collection, set[str]]) -> None:
        """Take out what we held of a shard: its records, unless they moved elsewhere."""
        old_hot, old_cold = self._shards.pop(path, None), self._cold.pop(path, None)
        if old_hot is not None:
            collection, ids = old_hot.collection, tuple(old_hot.records)
        elif old_cold is not None:
            collection, ids = old_cold.collection, old_cold.ids
        else:
            return
        location = self._location[collection]
        for rid in ids:
            if location.get(rid) == path:
                del location[rid]
                self._records[collection].pop(rid, None)
                changed.setdefault(collection, set()).add(rid)

    def _adopt(
        self,
        path: str,
        shard: _Shard,
        rid: str,
        record: Record,
        changed: dict[Collection, set[str]],
    ) -> None:
        """Take a record read from ``path`` unless a newer copy lives elsewhere."""
        collection = shard.collection
        location = self._location[collection]
        elsewhere = location.get(rid)
        existing = self._lookup(collection, rid)
        if existing is not None and elsewhere != path:
            if _rev(existing) > _rev(record):
                del shard.records[rid]
                return
            if elsewhere in self._shards:
                self._shards[elsewhere].records.pop(rid, None)
            elif elsewhere is not None:
                self._recent.pop(elsewhere, None)
        if existing != record:
            changed.setdefault(collection, set()).add(rid)
        if layout.is_archive(path):
            self._records[collection].pop(rid, None)
        else:
            self._records[collection][rid] = record
        location[rid] = path


_NOT_SHARDS = frozenset({JOURNAL, layout.META})
#: Collections with daily shards, which open may leave to the writer to read.
_ARCHIVED = frozenset({Collection.MENTIONS, Collection.AUDIT})


def _rev(record: Record) -> int:
    return int(record.get("rev") or 0)


def _unreadable(path: Path, exc: OSError) -> str:
    return f"could not read store file {path}: {exc.strerror or exc}"


def _fail(future: Future[Changed], error: StoreError) -> None:
    """Fail a future unless it is already settled (or its waiter cancelled it)."""
    with contextlib.suppress(InvalidStateError):
        future.set_exception(error)


def _outcome(ops: list[Op], plan: _Plan) -> Changed:
    mine = {id(op) for op in ops}
    applied = tuple(op for op in plan.applied if id(op) in mine)
    skipped = tuple(op for op in plan.skipped if id(op) in mine)
    return Changed(ids_of(applied), applied, skipped)
