"""Schema versions of the data dir, and the steps that bring an old one up to date.

The version lives in ``meta.json`` (a TinyDB file with a ``schema`` table).
A migration is a function of the data dir that rewrites files in place through
the atomic storage; they run in order, under the store lock, at open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smm_tui.store.layout import META
from smm_tui.store.storage import AtomicJSONStorage, StoreError

SCHEMA_VERSION = 1

Migration = Callable[[Path], None]

#: ``MIGRATIONS[n]`` upgrades a data dir from version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, Migration] = {}


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


def upgrade(data_dir: Path, target: int = SCHEMA_VERSION) -> int:
    """Run every migration from the data dir's version up to ``target``; returns the old version."""
    found = read_version(data_dir)
    if found is None:
        write_version(data_dir, target)
        return target
    if found > target:
        raise StoreError(
            f"{data_dir} holds schema version {found}, newer than this smm-tui knows "
            f"({target}); upgrade smm-tui"
        )
    for version in range(found, target):
        step = MIGRATIONS.get(version)
        if step is None:
            raise StoreError(f"{data_dir}: no migration from schema version {version}")
        step(data_dir)
        write_version(data_dir, version + 1)
    return found
