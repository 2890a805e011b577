"""Schema versions of the data dir, and the steps that bring an old one up to date.

The version lives in ``meta.json`` (a TinyDB file with a ``schema`` table).
A migration is a function of the data dir that rewrites files in place through
the atomic storage; they run in order, under the store lock, at open, once the
store has finished any commit left in its journal: that commit was written by the
version before, so it is migrated with the rest.

A store that is open while a newer smm-tui upgrades the data dir must stop
writing: :class:`SchemaWatch` notices it before every commit and refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smm_tui.store.layout import META, OPEN_MENTIONS
from smm_tui.store.storage import AtomicJSONStorage, FileSignature, StoreError

SCHEMA_VERSION = 3

Migration = Callable[[Path], None]

logger = logging.getLogger(__name__)


class StoreOutdated(StoreError):
    """A newer smm-tui upgraded the data dir since this store opened it: it writes no more."""


def _add_notes(data_dir: Path) -> None:
    """Version 2 adds ``notes.json`` (notes on customers), written with the first note.

    Nothing to rewrite: the step exists so that an older smm-tui refuses the data
    dir (asking to be upgraded) instead of setting aside a file it does not know.
    """


_MENTIONS = "mentions"
_Tables = dict[str, dict[str, Any]]


def _ticketed_stay_open(data_dir: Path) -> None:
    """Version 3: a ticketed mention nobody has answered is open (it stays in the queue).

    Earlier versions archived every ticketed mention. Unanswered ones move to the
    open queue's file; answered ones become ``replied`` (they keep their ticket,
    whose resolution closes them). The open file is written before the archive
    days, so a step cut short leaves a copy in both, which the next run (the
    version is bumped only once a step is done) settles.
    """
    opened = AtomicJSONStorage(data_dir / OPEN_MENTIONS)
    queue = opened.read() or {}
    open_docs = queue.setdefault(_MENTIONS, {})
    rewritten: list[tuple[AtomicJSONStorage, _Tables]] = []
    for path in sorted((data_dir / "mentions").glob("archive-*.json")):
        storage = AtomicJSONStorage(path)
        tables = storage.read() or {}
        docs = tables.get(_MENTIONS, {})
        ticketed = [key for key, record in docs.items() if record.get("status") == "ticketed"]
        for key in ticketed:
            record = docs[key]
            record["rev"] = int(record.get("rev") or 0) + 1
            if record.get("first_response_at"):
                record["status"] = "replied"
            else:
                open_docs[key] = docs.pop(key)
        if ticketed:
            rewritten.append((storage, tables))
    if rewritten:
        opened.write(queue)
    for storage, tables in rewritten:
        storage.write(tables)


#: ``MIGRATIONS[n]`` upgrades a data dir from version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, Migration] = {1: _add_notes, 2: _ticketed_stay_open}


def read_version(data_dir: Path) -> int | None:
    """The data dir's schema version, or None for a new data dir."""
    tables = AtomicJSONStorage(data_dir / META).read()
    if not tables:
        return None
    try:
        (doc,) = tables["schema"].values()
        return int(doc["version"])
    except (KeyError, ValueError, TypeError):
        raise StoreError(f"{data_dir / META}: field 'schema.version' is missing or bad") from None


def write_version(data_dir: Path, version: int) -> None:
    """Record the schema version."""
    AtomicJSONStorage(data_dir / META).write({"schema": {"1": {"version": version}}})


def refuse_newer(data_dir: Path, target: int | None = None) -> int | None:
    """The data dir's schema version (None for a new data dir); raises StoreError when it
    is newer than ``target`` (by default :data:`SCHEMA_VERSION`), which this smm-tui
    must then neither read nor write."""
    target = SCHEMA_VERSION if target is None else target
    found = read_version(data_dir)
    if found is not None and found > target:
        raise StoreError(
            f"{data_dir} holds schema version {found}, newer than this smm-tui knows "
            f"({target}); upgrade smm-tui"
        )
    return found


def upgrade(data_dir: Path, target: int | None = None) -> int:
    """Run every migration from the data dir's version up to ``target`` (by default
    :data:`SCHEMA_VERSION`); returns the old version."""
    target = SCHEMA_VERSION if target is None else target
    found = refuse_newer(data_dir, target)
    if found is None:
        write_version(data_dir, target)
        return target
    for version in range(found, target):
        step = MIGRATIONS.get(version)
        if step is None:
            raise StoreError(f"{data_dir}: no migration from schema version {version}")
        step(data_dir)
        write_version(data_dir, version + 1)
    return found


class SchemaWatch:
    """Notices that a newer smm-tui has upgraded a data dir since a store opened it."""

    def __init__(self, data_dir: Path, version: int, warnings: list[str]) -> None:
        """``version`` is the schema the store reads and writes; ``warnings`` hears once."""
        self.data_dir = data_dir
        self.version = version
        self.warnings = warnings
        self._signature: FileSignature | None = None
        #: Set once meta.json names a newer schema: the one line every write then fails with.
        self._outdated: str | None = None

    def settle(self) -> None:
        """Take ``meta.json`` as it is now as the version the store opened."""
        self._signature = FileSignature.of(self.data_dir / META)

    def check(self) -> None:
        """Raise StoreOutdated if meta.json says a newer smm-tui upgraded the data dir.

        Checked before every commit and refresh (a stat, and a read when the file
        changed): an old session must never write old-shaped records into a data dir
        a newer version has migrated, nor read records it does not understand.
        """
        if self._outdated is None:
            signature = FileSignature.of(self.data_dir / META)
            if signature == self._signature:
                return
            found = read_version(self.data_dir)
            self._signature = signature
            if found is None or found <= self.version:
                return
            self._outdated = (
                f"the data dir {self.data_dir} was upgraded to schema {found} by a newer "
                "smm-tui: quit and start the new version"
            )
            self.warnings.append(self._outdated)
            logger.warning("%s", self._outdated)
        raise StoreOutdated(self._outdated)
