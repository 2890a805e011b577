"""Dialog hints name the keys as they are bound now: a remapped key is never misnamed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from smm_tui.config import demo_config
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.help import HelpScreen
from smm_tui.screens.label import LabelScreen
from tests.conftest import FakeClock
from tests.ui.harness import running, wait_for


def _shown(screen: Screen[Any], selector: str) -> str:
    """What the Label or Static ``selector`` of ``screen`` shows ("" until it is mounted)."""
    found = screen.query(selector)
    if not found:
        return ""
    visual = found.only_one(Static).render()
    assert isinstance(visual, Content)
    return visual.plain


REMAPPED = {"confirm.yes": "o", "confirm.no": "x", "help.close": "c", "label.apply": "a"}


@pytest.mark.parametrize(
    ("keymap", "confirm", "help_close", "label_apply"),
    [
        ({}, "y / ⏎: yes    n / esc: no", "esc closes.", "(⏎ applies one alone)"),
        (REMAPPED, "o: yes    x: no", "c closes.", "(a applies one alone)"),
    ],
)
async def test_dialog_hints_follow_the_keymap(
    tmp_path: Path,
    clock: FakeClock,
    keymap: dict[str, str],
    confirm: str,
    help_close: str,
    label_apply: str,
) -> None:
    config = dataclasses.replace(demo_config("alice"), keymap=keymap)
    async with running(tmp_path / "data", clock, config=config) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")

        answers: list[bool | None] = []
        app.push_screen(ConfirmScreen("Discard the draft?"), answers.append)
        await wait_for(pilot, lambda: _shown(app.screen, "#confirm-hint") != "", "the question")
        assert _shown(app.screen, "#confirm-hint") == confirm
        await pilot.press(confirm[0])  # the key the hint names for "yes"
        await wait_for(pilot, lambda: answers == [True], "answered yes with the named key")

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: _shown(app.screen, "#help-hint").endswith(help_close), "help")
        await pilot.press("c" if keymap else "escape")  # the key the hint names
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "help closed")

        await pilot.press("L")
        await wait_for(pilot, lambda: label_apply in _shown(app.screen, "#label-hint"), "labels")
        assert isinstance(app.screen, LabelScreen)
