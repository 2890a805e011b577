"""Which file a record lives in.

TinyDB rewrites a whole file on every write, so the layout keeps the files that
change often small:

- ``mentions/open.json`` holds only open mentions (new or seen): the queue.
- ``mentions/archive-YYYY-MM-DD.json`` holds handled mentions, one file per
  UTC day of their creation, so closing a mention rewrites a day, not years
  (a week of a busy account was ~7k mentions and ~50 ms to rewrite).
- ``audit/YYYY-MM-DD.json`` holds the audit trail by day, so each action
  rewrites one day's events, not a growing week.
- tickets, contests, entries, replies, drafts, cursors, notes on customers,
  posts, their deliveries, follower readings, handoffs to departments,
  counters (ticket numbers), campaigns, ad spend and spike alerts each have a file.

Every file is a valid TinyDB document: ``{collection: {doc_id: record}}``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from smm_tui.core.models import Status, from_iso
from smm_tui.core.repository import Collection

OPEN_MENTIONS = "mentions/open.json"
META = "meta.json"
#: The store's write-ahead journal (see :mod:`smm_tui.store.journal`): not a shard.
JOURNAL = "journal.json"

_SINGLE_FILE = {
    Collection.REPLIES: "replies.json",
    Collection.DRAFTS: "drafts.json",
    Collection.TICKETS: "tickets.json",
    Collection.CONTESTS: "contests.json",
    Collection.ENTRIES: "entries.json",
    Collection.CURSORS: "cursors.json",
    Collection.PRESENCE: "presence.json",
    Collection.NOTES: "notes.json",
    Collection.POSTS: "posts.json",
    Collection.DELIVERIES: "deliveries.json",
    Collection.FOLLOWERS: "followers.json",
    Collection.HANDOFFS: "handoffs.json",
    Collection.COUNTERS: "counters.json",
    Collection.CAMPAIGNS: "campaigns.json",
    Collection.SPEND: "spend.json",
    Collection.INCIDENTS: "incidents.json",
    Collection.ALERTS: "alerts.json",
    Collection.CONTEST_FACTS: "contest_facts.json",
    Collection.CONTEST_OVERRIDES: "contest_overrides.json",
}

#: Collections kept in daily files (see :func:`is_archive`).
ARCHIVED = frozenset({Collection.MENTIONS, Collection.AUDIT})

#: Globs, relative to the data dir, of every file the layout can produce.
SHARD_GLOBS = ("*.json", "mentions/*.json", "audit/*.json")


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def shard_for(collection: Collection, record: dict[str, Any]) -> str:
    """The data-dir-relative path of the file that should hold ``record``."""
    if collection is Collection.MENTIONS:
        if Status(record.get("status", "new")).is_open:
            return OPEN_MENTIONS
        created = from_iso(record["created_at"])
        assert created is not None
        return f"mentions/archive-{_day(created)}.json"
    if collection is Collection.AUDIT:
        at = from_iso(record["at"])
        assert at is not None
        return f"audit/{_day(at)}.json"
    return _SINGLE_FILE[collection]


def day_of(path: str) -> str:
    """The ``YYYY-MM-DD`` of an archive day's path (``mentions/archive-2026-11-26.json``)."""
    return PurePosixPath(path).stem.removeprefix("archive-")


def doc_key(record_id: str) -> str:
    """TinyDB wants integer document ids; derive a stable one from the record id."""
    digest = hashlib.blake2b(record_id.encode(), digest_size=8).digest()
    return str(int.from_bytes(digest, "big") >> 1)


def is_archive(relative: str) -> bool:
    """Whether a shard holds a day of handled mentions or of the audit trail."""
    path = PurePosixPath(relative)
    return path.suffix == ".json" and (
        (path.parent.name == "mentions" and path.name.startswith("archive-"))
        or path.parent.name == "audit"
    )


def is_shard_path(relative: str) -> bool:
    """Whether a data-dir-relative path is one the layout could have produced for records
    (the schema's ``meta.json`` and the journal are not)."""
    path = PurePosixPath(relative)
    return path.suffix == ".json" and not path.name.startswith(".") and relative not in _NOT_SHARDS


_NOT_SHARDS = frozenset({META, JOURNAL})
