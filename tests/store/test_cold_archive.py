"""The archive stays on disk: the store holds where each record is, and reads a day when asked.

What a reader sees must not change: every record once, the newest copy of one
that two shards hold, another process's moves, and an unreadable day reported
rather than raised into a reader.
"""

from __future__ import annotations

import errno
import os
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest

from smm_tui.core.models import Status
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store import layout
from smm_tui.store.shards import Shards
from smm_tui.store.storage import StoreError
from smm_tui.store.store import RECENT_ARCHIVE_DAYS, Store
from tests.store.test_store_basics import archive_of, mention, snapshot

DAYS = 30
TEXT = "Моя карта заблокирована, помогите! " * 120  # ~4 KB a mention


def archived_workspace(data_dir: Path, count: int = 1500) -> list[str]:
    """``count`` handled mentions with long texts over DAYS days; returns their ids."""
    ids = []
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for n in range(count):
            record = mention(n, status=Status.DONE, days=n % DAYS, text=f"{n} {TEXT}")
            changes.put(Collection.MENTIONS, record)
            ids.append(record["id"])
        store.commit(changes)
    return ids


def held_by(open_store: type[Store], data_dir: Path, *, defer: bool) -> tuple[float, Store]:
    """How many MB the store holds once open (traced allocations), and the store."""
    tracemalloc.start()
    try:
        store = open_store.open(data_dir, defer_archive=defer)
        store.load_archive()
        store.count(Collection.MENTIONS)
        assert store.get(Collection.MENTIONS, "no such id") is None  # waits for the archive
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return held / 2**20, store


def test_the_archive_is_not_held_in_memory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ids = archived_workspace(data_dir)
    on_disk = sum(p.stat().st_size for p in (data_dir / "mentions").glob("*.json")) / 2**20
    assert on_disk > 5  # more than the store may hold, by far
    for defer in (False, True):
        held, store = held_by(Store, data_dir, defer=defer)
        with store:
            assert held < 1.0, (defer, held)
            assert store.count(Collection.MENTIONS) == len(ids)
            # Reading every day (mention n is on day n % DAYS) keeps only the last few.
            tracemalloc.start()
            try:
                for rid in ids[:DAYS]:
                    record = store.get(Collection.MENTIONS, rid)
                    assert record is not None and record["id"] == rid
                after, _peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            one_day = on_disk / DAYS
            assert after / 2**20 < (RECENT_ARCHIVE_DAYS + 1) * one_day * 3, after


def test_records_are_every_record_once_and_current_after_moves(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ids = archived_workspace(data_dir, count=300)
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        changes.patch(Collection.MENTIONS, ids[0], {"status": Status.NEW.value})  # reopened
        changes.patch(Collection.MENTIONS, ids[1], {"assignee": "anna"})  # changed in place
        changes.delete(Collection.MENTIONS, ids[2])
        store.commit(changes)
        listed = [r["id"] for r in store.records(Collection.MENTIONS)]
        assert len(listed) == len(set(listed)) == len(ids) - 1
        assert set(listed) == set(ids) - {ids[2]}
        assert [r["id"] for r in store.open_mentions()] == [ids[0]]
        seen = snapshot(store)
        assert seen[Collection.MENTIONS][ids[1]]["assignee"] == "anna"
        assert seen[Collection.MENTIONS][ids[0]]["status"] == Status.NEW.value
    with Store.open(data_dir) as reopened:
        assert snapshot(reopened) == seen


def test_another_process_moving_an_archived_mention_is_seen(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ids = archived_workspace(data_dir, count=300)
    with Store.open(data_dir, defer_archive=True) as mine, Store.open(data_dir) as theirs:
        assert mine.get(Collection.MENTIONS, ids[5]) is not None  # its day is now cached
        changes = ChangeSet()
        changes.patch(Collection.MENTIONS, ids[5], {"status": Status.NEW.value})
        changes.patch(Collection.MENTIONS, ids[6], {"tags": ["vip"]})
        theirs.commit(changes)
        changed = mine.refresh().result(timeout=30)
        assert {ids[5], ids[6]} <= changed.of(Collection.MENTIONS)
        reopened = mine.get(Collection.MENTIONS, ids[5])
        assert reopened is not None and reopened["status"] == Status.NEW.value
        tagged = mine.get(Collection.MENTIONS, ids[6])
        assert tagged is not None and tagged["tags"] == ["vip"]
        assert [r["id"] for r in mine.open_mentions()] == [ids[5]]
        listed = [r["id"] for r in mine.records(Collection.MENTIONS)]
        assert sorted(listed) == sorted(ids)
        assert mine.count(Collection.MENTIONS) == len(ids)
        # And back: closed by me, it returns to its day for them.
        done = ChangeSet()
        done.patch(Collection.MENTIONS, ids[5], {"status": Status.DONE.value})
        mine.commit(done)
        theirs.refresh().result(timeout=30)
        assert [r["id"] for r in theirs.open_mentions()] == []
        assert snapshot(theirs) == snapshot(mine)


def test_a_stale_copy_in_another_day_loses_to_the_newer(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ids = archived_workspace(data_dir, count=60)
    rid = ids[0]
    with Store.open(data_dir) as store:
        record = store.get(Collection.MENTIONS, rid)
        assert record is not None
        home = archive_of(record)
    # A copy with an older revision, left in another day (as a crash might leave it).
    other = archive_of(mention(1, days=1))
    assert other != home
    path = data_dir / other
    tables = orjson.loads(path.read_bytes())
    stale = {**record, "rev": 0, "assignee": "stale"}
    tables["mentions"][layout.doc_key(rid)] = stale
    path.write_bytes(orjson.dumps(tables))
    with Store.open(data_dir) as store:
        current = store.get(Collection.MENTIONS, rid)
        assert current is not None and current.get("assignee") != "stale"
        listed = [r["id"] for r in store.records(Collection.MENTIONS)]
        assert listed.count(rid) == 1 and len(listed) == len(ids)


def test_an_unreadable_day_is_moved_aside_and_reported_not_raised(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ids = archived_workspace(data_dir, count=60)
    with Store.open(data_dir) as store:
        record = store.get(Collection.MENTIONS, ids[0])
        assert record is not None
        day = data_dir / archive_of(record)
        other = store.get(Collection.MENTIONS, ids[1])  # another day, now the cached one...
        for rid in ids[2 : 2 + RECENT_ARCHIVE_DAYS + 1]:
            store.get(Collection.MENTIONS, rid)  # ...and the first day is out of the cache
        assert other is not None and archive_of(other) != archive_of(record)
        day.write_bytes(b'{"mentions": {"1": {"id": ')  # torn by something outside us
        assert store.get(Collection.MENTIONS, ids[0]) is None
        assert any(str(day) in warning for warning in store.warnings)
        assert not day.exists() and list(day.parent.glob(f"{day.name}.corrupt-*"))
        assert store.get(Collection.MENTIONS, ids[1]) is not None  # other days still read


def three_mentions(store: Store) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open mention and a closed one on the same day, and a closed one on another."""
    open_one = mention(1, status=Status.NEW, days=0)
    closed = mention(2, status=Status.DONE, days=0)
    changes = ChangeSet().put(Collection.MENTIONS, open_one).put(Collection.MENTIONS, closed)
    store.commit(changes.put(Collection.MENTIONS, mention(3, status=Status.DONE, days=5)))
    return open_one, closed


def test_records_holds_each_once_when_one_is_closed_or_reopened_while_read(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "data") as store:
        open_one, closed = three_mentions(store)
        reading = store.records(Collection.MENTIONS)
        store.commit(ChangeSet().patch(Collection.MENTIONS, open_one["id"], {"status": "done"}))
        everything = sorted([open_one["id"], closed["id"], mention(3)["id"]])
        assert sorted(r["id"] for r in reading) == everything  # not twice
        reading = store.records(Collection.MENTIONS)
        store.commit(ChangeSet().patch(Collection.MENTIONS, closed["id"], {"status": "new"}))
        assert sorted(r["id"] for r in reading) == everything  # not missed


def test_a_reader_during_a_failed_commit_is_not_left_with_what_was_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(tmp_path / "data") as store:
        target = mention(1, status=Status.DONE, days=0)
        others = [mention(10 + d, status=Status.DONE, days=d) for d in range(1, 5)]
        queued = mention(2, status=Status.NEW)
        changes = ChangeSet().put(Collection.MENTIONS, target).put(Collection.MENTIONS, queued)
        for other in others:
            changes.put(Collection.MENTIONS, other)
        store.commit(changes)
        write_shard, seen = Shards.write, {}

        def failing(self: Shards, path: str, shard: Any) -> None:
            if path == layout.OPEN_MENTIONS and "reader" not in seen:
                # The UI reads the mention between its day's write and the failure.
                seen["reader"] = store.get(Collection.MENTIONS, target["id"])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            write_shard(self, path, shard)

        monkeypatch.setattr(Shards, "write", failing)
        bulk = ChangeSet().patch(Collection.MENTIONS, target["id"], {"assignee": "never-saved"})
        for other in others:  # five days in one commit: the target's day leaves the cache
            bulk.patch(Collection.MENTIONS, other["id"], {"assignee": "x"})
        bulk.patch(Collection.MENTIONS, queued["id"], {"assignee": "x"})
        with pytest.raises(StoreError, match="nothing was changed"):
            store.commit(bulk)
        monkeypatch.setattr(Shards, "write", write_shard)
        now = store.get(Collection.MENTIONS, target["id"])
        assert now is not None and now.get("assignee") is None


def test_another_process_changing_a_few_records_reports_only_those(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    days, per_day = 10, 100
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for n in range(days * per_day):
            changes.put(Collection.MENTIONS, mention(n, status=Status.DONE, days=n % days))
        store.commit(changes)
    with Store.open(data_dir) as mine, Store.open(data_dir) as theirs:
        tagged = {mention(d, status=Status.DONE, days=d)["id"] for d in range(days)}
        bulk = ChangeSet()
        for rid in tagged:  # one mention a day
            bulk.patch(Collection.MENTIONS, rid, {"tags": ["x"]})
        theirs.commit(bulk)
        changed = mine.refresh().result(timeout=30)
        assert changed.of(Collection.MENTIONS) == tagged
        for rid in tagged:
            record = mine.get(Collection.MENTIONS, rid)
            assert record is not None and record["tags"] == ["x"]
