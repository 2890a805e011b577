"""Notes on customers: one cleaned line per author and network, kept in notes.json."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from pathlib import Path

import pytest

from smm_tui.core.models import Author, Platform
from smm_tui.core.notes import NOTE_LENGTH, CustomerNote, NoteChanged, note_text
from smm_tui.core.repository import Changed, ChangeSet, Collection
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

    kept = asyncio.run(
        notes.set(Platform.VK, ANNA, "  VIP,\nlawyer\tinvolved \x1b[31m ", base=None)
    )

    assert kept is not None
    assert kept.text == "VIP, lawyer involved ␛[31m"
    assert notes.for_mention(mention) == kept
    assert notes.get(Platform.MASTODON, ANNA.id) is None, "another network, another person"
    events = [r for r in workspace.repo.records(Collection.AUDIT) if r["entity"] == "note"]
    assert [(e["action"], e["actor"]) for e in events] == [("set", "alice")]
    assert events[0]["detail"] == {"old": "", "new": "VIP, lawyer involved ␛[31m"}


def test_an_empty_note_removes_it(workspace: Workspace) -> None:
    kept = asyncio.run(workspace.notes.set(Platform.VK, ANNA, "VIP", base=None))
    assert asyncio.run(workspace.notes.set(Platform.VK, ANNA, "   ", base=kept)) is None
    assert workspace.notes.get(Platform.VK, ANNA.id) is None
    assert workspace.repo.count(Collection.NOTES) == 0


def test_a_long_note_is_cut() -> None:
    assert len(note_text("x" * 1000)) == NOTE_LENGTH
    assert note_text("x" * 1000).endswith("…")


def test_notes_survive_a_restart_in_their_own_file(tmp_path: Path, clock: FakeClock) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        ws = Workspace(store, actor="alice", sources={}, clock=clock)
        asyncio.run(ws.notes.set(Platform.VK, ANNA, "prefers English", base=None))
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
        asyncio.run(ws.notes.set(Platform.VK, ANNA, "VIP", base=None))
    assert migrations.read_version(data) == migrations.SCHEMA_VERSION


def _note_events(ws: Workspace) -> list[tuple[str, str, str, str]]:
    events = sorted(
        (r for r in ws.repo.records(Collection.AUDIT) if r["entity"] == "note"),
        key=lambda r: str(r["at"]),
    )
    return [(e["actor"], e["action"], e["detail"]["old"], e["detail"]["new"]) for e in events]


def test_the_audit_keeps_the_old_and_the_new_text(workspace: Workspace) -> None:
    notes = workspace.notes
    first = asyncio.run(notes.set(Platform.VK, ANNA, "VIP", base=None))
    second = asyncio.run(notes.set(Platform.VK, ANNA, " VIP;\tlawyer ", base=first))
    asyncio.run(notes.set(Platform.VK, ANNA, "", base=second))
    assert _note_events(workspace) == [
        ("alice", "set", "", "VIP"),
        ("alice", "set", "VIP", "VIP; lawyer"),
        ("alice", "remove", "VIP; lawyer", ""),
    ]


def _two_teammates(tmp_path: Path, clock: FakeClock) -> tuple[Store, Store, Workspace, Workspace]:
    data = tmp_path / "data"
    one, two = Store.open(data), Store.open(data)
    return (
        one,
        two,
        Workspace(one, actor="anna", sources={}, clock=clock),
        Workspace(two, actor="omar", sources={}, clock=clock),
    )


@pytest.mark.parametrize("start", ["", "VIP"])
@pytest.mark.parametrize("theirs", ["Lawyer involved", ""])
def test_two_teammates_editing_at_once_lose_neither_edit(
    tmp_path: Path, clock: FakeClock, start: str, theirs: str
) -> None:
    one, two, anna, omar = _two_teammates(tmp_path, clock)
    try:
        if start:
            asyncio.run(anna.notes.set(Platform.VK, ANNA, start, base=None))
            two.refresh().result(timeout=10)
        # Both open the note as it is now; anna saves first.
        seen_by_anna = anna.notes.get(Platform.VK, ANNA.id)
        seen_by_omar = omar.notes.get(Platform.VK, ANNA.id)
        if not start and not theirs:
            theirs = "Prefers English"  # an empty note over none is no edit
        kept = asyncio.run(anna.notes.set(Platform.VK, ANNA, theirs, base=seen_by_anna))

        with pytest.raises(NoteChanged) as caught:
            asyncio.run(omar.notes.set(Platform.VK, ANNA, "Calls back at 5", base=seen_by_omar))
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith("Note not saved: ")
        assert caught.value.current == kept
        assert omar.notes.get(Platform.VK, ANNA.id) == kept, "anna's edit stands"
        assert [e[:2] for e in _note_events(omar)] == [("anna", "set")] * (1 if start else 0) + [
            ("anna", "set" if theirs else "remove")
        ], "no audit event for the write that did not happen"

        # Written over what omar sees now, his text is saved.
        again = asyncio.run(
            omar.notes.set(Platform.VK, ANNA, "Calls back at 5", base=caught.value.current)
        )
        assert again is not None and again.text == "Calls back at 5"
        assert again.updated_by == "omar"
    finally:
        one.close()
        two.close()


def test_a_write_that_loses_the_race_after_the_check_leaves_no_audit_event(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A teammate's write landing between the check and the commit: the guard holds."""
    one, two, anna, omar = _two_teammates(tmp_path, clock)
    try:
        base = asyncio.run(anna.notes.set(Platform.VK, ANNA, "VIP", base=None))
        two.refresh().result(timeout=10)
        refresh = two.refresh

        def anna_writes_first() -> Future[Changed]:
            assert base is not None
            fields = {"text": "Lawyer", "updated_by": "anna"}
            one.commit(ChangeSet().patch(Collection.NOTES, base.id, fields))
            two.refresh = refresh  # type: ignore[method-assign]
            done: Future[Changed] = Future()
            done.set_result(Changed(ids={}))
            return done  # omar's store has not re-read yet: only the guard can tell

        two.refresh = anna_writes_first  # type: ignore[method-assign]
        with pytest.raises(NoteChanged) as caught:
            asyncio.run(omar.notes.set(Platform.VK, ANNA, "Calls back", base=base))
        current = caught.value.current
        assert isinstance(current, CustomerNote) and current.text == "Lawyer"
        assert [e[:3] for e in _note_events(omar)] == [("anna", "set", "")]
    finally:
        one.close()
        two.close()
