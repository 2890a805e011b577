"""What the services need from storage, stated without naming a storage engine.

Changes are expressed as operations on records (plain dicts with an ``id``),
so that a store can re-apply them to the newest state on disk when another
process wrote in between: a patch touches only the fields it names, and an
``expect`` guard turns it into a compare-and-set.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Record = dict[str, Any]


class RepositoryError(Exception):
    """A storage failure the user should see as one line (the message says what and where)."""


class Collection(enum.StrEnum):
    """The kinds of record the app keeps."""

    MENTIONS = "mentions"
    REPLIES = "replies"
    DRAFTS = "drafts"
    TICKETS = "tickets"
    CONTESTS = "contests"
    ENTRIES = "entries"
    AUDIT = "audit"
    CURSORS = "cursors"
    PRESENCE = "presence"
    NOTES = "notes"
    POSTS = "posts"
    DELIVERIES = "deliveries"
    FOLLOWERS = "followers"
    HANDOFFS = "handoffs"
    COUNTERS = "counters"
    CAMPAIGNS = "campaigns"
    SPEND = "spend"
    INCIDENTS = "incidents"
    ALERTS = "alerts"
    CONTEST_FACTS = "contest_facts"
    CONTEST_OVERRIDES = "contest_overrides"


OpKind = Literal["put", "insert_new", "patch", "delete"]


@dataclass(frozen=True, slots=True)
class Op:
    """One change to one record.

    - ``put`` writes the whole record (insert or replace);
    - ``insert_new`` writes it only if no record has that id (ingest dedupe);
    - ``patch`` sets the named fields on the current record, and only if every
      field in ``expect`` still has the expected value;
    - ``delete`` removes the record, and only if every field in ``expect`` still
      has the expected value.
    """

    kind: OpKind
    collection: Collection
    id: str
    record: Mapping[str, Any] = field(default_factory=dict)
    expect: Mapping[str, Any] = field(default_factory=dict)

    def outcome(self, current: Record | None) -> tuple[bool, Record | None]:
        """What this operation makes of ``current``: (whether it applies, the new record).

        A new record of None means the record is deleted. The store and the
        rehearsal both apply operations through this, so they cannot drift apart.
        """
        if self.kind in ("delete", "patch"):
            # Both need the record, and every field in ``expect`` as expected.
            if current is None or any(current.get(k) != v for k, v in self.expect.items()):
                return False, None
            if self.kind == "delete":
                return True, None
            record = {**current, **self.record}
        elif self.kind == "insert_new" and current is not None:
            return False, None
        else:
            record = dict(self.record)
        record["rev"] = int((current or {}).get("rev") or 0) + 1
        return True, record


@dataclass(slots=True)
class ChangeSet:
    """Operations committed together: all of them become durable, or none is acknowledged."""

    ops: list[Op] = field(default_factory=list)

    def put(self, collection: Collection, record: Mapping[str, Any]) -> ChangeSet:
        """Insert or replace a whole record."""
        self.ops.append(Op("put", collection, str(record["id"]), record))
        return self

    def insert_new(self, collection: Collection, record: Mapping[str, Any]) -> ChangeSet:
        """Insert a record unless one with its id exists."""
        self.ops.append(Op("insert_new", collection, str(record["id"]), record))
        return self

    def patch(
        self,
        collection: Collection,
        record_id: str,
        fields: Mapping[str, Any],
        expect: Mapping[str, Any] | None = None,
    ) -> ChangeSet:
        """Set some fields of an existing record, optionally guarded by ``expect``."""
        self.ops.append(Op("patch", collection, record_id, fields, expect or {}))
        return self

    def delete(
        self, collection: Collection, record_id: str, expect: Mapping[str, Any] | None = None
    ) -> ChangeSet:
        """Remove a record, optionally guarded by ``expect``."""
        self.ops.append(Op("delete", collection, record_id, expect=expect or {}))
        return self

    def extend(self, other: ChangeSet) -> ChangeSet:
        """Append another change set's operations."""
        self.ops.extend(other.ops)
        return self

    def __len__(self) -> int:
        return len(self.ops)


@dataclass(frozen=True, slots=True)
class Changed:
    """What a commit or a refresh changed, for subscribers to react to."""

    ids: Mapping[Collection, frozenset[str]]
    applied: tuple[Op, ...] = ()
    skipped: tuple[Op, ...] = ()
    external: bool = False
    #: Problems met while reading (a file quarantined), each one line, to tell the user.
    warnings: tuple[str, ...] = ()

    def of(self, collection: Collection) -> frozenset[str]:
        """Ids changed in one collection."""
        return self.ids.get(collection, frozenset())

    def inserted(self, collection: Collection) -> list[str]:
        """Ids of the records of one collection this change brought in (not only updated)."""
        return [
            op.id for op in self.applied if op.kind == "insert_new" and op.collection is collection
        ]

    def __bool__(self) -> bool:
        return any(self.ids.values())


Subscriber = Callable[[Changed], None]


class Repository(Protocol):
    """The storage the services use. Writes are durable when their future resolves."""

    def submit(self, changes: ChangeSet) -> Future[Changed]:
        """Queue changes for the writer; the future resolves once they are on disk."""
        ...

    def commit(self, changes: ChangeSet) -> Changed:
        """Write changes and wait until they are on disk."""
        ...

    def get(self, collection: Collection, record_id: str) -> Record | None:
        """The current record with that id, or None."""
        ...

    def records(self, collection: Collection) -> Iterator[Record]:
        """Every current record of a collection (a snapshot; do not mutate)."""
        ...

    def load_archive(self) -> None:
        """Read now whatever opening deferred (the archive), if anything."""
        ...

    def open_mentions(self) -> Iterator[Record]:
        """Every mention still open (see ``Status.is_open``): the queue, without the archive."""
        ...

    def mentions_created(self, since: datetime, until: datetime) -> Iterator[Record]:
        """Every mention created from ``since`` to ``until`` (both included): the archive's
        days outside that span are not read (a contest's weeks in a year of history)."""
        ...

    def count(self, collection: Collection) -> int:
        """How many records a collection holds."""
        ...

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber`` (from the writer thread) after each durable change."""
        ...

    def refresh(self) -> Future[Changed]:
        """Pick up what other processes wrote since the last look."""
        ...


def ids_of(ops: Iterable[Op]) -> dict[Collection, frozenset[str]]:
    """Group the ids touched by some operations by collection."""
    grouped: dict[Collection, set[str]] = {}
    for op in ops:
        grouped.setdefault(op.collection, set()).add(op.id)
    return {collection: frozenset(ids) for collection, ids in grouped.items()}
