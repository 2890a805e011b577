"""What the store holds of its shard files, and reading and writing them.

The queue's file and the small collections ("hot" shards) are held in memory,
record by record. An archive day (handled mentions, the audit trail) stays on
disk: only which records it holds and their revisions are kept, and the last
few days read are cached (:mod:`.days`). :class:`Shards` keeps both, says which
file holds each record, and re-reads whatever another process replaced.

What the files hold changes only in the writer thread (and at open, before it
starts); readers on any thread fill the cache of recent days. :attr:`Shards.lock`
guards both: a method that reads or changes more than one piece takes it itself,
so a reader sees a consistent state while the writer installs a commit.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from smm_tui.core.repository import Changed, Collection, Record
from smm_tui.store import layout
from smm_tui.store.days import Day, RecentDays, revision
from smm_tui.store.storage import (
    AtomicJSONStorage,
    FileSignature,
    StoreCorrupt,
    ensure_private_dir,
    quarantine,
)

logger = logging.getLogger(__name__)

#: Where a commit leaves each record it touches: (collection, id) to shard path (None: deleted).
Moves = dict[tuple[Collection, str], str | None]


@dataclass(slots=True)
class Shard:
    """One shard file's contents: its collection and its records by id."""

    collection: Collection
    records: dict[str, Record]


class Shards:
    """The store's view of its shard files: what each holds, and the records held."""

    def __init__(self, data_dir: Path, warnings: list[str]) -> None:
        """``warnings`` is where problems a reader should hear of are appended."""
        self.data_dir = data_dir
        self.warnings = warnings
        #: Held while the state below is read or changed (re-entrant).
        self.lock = threading.RLock()
        self._hot: dict[str, Shard] = {}
        #: The archive's daily shards, whose records stay on disk (see day_records),
        #: and the collection of each. _location says which records each holds.
        self._cold: dict[str, Day] = {}
        #: The archive shards read last: a few days of records.
        self._recent = RecentDays()
        self._signatures: dict[str, FileSignature | None] = {}
        #: The records of the hot shards, by collection and id.
        self._records: dict[Collection, dict[str, Record]] = {c: {} for c in Collection}
        #: Which shard holds each record, held or not.
        self._location: dict[Collection, dict[str, str]] = {c: {} for c in Collection}

    # -- reading ------------------------------------------------------------------

    def get(self, collection: Collection, record_id: str) -> Record | None:
        """A record, held or archived (read through the cache of recent days)."""
        record = self._records[collection].get(record_id)
        if record is not None:
            return record
        with self.lock:
            record = self._records[collection].get(record_id)
            if record is not None:
                return record
            path = self._location[collection].get(record_id)
            if path is None or path not in self._cold:
                return None
            return self.day_records(path).get(record_id)

    def location(self, collection: Collection, record_id: str) -> str | None:
        """The path of the shard that holds a record (None: no shard does)."""
        return self._location[collection].get(record_id)

    def ids(self, collection: Collection) -> set[str]:
        """A snapshot of every id a collection holds."""
        with self.lock:
            return set(self._location[collection])

    def count(self, collection: Collection) -> int:
        """How many records a collection holds."""
        return len(self._location[collection])

    def is_day(self, path: str) -> bool:
        """Whether ``path`` is an archive day this store knows of."""
        return path in self._cold

    def hot(self, path: str) -> Shard | None:
        """The shard at ``path`` if it is one held in memory (the queue, small collections)."""
        return self._hot.get(path)

    def held(self, path: str) -> dict[str, Record]:
        """The records a shard holds now (shared: copy it before changing it)."""
        if layout.is_archive(path):
            with self.lock:
                return self.day_records(path) if path in self._cold else {}
        shard = self._hot.get(path)
        return {} if shard is None else shard.records

    def records(self, collection: Collection) -> Iterator[Record]:
        """Every record in a collection: those held at the call, then the archive's, a day
        at a time, read as the iterator gets to them."""
        with self.lock:
            held = list(self._records[collection].values())
            days = sorted(path for path, day in self._cold.items() if day.collection is collection)
        return self._stream(collection, held, days)

    def records_of_days(self, collection: Collection, first: str, last: str) -> Iterator[Record]:
        """As :meth:`records`, with only the archive days from ``first`` to ``last``
        (``YYYY-MM-DD``, both included) read."""
        with self.lock:
            held = list(self._records[collection].values())
            days = sorted(
                path
                for path, day in self._cold.items()
                if day.collection is collection and first <= layout.day_of(path) <= last
            )
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
            with self.lock:
                found = self.day_records(path, remember=False) if path in self._cold else {}
                fresh = [record for rid, record in found.items() if rid not in seen]
            seen.update(record["id"] for record in fresh)
            yield from fresh
        with self.lock:
            moved = [r for rid, r in self._records[collection].items() if rid not in seen]
        yield from moved

    def open_mentions(self) -> Iterator[Record]:
        """A snapshot of the open mentions: by the layout, the open queue's shard holds them."""
        path, mentions = layout.OPEN_MENTIONS, self._records[Collection.MENTIONS]
        location = self._location[Collection.MENTIONS]
        with self.lock:
            shard = self._hot.get(path)
            ids = [] if shard is None else list(shard.records)
            current = [mentions[rid] for rid in ids if location.get(rid) == path]  # not moved
        return iter(current)

    def day_records(self, path: str, *, remember: bool = True) -> dict[str, Record]:
        """The records an archive day holds, from the cache or its file.

        Only records located there count: a stale copy of one that has moved since
        is left out. ``remember=False`` (a full scan) reads without evicting the
        recent days. The dict returned is shared: copy it before changing it.
        """
        with self.lock:
            cached = self._recent.get(path)
            if cached is not None:
                return cached
            try:
                shard = self.read(path)
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
                self.remember(path, records)
            return records

    def remember(self, path: str, records: dict[str, Record]) -> None:
        """Cache an archive day's records as the one read last."""
        with self.lock:
            self._recent.put(path, records)

    def forget_cached(self, path: str) -> None:
        """Drop a day's cached records (they are read again from its file when asked for)."""
        with self.lock:
            self._recent.drop(path)

    # -- files --------------------------------------------------------------------

    def read(self, path: str) -> Shard | None:
        """Read a shard file (None: it does not exist); quarantines and raises StoreCorrupt
        when it cannot be parsed."""
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
        return Shard(collection, {str(doc["id"]): doc for doc in docs.values()})

    def write(self, path: str, shard: Shard) -> None:
        """Replace a shard file atomically (fsynced) with ``shard``."""
        target = self.data_dir / path
        ensure_private_dir(target.parent)
        table = {layout.doc_key(rid): record for rid, record in shard.records.items()}
        AtomicJSONStorage(target).write({shard.collection.value: table})

    def install(self, touched: dict[str, Shard], moves: Moves) -> None:
        """Take in shards just written and where their records moved."""
        with self.lock:
            for path, shard in touched.items():
                self._signatures[path] = FileSignature.of(self.data_dir / path)
                if layout.is_archive(path):
                    self._cold[path] = Day.of(shard.collection, shard.records)
                    self.remember(path, shard.records)
                else:
                    self._hot[path] = shard
            for (collection, rid), target in moves.items():
                if target is None:
                    self._records[collection].pop(rid, None)
                    self._location[collection].pop(rid, None)
                    continue
                if target in self._cold:
                    self._records[collection].pop(rid, None)
                else:
                    self._records[collection][rid] = touched[target].records[rid]
                self._location[collection][rid] = target

    # -- re-reading ---------------------------------------------------------------

    def load(self, only: Callable[[str], bool] | None) -> Changed:
        """:meth:`refresh`, with the collector held off and what was read frozen."""
        gc.disable()
        try:
            changed = self.refresh(only)
        finally:
            gc.enable()
        # What was just read lives as long as the store: keep the collector off it.
        gc.freeze()
        return changed

    def drop(self) -> None:
        """Forget every shard read, so that the next refresh reads every file afresh."""
        with self.lock:
            self._hot.clear()
            self._cold.clear()
            self._recent.clear()
            self._signatures.clear()
            for collection in Collection:
                self._records[collection].clear()
                self._location[collection].clear()

    def refresh(self, only: Callable[[str], bool] | None = None) -> Changed:
        """Re-read every shard (``only`` those it accepts) whose file changed since we
        last read or wrote it; an unparseable one is quarantined and warned of."""
        changed: dict[Collection, set[str]] = {}
        problems: list[StoreCorrupt] = []
        for path in sorted(self._paths()):
            if only is not None and not only(path):
                continue
            signature = FileSignature.of(self.data_dir / path)
            if path in self._signatures and self._signatures[path] == signature:
                continue
            try:
                shard = self.read(path)
            except StoreCorrupt as exc:
                problems.append(exc)
                self.warnings.append(str(exc))
                shard, signature = None, None
            self._reload(path, shard, signature, changed)
        if problems and not self._hot and not self._cold:
            raise problems[0]
        return Changed({c: frozenset(ids) for c, ids in changed.items()}, external=True)

    def _paths(self) -> set[str]:
        found = {
            str(path.relative_to(self.data_dir))
            for pattern in layout.SHARD_GLOBS
            for path in self.data_dir.glob(pattern)
        }
        paths = {p for p in found if layout.is_shard_path(p)}
        return paths | set(self._hot) | set(self._cold)

    def _reload(
        self,
        path: str,
        shard: Shard | None,
        signature: FileSignature | None,
        changed: dict[Collection, set[str]],
    ) -> None:
        """Put a shard read from disk in place of what we held of it (None: it is gone).

        An archive day keeps only its ids and revisions in memory; its records are
        dropped here (or cached, when another process replaced the day) and read
        again from the file when asked for. A replaced day reports only the records
        whose revision differs, not every record in it.
        """
        with self.lock:
            self._recent.drop(path)
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
                if location.get(rid) == path and before.get(rid) != revision(record)
            )
            changed.setdefault(shard.collection, set()).update(differ)
            self.remember(path, shard.records)

    def _take(self, path: str, shard: Shard, changed: dict[Collection, set[str]]) -> None:
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
            self._cold[path] = Day.of(collection, shard.records)
        else:
            self._hot[path] = shard

    def _forget(self, path: str, changed: dict[Collection, set[str]]) -> None:
        """Take out what we held of a shard: its records, unless they moved elsewhere."""
        old_hot, old_cold = self._hot.pop(path, None), self._cold.pop(path, None)
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
        self, path: str, shard: Shard, rid: str, record: Record, changed: dict[Collection, set[str]]
    ) -> None:
        """Take a record read from ``path`` unless a newer copy lives elsewhere."""
        collection = shard.collection
        location = self._location[collection]
        elsewhere = location.get(rid)
        existing = self.get(collection, rid)
        if existing is not None and elsewhere != path:
            if revision(existing) > revision(record):
                del shard.records[rid]
                return
            if elsewhere in self._hot:
                self._hot[elsewhere].records.pop(rid, None)
            elif elsewhere is not None:
                self._recent.drop(elsewhere)
        if existing != record:
            changed.setdefault(collection, set()).add(rid)
        if layout.is_archive(path):
            self._records[collection].pop(rid, None)
        else:
            self._records[collection][rid] = record
        location[rid] = path


def _unreadable(path: Path, exc: OSError) -> str:
    return f"could not read store file {path}: {exc.strerror or exc}"
