"""Upgrades of the data dir: a journal left by the version before is finished before the
migration, and a session of the old version stops writing once a newer one has migrated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from smm_tui.core.models import Status
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.store import layout, migrations
from smm_tui.store.storage import StoreError
from smm_tui.store.store import JOURNAL, Store, StoreOutdated
from tests.conftest import make_mention


def _disk(data_dir: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(data_dir.rglob("*.json"))}


def _ids_in(data_dir: Path, relative: str) -> set[str]:
    path = data_dir / relative
    if not path.exists():
        return set()
    tables: dict[str, dict[str, dict[str, Any]]] = orjson.loads(path.read_bytes())
    return {doc["id"] for docs in tables.values() for doc in docs.values()}


def test_an_unfinished_commit_of_the_old_version_is_finished_then_migrated(
    tmp_path: Path,
) -> None:
    """Version 2 archived ticketed mentions; its unfinished commit that ticketed a mention
    must end, like every other, with the mention back in the queue (version 3)."""
    data = tmp_path / "data"
    waiting = make_mention(1)
    with Store.open(data) as store:
        store.commit(
            ChangeSet()
            .insert_new(Collection.MENTIONS, waiting.to_record())
            .insert_new(Collection.MENTIONS, make_mention(2).to_record())
        )
        current = store.get(Collection.MENTIONS, waiting.id)
    assert current is not None
    # What version 2 journaled when it ticketed the mention, then died before any shard
    # was written: the mention leaves the queue's file for its archive day.
    ticketed = {**current, "status": Status.TICKETED.value, "ticket_id": "t1", "rev": 2}
    day = layout.shard_for(Collection.MENTIONS, {**ticketed, "status": Status.DONE.value})
    redo = {
        layout.OPEN_MENTIONS: {"collection": "mentions", "set": {}, "drop": [waiting.id]},
        day: {"collection": "mentions", "set": {waiting.id: ticketed}, "drop": []},
    }
    (data / JOURNAL).write_bytes(orjson.dumps(redo))
    migrations.write_version(data, 2)

    with Store.open(data) as store:
        assert not (data / JOURNAL).exists()
        assert migrations.read_version(data) == migrations.SCHEMA_VERSION
        record = store.get(Collection.MENTIONS, waiting.id)
        assert record is not None and record["status"] == Status.TICKETED.value
        assert record["ticket_id"] == "t1"
        assert waiting.id in {r["id"] for r in store.open_mentions()}, "in the queue"
        assert store.count(Collection.MENTIONS) == 2
    assert waiting.id in _ids_in(data, layout.OPEN_MENTIONS)
    assert waiting.id not in _ids_in(data, day), "in one file only"
    with Store.open(data, defer_archive=True) as reopened:
        assert waiting.id in {r["id"] for r in reopened.open_mentions()}


def test_a_journal_of_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(1).to_record()))
    journal = {"drafts.json": {"collection": "drafts", "set": {"d": {"id": "d"}}, "drop": []}}
    (data / JOURNAL).write_bytes(orjson.dumps(journal))
    migrations.write_version(data, migrations.SCHEMA_VERSION + 1)
    before = _disk(data)
    with pytest.raises(StoreError, match="newer than this smm-tui knows"):
        Store.open(data)
    assert _disk(data) == before


def _old_and_new(data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, Store]:
    """A store of the version before (opened first), then this version's, which migrates."""
    with Store.open(data) as store:
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(1).to_record()))
    migrations.write_version(data, migrations.SCHEMA_VERSION - 1)
    known = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", known - 1)
    old = Store.open(data)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", known)
    assert old.schema_version == known - 1
    assert migrations.read_version(data) == known - 1, "the old version did not migrate"
    new = Store.open(data)
    assert migrations.read_version(data) == known
    return old, new


def test_a_session_of_the_old_version_stops_writing_once_another_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    old, new = _old_and_new(data, monkeypatch)
    heard: list[Changed] = []
    old.subscribe(heard.append)
    try:
        before = _disk(data)
        with pytest.raises(StoreOutdated) as caught:
            old.commit(ChangeSet().put(Collection.DRAFTS, {"id": "d", "text": "old shape"}))
        message = str(caught.value)
        assert message == (
            f"the data dir {data} was upgraded to schema {migrations.SCHEMA_VERSION} "
            "by a newer smm-tui: quit and start the new version"
        )
        assert _disk(data) == before, "nothing written into the newer data dir"

        # The re-read for other processes' changes says it (once) and reads nothing more.
        new.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(2).to_record()))
        first = old.refresh().result(timeout=10)
        second = old.refresh().result(timeout=10)
        assert first.warnings == (message,)
        assert second.warnings == ()
        assert [c.warnings for c in heard] == [(message,)], "subscribers hear it once"
        assert old.get(Collection.MENTIONS, make_mention(2).id) is None
        assert message in old.warnings

        with pytest.raises(StoreOutdated):
            old.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(3).to_record()))
        assert new.get(Collection.MENTIONS, make_mention(3).id) is None
    finally:
        old.close()
        new.close()


def test_a_refresh_notices_the_upgrade_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    old, new = _old_and_new(data, monkeypatch)
    try:
        changed = old.refresh().result(timeout=10)
        assert len(changed.warnings) == 1
        assert "quit and start the new version" in changed.warnings[0]
        assert "\n" not in changed.warnings[0]
        with pytest.raises(StoreOutdated):
            old.commit(ChangeSet().put(Collection.DRAFTS, {"id": "d", "text": "x"}))
    finally:
        old.close()
        new.close()


def test_the_same_version_keeps_working_beside_another(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as one, Store.open(data) as two:
        one.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(1).to_record()))
        assert not two.refresh().result(timeout=10).warnings
        two.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(2).to_record()))
        assert two.get(Collection.MENTIONS, make_mention(1).id) is not None
        assert one.warnings == [] and two.warnings == []
