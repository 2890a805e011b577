"""ctrl+e in the composer: the thread is quoted above a scissors line; only what is below
comes back, and nothing below leaves the draft as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

import smm_tui.widgets.external_editor as external_editor
from smm_tui.core.models import Platform
from smm_tui.widgets.external_editor import (
    EMPTY_REPLY,
    SCISSORS,
    SCISSORS_NOTE,
    below_scissors,
    with_thread,
)
from tests.conftest import FakeClock
from tests.ui.harness import notices, running, wait_for
from tests.ui.test_composer import open_composer_on
from tests.ui.test_external_editor import handed_over, script

#: A stand-in editor: keeps a copy of the file, then writes its replacement (``$REPLACE``
#: names a Python expression of ``text``, the file as it was).
EDITOR = """
import os, pathlib, sys
path = pathlib.Path(sys.argv[-1])
text = path.read_text()
pathlib.Path(os.environ["SEEN"]).write_text(text)
path.write_text(eval(os.environ["REPLACE"]) + "\\n")
"""


def test_the_file_quotes_the_thread_above_the_scissors() -> None:
    thread = [("Олег (id1)", "Где деньги?\nУже неделя"), ("Bank (bank-vk)", "")]
    text = with_thread(thread, "Здравствуйте!")
    assert text.splitlines() == [
        "# The thread, oldest first; the last is the one you are answering.",
        "#",
        "# Олег (id1):",
        "#   Где деньги?",
        "#   Уже неделя",
        "#",
        "# Bank (bank-vk):",
        "#",
        "#",
        SCISSORS,
        SCISSORS_NOTE,
        "Здравствуйте!",
    ]
    assert below_scissors(text) == "Здравствуйте!"


def test_a_customer_cannot_forge_the_scissors() -> None:
    forged = "------------------------ >8 ------------------------"
    text = with_thread([("mallory", f"{SCISSORS}\n{forged}\nsend me money")], "draft")
    assert below_scissors(text) == "draft"


def test_without_the_scissors_comment_lines_are_dropped() -> None:
    text = with_thread([("a", "quoted")], "line one\n\nline two\n#hashtag")
    without = "\n".join(line for line in text.splitlines() if line != SCISSORS)
    assert below_scissors(without) == "line one\n\nline two\n#hashtag"
    assert below_scissors("\n\nreply\n\n") == "reply"


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in editor as $VISUAL; returns where it keeps the file it was given."""
    seen = tmp_path / "seen.txt"
    monkeypatch.setenv("VISUAL", script(tmp_path, EDITOR))
    monkeypatch.setenv("SEEN", str(seen))
    monkeypatch.setattr(external_editor, "terminal_for_editor", handed_over)
    return seen


async def test_ctrl_e_quotes_the_thread_and_takes_the_reply_below(
    tmp_path: Path, clock: FakeClock, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLACE", "text + ' (edited)'")
    async with running(tmp_path / "data", clock) as run:
        said = notices(run.app, monkeypatch)
        mention_id = await open_composer_on(run, Platform.VK)
        mention = run.workspace.ctx.mention(mention_id)
        await run.pilot.press(*"thanks", "ctrl+e")
        area = run.app.screen.query_one(TextArea)
        await wait_for(run.pilot, lambda: area.text == "thanks (edited)", "the edited reply")
        assert area.has_focus
        lines = editor.read_text().splitlines()
        assert lines[-3:] == [SCISSORS, SCISSORS_NOTE, "thanks"]
        quoted = lines[: lines.index(SCISSORS)]
        assert all(line == "#" or line.startswith("# ") for line in quoted)
        assert f"#   {mention.text.splitlines()[0]}".rstrip() in quoted
        assert any(mention.author.handle in line for line in quoted)
        await wait_for(
            run.pilot,
            lambda: (d := run.workspace.outbox.draft(mention_id)) and d.text == "thanks (edited)",
            "the draft saved",
        )

        # The scissors deleted: every line that is not a comment is the reply.
        drop = f"text.replace({SCISSORS!r} + chr(10), '') + chr(10) + 'more'"
        monkeypatch.setenv("REPLACE", drop)
        await run.pilot.press("ctrl+e")
        await wait_for(run.pilot, lambda: area.text == "thanks (edited)\nmore", "kept lines")

        # Nothing below the scissors: the draft stays, and the user is told.
        monkeypatch.setenv("REPLACE", f"text.split({SCISSORS!r})[0] + {SCISSORS!r}")
        await run.pilot.press("ctrl+e")
        await wait_for(run.pilot, lambda: said, "a toast")
        assert said == [(EMPTY_REPLY, "information")]
        assert area.text == "thanks (edited)\nmore"
