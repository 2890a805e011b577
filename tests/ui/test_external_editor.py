"""ctrl+e: the text goes through the user's editor and back, and a failed editor changes nothing.

The round trip runs a stand-in editor (a small Python script) through the same
step that runs a real one; a headless app cannot hand its terminal over, so the
screens' tests put a no-op in place of that hand-over.
"""

from __future__ import annotations

import contextlib
import shlex
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from textual.widgets import TextArea

import smm_tui.widgets.external_editor as external_editor
from smm_tui.core.models import Platform
from smm_tui.screens.post_editor import PostEditorScreen
from smm_tui.widgets.external_editor import (
    FALLBACK_EDITOR,
    SCISSORS,
    SCISSORS_NOTE,
    edit_text,
    editor_command,
)
from tests.conftest import FakeClock
from tests.ui.harness import notices, running, wait_for
from tests.ui.test_composer import open_composer_on

#: A stand-in editor: notes the file's name and mode, then rewrites it as an editor would
#: (with the newline editors add at the end).
FAKE_EDITOR = """
import os, pathlib, stat, sys
path = pathlib.Path(sys.argv[-1])
seen = pathlib.Path(os.environ["SEEN"])
seen.write_text(f"{path}\\n{stat.S_IMODE(path.stat().st_mode):o}\\n{path.read_text()}")
path.write_text("Edited: " + path.read_text() + "\\n")
"""
#: A stand-in editor the user quits without saving (``:cq``).
QUITTING_EDITOR = "import sys; sys.exit(3)"


def script(tmp_path: Path, body: str) -> str:
    """A command that runs ``body`` as an editor would be run."""
    path = tmp_path / "editor.py"
    path.write_text(body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"


def test_the_text_goes_through_the_editor_in_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.txt"
    monkeypatch.setenv("SEEN", str(seen))
    edited = edit_text("Привет, мир", environ={"VISUAL": script(tmp_path, FAKE_EDITOR)})
    assert edited.problem is None
    assert edited.text == "Edited: Привет, мир"  # the editor's final newline is taken off
    name, mode, content = seen.read_text().split("\n", 2)
    assert name.endswith(".md") and mode == "600"
    assert content == "Привет, мир"
    assert not Path(name).exists()  # deleted once read back


def test_visual_wins_then_editor_then_vi() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == (
        "$VISUAL",
        ["code", "--wait"],
    )
    assert editor_command({"EDITOR": "'my editor' -n"}) == ("$EDITOR", ["my editor", "-n"])
    assert editor_command({}) == (FALLBACK_EDITOR, [FALLBACK_EDITOR])


def test_the_run_step_is_replaceable(tmp_path: Path) -> None:
    ran: list[tuple[Sequence[str], str]] = []

    def fake_run(command: Sequence[str], path: Path) -> int:
        ran.append((command, stat.filemode(path.stat().st_mode)))
        path.write_text(path.read_text().upper())
        return 0

    edited = edit_text("draft", run=fake_run, environ={"EDITOR": "nano -w"})
    assert edited.text == "DRAFT"
    assert ran == [(["nano", "-w"], "-rw-------")]


def test_an_editor_that_exits_non_zero_leaves_the_text(tmp_path: Path) -> None:
    edited = edit_text("keep me", environ={"EDITOR": script(tmp_path, QUITTING_EDITOR)})
    assert edited.text == "keep me"
    assert edited.problem is not None and "exited with status 3" in edited.problem


def test_a_missing_editor_leaves_the_text_and_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    missing = str(tmp_path / "no-such-editor")
    edited = edit_text("keep me", environ={"VISUAL": missing})
    assert edited.text == "keep me"
    assert edited.problem is not None
    assert "Cannot start the editor" in edited.problem and "$VISUAL" in edited.problem
    unreadable = edit_text("keep me", environ={"EDITOR": '"unclosed'})
    assert unreadable.text == "keep me" and unreadable.problem is not None
    assert list(scratch.iterdir()) == []  # a failed round trip leaves no file behind


@contextlib.contextmanager
def handed_over(_app: object) -> Iterator[None]:
    yield


@pytest.fixture
def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in editor as $VISUAL, and a terminal hand-over a headless app can do."""
    monkeypatch.setenv("VISUAL", script(tmp_path, FAKE_EDITOR))
    monkeypatch.setenv("SEEN", str(tmp_path / "seen.txt"))
    monkeypatch.setattr(external_editor, "terminal_for_editor", handed_over)


@pytest.mark.usefixtures("fake_editor")
async def test_ctrl_e_in_the_composer_ignores_edits_above_the_scissors(
    tmp_path: Path, clock: FakeClock
) -> None:
    # The stand-in edits the file's first line: a quoted line of the thread (see
    # test_editor_thread.py for the reply itself going through the editor).
    seen = tmp_path / "seen.txt"
    async with running(tmp_path / "data", clock) as run:
        await open_composer_on(run, Platform.VK)
        await run.pilot.press(*"thanks")
        await run.pilot.press("ctrl+e")  # a focused TextArea's own ctrl+e is end-of-line
        area = run.app.screen.query_one(TextArea)
        await wait_for(run.pilot, seen.exists, "the editor ran")
        assert seen.read_text().endswith(f"\n{SCISSORS}\n{SCISSORS_NOTE}\nthanks")
        assert area.text == "thanks"
        assert area.has_focus


@pytest.mark.usefixtures("fake_editor")
async def test_ctrl_e_in_the_post_editor_edits_the_text_shown(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        run.app.push_screen(PostEditorScreen(accounts=("bank-x",)))
        await wait_for(run.pilot, lambda: isinstance(run.app.focused, TextArea), "the editor")
        editor = run.app.screen
        assert isinstance(editor, PostEditorScreen)
        await run.pilot.press(*"Sale", "ctrl+e")
        await wait_for(run.pilot, lambda: editor.draft().text == "Edited: Sale", "edited")


async def test_without_a_terminal_ctrl_e_says_so_and_keeps_the_text(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(tmp_path / "data", clock) as run:
        said = notices(run.app, monkeypatch)
        await open_composer_on(run, Platform.VK)
        await run.pilot.press(*"thanks", "ctrl+e")
        await wait_for(run.pilot, lambda: said, "a toast")
        assert said == [
            ("An external editor needs a real terminal; this one cannot hand over.", "error")
        ]
        assert run.app.screen.query_one(TextArea).text == "thanks"


@pytest.mark.usefixtures("fake_editor")
async def test_a_failing_editor_is_one_toast(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", script(tmp_path, QUITTING_EDITOR))
    async with running(tmp_path / "data", clock) as run:
        said = notices(run.app, monkeypatch)
        await open_composer_on(run, Platform.VK)
        await run.pilot.press(*"thanks", "ctrl+e")
        await wait_for(run.pilot, lambda: said, "a toast")
        assert len(said) == 1 and "exited with status 3" in said[0][0]
        assert said[0][1] == "error"
        assert run.app.screen.query_one(TextArea).text == "thanks"
