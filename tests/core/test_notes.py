"""Notes on customers: one cleaned line per author and network, kept in notes.json."""

from __future__ import annotations

import asyncio
from pathlib import Path

from smm_tui.core.models import Author, Platform
from smm_tui.core.notes import NOTE_LENGTH, note_text
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store import migrations
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention

ANNA = Author("id1", "anna_k", "Anna K")


def test_a_note_is_kept_per_author_and_network(workspace: Workspace) -> None:
    mention = make_mention(1, author=ANNA)
    asyncio.run(workspace.ingest.ingest([mention]))
    notes = workspace.notes
    assert notes.for_mention(mention) is None

    kept = asyncio.run(notes.set(Platform.VK, ANNA, "  VIP,\nlawyer\tinvolved \x1b[31m "))

    assert kept is not None
    assert kept.text == "VIP, lawyer involved ␛[31m"
    assert notes.for_mention(mention) == kept
    assert notes.get(Platform.MASTODON, ANNA.id) is None, "another network, another person"
    events = [r for r in workspace.repo.records(Collection.AUDIT) if r["entity"] == "note"]
    assert [(e["action"], e["actor"]) for e in events] == [("set", "alice")]


def test_an_empty_note_removes_it(workspace: Workspace) -> None:
    asyncio.run(workspace.notes.set(Platform.VK, ANNA, "VIP"))
    assert asyncio.run(workspace.notes.set(Platform.VK, ANNA, "   ")) is None
    assert workspace.notes.get(Platform.VK, ANNA.id) is None
    assert workspace.repo.count(Collection.NOTES) == 0


def test_a_long_note_is_cut() -> None:
    assert len(note_text("x" * 1000)) == NOTE_LENGTH
    assert note_text("x" * 1000).endswith("…")


def test_notes_survive_a_restart_in_their_own_file(tmp_path: Path, clock: FakeClock) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        ws = Workspace(store, actor="alice", sources={}, clock=clock)
        asyncio.run(ws.notes.set(Platform.VK, ANNA, "prefers English"))
    assert (data / "notes.json").exists()
    with Store.open(data) as store:
        ws = Workspace(store, actor="bob", sources={}, clock=clock)
        note = ws.notes.get(Platform.VK, ANNA.id)
        assert note is not None and note.text == "prefers English"


def test_a_data_dir_from_before_notes_opens_and_takes_notes(
    tmp_path: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        asyncio.run(
            Workspace(store, actor="alice", sources={}, clock=clock).ingest.ingest(
                [make_mention(1, author=ANNA)]
            )
        )
    migrations.write_version(data, 1)  # as the last smm-tui without notes left it

    with Store.open(data) as store:
        ws = Workspace(store, actor="alice", sources={}, clock=clock)
        assert store.count(Collection.MENTIONS) == 1
        asyncio.run(ws.notes.set(Platform.VK, ANNA, "VIP"))
    assert migrations.read_version(data) == migrations.SCHEMA_VERSION
