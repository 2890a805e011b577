"""The store's operations, its layout of files, and migrations (the writer: test_writer.py)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

from smm_tui.core.models import Author, Mention, Platform, Status
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store import layout, migrations
from smm_tui.store.storage import AtomicJSONStorage, StoreError
from smm_tui.store.store import Store

BASE = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def mention(
    n: int, *, status: Status = Status.NEW, days: int = 0, text: str = ""
) -> dict[str, Any]:
    """A realistic mention record with a deterministic id."""
    return Mention(
        platform=Platform.MASTODON,
        account="@brand@example.social",
        external_id=f"post-{n}",
        author=Author(id=f"u{n}", handle=f"@user{n}", display_name=f"User {n}"),
        text=text or f"Hi, my order #{n} has not arrived yet, can you check?",
        created_at=BASE + timedelta(days=days),
        status=status,
    ).to_record()


def archive_of(record: dict[str, Any]) -> str:
    day = datetime.fromisoformat(record["created_at"]).astimezone(UTC).strftime("%Y-%m-%d")
    return f"mentions/archive-{day}.json"


def file_ids(path: Path) -> set[str]:
    """The record ids a shard file holds, read straight from disk."""
    if not path.exists():
        return set()
    tables = orjson.loads(path.read_bytes())
    return {doc["id"] for docs in tables.values() for doc in docs.values()}


def snapshot(store: Store) -> dict[Collection, dict[str, dict[str, Any]]]:
    return {c: {r["id"]: copy.deepcopy(r) for r in store.records(c)} for c in Collection}


# -- operations ------------------------------------------------------------------------------------


def test_insert_new_dedupes_and_keeps_the_first_record(store: Store) -> None:
    first = mention(1)
    changed = store.commit(ChangeSet().insert_new(Collection.MENTIONS, first))
    assert changed.of(Collection.MENTIONS) == {first["id"]}
    assert [op.id for op in changed.applied] == [first["id"]]
    assert store.get(Collection.MENTIONS, first["id"])["rev"] == 1  # type: ignore[index]

    again = {**first, "text": "the same post seen by a second poll"}
    changed = store.commit(ChangeSet().insert_new(Collection.MENTIONS, again))
    assert not changed
    assert [op.id for op in changed.skipped] == [first["id"]]
    stored = store.get(Collection.MENTIONS, first["id"])
    assert stored is not None
    assert stored["text"] == first["text"]
    assert stored["rev"] == 1
    assert store.count(Collection.MENTIONS) == 1

    # Within one change set too: the second insert of an id is skipped.
    twice = ChangeSet().insert_new(Collection.MENTIONS, mention(2))
    twice.insert_new(Collection.MENTIONS, {**mention(2), "text": "dupe"})
    changed = store.commit(twice)
    assert len(changed.applied) == 1
    assert len(changed.skipped) == 1
    assert store.get(Collection.MENTIONS, mention(2)["id"])["text"] != "dupe"  # type: ignore[index]


def test_patch_with_expect_is_compare_and_set(store: Store) -> None:
    record = mention(1)
    rid = record["id"]
    store.commit(ChangeSet().insert_new(Collection.MENTIONS, record))

    ok = store.commit(
        ChangeSet().patch(Collection.MENTIONS, rid, {"assignee": "anna"}, expect={"assignee": None})
    )
    assert [op.id for op in ok.applied] == [rid]
    after = store.get(Collection.MENTIONS, rid)
    assert after is not None
    assert after["assignee"] == "anna"
    assert after["rev"] == 2
    # A patch touches only the fields it names.
    assert {k: v for k, v in after.items() if k not in ("assignee", "rev")} == {
        k: v for k, v in record.items() if k not in ("assignee", "rev")
    }

    # Someone else's expectation is now stale: the patch is skipped and nothing changes.
    lost = store.commit(
        ChangeSet().patch(
            Collection.MENTIONS, rid, {"assignee": "boris"}, expect={"assignee": None}
        )
    )
    assert not lost
    assert [op.id for op in lost.skipped] == [rid]
    assert store.get(Collection.MENTIONS, rid) == after

    # Expect on rev works as an optimistic version check.
    bump = store.commit(ChangeSet().patch(Collection.MENTIONS, rid, {"tags": ["vip"]}, {"rev": 2}))
    assert bump.applied
    assert store.get(Collection.MENTIONS, rid)["rev"] == 3  # type: ignore[index]

    # A patch without expect always applies; a patch of a missing record never does.
    assert store.commit(ChangeSet().patch(Collection.MENTIONS, rid, {"language": "en"})).applied
    missing = store.commit(ChangeSet().patch(Collection.MENTIONS, "nope", {"language": "en"}))
    assert missing.skipped
    assert store.get(Collection.MENTIONS, "nope") is None


def test_sequential_patches_in_one_batch_see_each_other(store: Store) -> None:
    store.commit(ChangeSet().insert_new(Collection.CURSORS, {"id": "counter", "n": 0}))
    changes = ChangeSet()
    for n in range(5):
        changes.patch(Collection.CURSORS, "counter", {"n": n + 1}, expect={"n": n})
    changed = store.commit(changes)
    assert len(changed.applied) == 5
    assert store.get(Collection.CURSORS, "counter") == {"id": "counter", "n": 5, "rev": 6}


def test_delete(store: Store, data_dir: Path) -> None:
    keep, drop = mention(1), mention(2)
    store.commit(
        ChangeSet().insert_new(Collection.MENTIONS, keep).insert_new(Collection.MENTIONS, drop)
    )
    changed = store.commit(ChangeSet().delete(Collection.MENTIONS, drop["id"]))
    assert changed.of(Collection.MENTIONS) == {drop["id"]}
    assert store.get(Collection.MENTIONS, drop["id"]) is None
    assert file_ids(data_dir / layout.OPEN_MENTIONS) == {keep["id"]}

    again = store.commit(ChangeSet().delete(Collection.MENTIONS, drop["id"]))
    assert not again
    assert [op.id for op in again.skipped] == [drop["id"]]

    # Deleting and re-inserting the same id in one batch leaves the new record.
    readd = ChangeSet().delete(Collection.MENTIONS, keep["id"])
    readd.insert_new(Collection.MENTIONS, {**keep, "text": "re-added"})
    assert len(store.commit(readd).applied) == 2
    assert store.get(Collection.MENTIONS, keep["id"])["text"] == "re-added"  # type: ignore[index]


def test_put_inserts_and_replaces_the_whole_record(store: Store) -> None:
    store.commit(ChangeSet().put(Collection.TICKETS, {"id": "t1", "title": "Refund", "note": "x"}))
    assert store.get(Collection.TICKETS, "t1") == {
        "id": "t1",
        "title": "Refund",
        "note": "x",
        "rev": 1,
    }
    store.commit(ChangeSet().put(Collection.TICKETS, {"id": "t1", "title": "Refund v2"}))
    # Fields the new record does not name are gone; rev keeps counting.
    assert store.get(Collection.TICKETS, "t1") == {"id": "t1", "title": "Refund v2", "rev": 2}


# -- layout ----------------------------------------------------------------------------------------


def test_done_mention_moves_from_open_file_to_its_daily_archive(
    store: Store, data_dir: Path
) -> None:
    record = mention(7, days=9)
    other = mention(8)
    rid = record["id"]
    store.commit(
        ChangeSet().insert_new(Collection.MENTIONS, record).insert_new(Collection.MENTIONS, other)
    )
    open_file = data_dir / layout.OPEN_MENTIONS
    archive = data_dir / archive_of(record)
    assert archive.name.startswith("archive-2025-03-")
    assert file_ids(open_file) == {rid, other["id"]}
    assert not archive.exists()

    # seen is still open: it stays in the queue file.
    store.commit(ChangeSet().patch(Collection.MENTIONS, rid, {"status": "seen"}))
    assert rid in file_ids(open_file)

    store.commit(
        ChangeSet().patch(Collection.MENTIONS, rid, {"status": "done"}, {"status": "seen"})
    )
    assert file_ids(open_file) == {other["id"]}
    assert file_ids(archive) == {rid}
    assert store.get(Collection.MENTIONS, rid)["status"] == "done"  # type: ignore[index]
    assert store.count(Collection.MENTIONS) == 2

    # Reopening it moves it back into the queue file; the day file stays, empty.
    store.commit(ChangeSet().patch(Collection.MENTIONS, rid, {"status": "new"}))
    assert file_ids(open_file) == {rid, other["id"]}
    assert file_ids(archive) == set()
    store.commit(ChangeSet().patch(Collection.MENTIONS, rid, {"status": "replied"}))
    assert file_ids(archive) == {rid}

    store.close()
    with Store.open(data_dir) as reopened:
        assert reopened.warnings == []
        assert reopened.get(Collection.MENTIONS, rid)["status"] == "replied"  # type: ignore[index]
        assert reopened.count(Collection.MENTIONS) == 2


def test_reopen_shows_the_same_state(store: Store, data_dir: Path) -> None:
    changes = ChangeSet()
    for n in range(60):
        changes.insert_new(Collection.MENTIONS, mention(n, days=n % 40))
    store.commit(changes)
    store.commit(ChangeSet().put(Collection.TICKETS, {"id": "t1", "mention_id": "x", "title": "T"}))
    store.commit(ChangeSet().put(Collection.REPLIES, {"id": "r1", "mention_id": "x", "text": "Hi"}))
    store.commit(ChangeSet().put(Collection.DRAFTS, {"id": "d1", "text": "draft"}))
    store.commit(ChangeSet().put(Collection.CONTESTS, {"id": "c1", "name": "Giveaway"}))
    store.commit(ChangeSet().put(Collection.ENTRIES, {"id": "c1:u1", "contest_id": "c1"}))
    store.commit(ChangeSet().put(Collection.CURSORS, {"id": "vk:brand", "cursor": "abc"}))
    store.commit(
        ChangeSet().put(
            Collection.AUDIT,
            {"id": "a1", "at": "2025-03-04T10:00:00Z", "action": "status", "entity_id": "x"},
        )
    )
    moves = ChangeSet()
    for n in range(0, 60, 3):
        moves.patch(Collection.MENTIONS, mention(n)["id"], {"status": "done"})
    for n in range(1, 60, 7):
        moves.delete(Collection.MENTIONS, mention(n)["id"])
    store.commit(moves)
    before = snapshot(store)
    store.close()

    with Store.open(data_dir) as reopened:
        assert reopened.warnings == []
        assert snapshot(reopened) == before
    assert (data_dir / "audit/2025-03-04.json").exists()


def test_every_shard_file_is_a_valid_tinydb_file(store: Store, data_dir: Path) -> None:
    changes = ChangeSet()
    for n in range(40):
        status = Status.DONE if n % 2 else Status.NEW
        changes.insert_new(Collection.MENTIONS, mention(n, status=status, days=n))
    changes.put(Collection.CURSORS, {"id": "vk:brand", "cursor": "abc"})
    changes.put(Collection.AUDIT, {"id": "a1", "at": "2025-03-04T10:00:00Z", "action": "x"})
    store.commit(changes)
    expected = snapshot(store)

    shards = sorted(
        p for p in data_dir.rglob("*.json") if p.name != layout.META and not p.name.startswith(".")
    )
    assert len(shards) >= 8  # open queue, several days, cursors, audit
    seen: dict[str, dict[str, Any]] = {}
    for path in shards:
        db = TinyDB(path, storage=AtomicJSONStorage)
        try:
            (name,) = db.tables()
            docs = db.table(name).all()
            assert docs, path
            for doc in docs:
                assert isinstance(doc.doc_id, int)
                assert doc.doc_id == int(layout.doc_key(doc["id"]))
                assert expected[Collection(name)][doc["id"]] == dict(doc)
                seen[doc["id"]] = dict(doc)
        finally:
            db.close()
    assert len(seen) == sum(len(records) for records in expected.values())

    meta = TinyDB(data_dir / layout.META, storage=AtomicJSONStorage)
    try:
        assert meta.table("schema").all() == [{"version": migrations.SCHEMA_VERSION}]
    finally:
        meta.close()


# -- migrations ------------------------------------------------------------------------------------


def test_a_newer_schema_version_is_refused(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, mention(1)))
    migrations.write_version(data_dir, migrations.SCHEMA_VERSION + 1)
    before = {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}

    with pytest.raises(StoreError) as caught:
        Store.open(data_dir)
    message = str(caught.value)
    assert "\n" not in message
    assert str(data_dir) in message
    assert f"version {migrations.SCHEMA_VERSION + 1}" in message
    assert {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()} == before


def test_a_registered_migration_runs_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(data_dir) as store:
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, mention(1)))
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, mention(2)))
    migrations.write_version(data_dir, 1)  # the fake steps below start from version 1
    calls: list[Path] = []

    def add_priority(root: Path) -> None:
        """A fake v1 → v2 step: give every open mention a ``priority`` field."""
        calls.append(root)
        storage = AtomicJSONStorage(root / layout.OPEN_MENTIONS)
        tables = storage.read()
        assert tables is not None
        for doc in tables["mentions"].values():
            doc["priority"] = 0
        storage.write(tables)

    monkeypatch.setattr(migrations, "MIGRATIONS", {1: add_priority})
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)

    assert migrations.upgrade(data_dir, target=2) == 1
    assert calls == [data_dir]
    assert migrations.read_version(data_dir) == 2
    assert migrations.upgrade(data_dir, target=2) == 2
    assert calls == [data_dir]

    docs = AtomicJSONStorage(data_dir / layout.OPEN_MENTIONS).read()
    assert docs is not None
    assert [d["priority"] for d in docs["mentions"].values()] == [0, 0]


def test_migrations_run_in_order_and_a_failed_step_is_retried(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(data_dir):
        pass
    migrations.write_version(data_dir, 1)  # the fake steps below start from version 1
    ran: list[int] = []
    attempts: list[int] = []

    def step1(_root: Path) -> None:
        ran.append(1)

    def step2(_root: Path) -> None:
        attempts.append(2)
        if len(attempts) == 1:
            raise StoreError("step 2 failed")
        ran.append(2)

    monkeypatch.setattr(migrations, "MIGRATIONS", {1: step1, 2: step2})
    with pytest.raises(StoreError, match="step 2 failed"):
        migrations.upgrade(data_dir, target=3)
    # Step 1 is recorded as done; step 2 is not.
    assert migrations.read_version(data_dir) == 2
    assert migrations.upgrade(data_dir, target=3) == 2
    assert ran == [1, 2]
    assert migrations.read_version(data_dir) == 3


def test_a_missing_migration_step_is_a_one_line_error(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(data_dir):
        pass
    migrations.write_version(data_dir, 1)
    monkeypatch.setattr(migrations, "MIGRATIONS", {})
    with pytest.raises(StoreError) as caught:
        migrations.upgrade(data_dir, target=2)
    assert "\n" not in str(caught.value)
    assert "schema version 1" in str(caught.value)
    assert migrations.read_version(data_dir) == 1


def test_mentions_created_in_a_span_read_only_its_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [mention(n, status=Status.DONE, days=n) for n in range(10)]
    records.append(mention(99, days=4))  # open: held in memory, not in a day
    changes = ChangeSet()
    for record in records:
        changes.put(Collection.MENTIONS, record)
    with Store.open(tmp_path / "data") as store:
        store.commit(changes)
    with Store.open(tmp_path / "data") as store:
        read: list[str] = []
        day_records = store._shards.day_records

        def counted(path: str, *, remember: bool = True) -> dict[str, Any]:
            read.append(path)
            return day_records(path, remember=remember)

        monkeypatch.setattr(store._shards, "day_records", counted)
        since, until = BASE + timedelta(days=3), BASE + timedelta(days=5)
        found = {r["external_id"] for r in store.mentions_created(since, until)}
    assert found == {"post-3", "post-4", "post-5", "post-99"}, "both ends included"
    assert sorted(read) == [archive_of(records[n]) for n in (3, 4, 5)]
