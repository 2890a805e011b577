"""What the store keeps of the archive's daily shards, whose records stay on disk.

A day of handled mentions (or of the audit trail) is kept as its ids and
revisions only (:class:`Day`); the records of the last few days read stay in
:class:`RecentDays`, so neighbours in time cost one read of their day.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from dataclasses import dataclass

from smm_tui.core.repository import Collection, Record

#: How many archive days' records stay in memory after a read (about 1k mentions a day).
RECENT_ARCHIVE_DAYS = 4


def revision(record: Record) -> int:
    """A record's revision (0 when it has none)."""
    return int(record.get("rev") or 0)


@dataclass(frozen=True, slots=True)
class Day:
    """An archive shard left on disk: its collection, and each record's id and revision.

    Ids and revisions are packed (16 bytes a record) so that a day another process
    replaced can be told apart record by record without keeping the records.
    """

    collection: Collection
    ids: tuple[str, ...]
    revs: array[int]

    @classmethod
    def of(cls, collection: Collection, records: dict[str, Record]) -> Day:
        """What to keep of a day holding ``records``."""
        revs = array("q", (revision(record) for record in records.values()))
        return cls(collection, tuple(records), revs)

    def revisions(self) -> dict[str, int]:
        """Each id's revision."""
        return dict(zip(self.ids, self.revs, strict=True))


class RecentDays:
    """The records of the archive days read last, most recent last (not thread-safe)."""

    def __init__(self, size: int = RECENT_ARCHIVE_DAYS) -> None:
        self.size = size
        self._days: OrderedDict[str, dict[str, Record]] = OrderedDict()

    def get(self, path: str) -> dict[str, Record] | None:
        """A cached day's records (now the most recent), or None."""
        records = self._days.get(path)
        if records is not None:
            self._days.move_to_end(path)
        return records

    def put(self, path: str, records: dict[str, Record]) -> None:
        """Cache a day's records as the most recent, dropping the oldest past the size."""
        self._days[path] = records
        self._days.move_to_end(path)
        while len(self._days) > self.size:
            self._days.popitem(last=False)

    def drop(self, path: str) -> None:
        """Forget a day (it is read again from its file when asked for)."""
        self._days.pop(path, None)

    def clear(self) -> None:
        """Forget every day."""
        self._days.clear()
