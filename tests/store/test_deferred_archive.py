"""Opening with the archive deferred: the queue at once, the archive from the writer.

Nothing read before the archive is in may be wrong: a reader either gets what is
in or waits for it, and a write queued at once is served only after it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from smm_tui.core.models import Mention, Status
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store import layout
from smm_tui.store.shards import Shard, Shards
from smm_tui.store.store import Store
from tests.store.test_store_basics import archive_of, mention, snapshot


def workspace(data_dir: Path) -> tuple[list[str], list[str]]:
    """A store of open mentions and closed ones over 20 days: (open ids, archived ids)."""
    open_ids: list[str] = []
    archived: list[str] = []
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for n in range(200):
            closed = n % 4 != 0
            record = mention(n, status=Status.DONE if closed else Status.NEW, days=n % 20)
            changes.put(Collection.MENTIONS, record)
            (archived if closed else open_ids).append(record["id"])
        store.commit(changes)
    return open_ids, archived


def before_each_read(monkeypatch: pytest.MonkeyPatch, hook: Callable[[str], object]) -> None:
    """Call ``hook`` with each shard path the store is about to read (it may raise)."""
    read_shard = Shards.read

    def hooked(shards: Shards, path: str) -> Shard | None:
        hook(path)
        return read_shard(shards, path)

    monkeypatch.setattr(Shards, "read", hooked)


def hold_back_archive(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make every read of an archive day wait until the event returned is set."""
    release = threading.Event()

    def held_back(path: str) -> None:
        if layout.is_archive(path):
            release.wait()

    before_each_read(monkeypatch, held_back)
    return release


def test_the_queue_is_there_at_once_and_the_archive_follows(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    open_ids, archived = workspace(data_dir)
    with Store.open(data_dir) as store:
        everything = snapshot(store)
    with Store.open(data_dir, defer_archive=True) as store:
        assert {r["id"] for r in store.open_mentions()} == set(open_ids)
        record = store.get(Collection.MENTIONS, archived[-1])  # waits for the archive
        assert record is not None and record["status"] == Status.DONE.value
        assert snapshot(store) == everything
        assert store.count(Collection.MENTIONS) == len(open_ids) + len(archived)


def test_a_write_queued_at_once_waits_for_the_whole_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    open_ids, archived = workspace(data_dir)
    heard: list[Changed] = []
    release = hold_back_archive(monkeypatch)
    with Store.open(data_dir, defer_archive=True) as store:
        store.subscribe(heard.append)
        # Closing a queued mention moves it into a day the archive already holds;
        # inserting a known archived id must be refused as a duplicate.
        changes = ChangeSet().patch(Collection.MENTIONS, open_ids[0], {"status": "done"})
        changes.insert_new(Collection.MENTIONS, mention(1, status=Status.NEW, days=1))
        pending = store.submit(changes)
        assert not pending.done() and store.count(Collection.MENTIONS) == len(open_ids)
        release.set()
        changed = pending.result(timeout=30)
        assert [op.kind for op in changed.skipped] == ["insert_new"]
        moved = store.get(Collection.MENTIONS, open_ids[0])
        assert moved is not None
    with Store.open(data_dir) as reopened:
        assert reopened.get(Collection.MENTIONS, open_ids[0]) == moved
        day = data_dir / archive_of(moved)
        assert open_ids[0] in {r["id"] for r in reopened.records(Collection.MENTIONS)}
        assert day.exists()
        for rid in archived:
            assert reopened.get(Collection.MENTIONS, rid) is not None
    # Told once the archive is in: counts over everything are complete (no ids to re-test).
    loaded = [c for c in heard if c.external and Collection.MENTIONS in c.ids and not c]
    assert loaded and not loaded[0].warnings


def test_a_corrupt_archive_day_is_set_aside_and_said_later(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    open_ids, _ = workspace(data_dir)
    day = sorted((data_dir / "mentions").glob("archive-*.json"))[3]
    day.write_bytes(b'{"mentions": {"1": {"id": "x", "text": "cut off')
    with Store.open(data_dir, defer_archive=True) as store:
        assert {r["id"] for r in store.open_mentions()} == set(open_ids)
        list(store.records(Collection.MENTIONS))  # waits for the archive
        assert [w for w in store.warnings if day.name in w], store.warnings
    assert not day.exists()
    assert list(day.parent.glob(day.name + ".corrupt-*"))
    assert layout.is_archive(f"mentions/{day.name}") and not layout.is_archive(layout.OPEN_MENTIONS)


def test_the_archive_is_read_when_asked_for_and_not_before(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    open_ids, archived = workspace(data_dir)
    told = threading.Event()
    with Store.open(data_dir, defer_archive=True) as store:
        store.subscribe(lambda changed: told.set())
        assert store.count(Collection.MENTIONS) == len(open_ids)  # nothing asked for it yet
        store.load_archive()
        assert told.wait(timeout=30)
        assert store.count(Collection.MENTIONS) == len(open_ids) + len(archived)


def test_another_process_closing_a_queued_mention_before_the_archive_is_read(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    open_ids, _ = workspace(data_dir)
    heard: list[Changed] = []
    told = threading.Event()
    with Store.open(data_dir, defer_archive=True) as store:
        store.subscribe(lambda changed: _hear(changed, heard, told))
        assert open_ids[0] in {r["id"] for r in store.open_mentions()}
        with Store.open(data_dir) as teammate:  # closes it: it moves to its archive day
            teammate.commit(ChangeSet().patch(Collection.MENTIONS, open_ids[0], {"status": "done"}))
        store.load_archive()
        assert told.wait(timeout=30)
        assert open_ids[0] in heard[0].of(Collection.MENTIONS)  # readers re-test it
        assert open_ids[0] not in {r["id"] for r in store.open_mentions()}
        record = store.get(Collection.MENTIONS, open_ids[0])
        assert record is not None and record["status"] == "done"


def test_an_archive_day_that_cannot_be_read_is_said_and_writes_stay_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    open_ids, archived = workspace(data_dir)
    broken = {"on": True}

    def unreadable(path: str) -> None:
        if broken["on"] and layout.is_archive(path):
            raise PermissionError(13, "Permission denied", path)

    before_each_read(monkeypatch, unreadable)
    heard: list[Changed] = []
    told = threading.Event()
    with Store.open(data_dir, defer_archive=True) as store:
        store.subscribe(lambda changed: _hear(changed, heard, told))
        store.load_archive()
        assert told.wait(timeout=30)
        (warning,) = heard[0].warnings
        assert "could not read the archive" in warning and "Permission denied" in warning
        assert store.get(Collection.MENTIONS, archived[0]) is None  # answered, not hung
        broken["on"] = False  # the permission is fixed: the next write reads everything first
        changes = ChangeSet().patch(Collection.MENTIONS, open_ids[0], {"status": "done"})
        store.commit(changes)
        assert store.count(Collection.MENTIONS) == len(open_ids) + len(archived)
    with Store.open(data_dir) as reopened:
        assert reopened.count(Collection.MENTIONS) == len(open_ids) + len(archived)


def test_quitting_before_the_archive_is_needed_does_not_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    workspace(data_dir)
    read: list[str] = []
    before_each_read(monkeypatch, read.append)
    with Store.open(data_dir, defer_archive=True):
        pass
    assert read and not [path for path in read if layout.is_archive(path)]


async def test_ingest_waits_for_the_archive_without_holding_up_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    workspace(data_dir)
    release = hold_back_archive(monkeypatch)
    safety = threading.Timer(10, release.set)  # only if the loop were blocked
    safety.start()
    try:
        with Store.open(data_dir, defer_archive=True) as store:
            ingest = Workspace(store, actor="anna", sources={}).ingest
            new = Mention.from_record(mention(999, status=Status.NEW))
            task = asyncio.create_task(ingest.ingest([new]))  # its duplicate check waits
            started = time.monotonic()
            for _ in range(20):
                await asyncio.sleep(0)  # the loop keeps turning meanwhile
            assert time.monotonic() - started < 5 and not task.done()
            release.set()
            changed = await asyncio.wait_for(task, 30)
            assert new.id in changed.of(Collection.MENTIONS)
    finally:
        safety.cancel()


def _hear(changed: Changed, heard: list[Changed], told: threading.Event) -> None:
    heard.append(changed)
    told.set()
