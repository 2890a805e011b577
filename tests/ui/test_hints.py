"""Hints, buttons and toasts name the keys as they are bound now: a remapped key is never
misnamed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Static

from smm_tui.config import demo_config
from smm_tui.core.models import Reply, ReplyState
from smm_tui.messages import ReplySettled
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.contests import ContestScreen, NewContestScreen
from smm_tui.screens.help import HelpScreen
from smm_tui.screens.label import LabelScreen
from smm_tui.screens.tickets import TicketBoardScreen, TicketEditScreen
from tests.conftest import FakeClock
from tests.ui.harness import notices, running, settle, wait_for


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


#: Every other binding a button, a hint or a toast names, remapped.
ELSEWHERE = {
    "ticket_edit.save": "f5",
    "ticket_edit.cancel": "f6",
    "new_contest.create": "f7",
    "new_contest.cancel": "f8",
    "contests.new": "N",
    "feed.contest": "K",
    "detail.retry": "Z",
    "feed.visual": "v",
    "app.tickets": "9",
}


def _buttons(screen: Screen[Any]) -> list[str]:
    return [Content.from_text(button.label).plain for button in screen.query(Button)]


def _key(shown: str) -> str:
    """The key to press for a key as hints show it."""
    return {"esc": "escape"}.get(shown, shown)


@pytest.mark.parametrize(
    ("keymap", "keys"),
    [
        (
            {},
            {
                "ticket_edit.save": "^s",
                "ticket_edit.cancel": "esc",
                "new_contest.create": "^s",
                "new_contest.cancel": "esc",
                "contests.new": "n",
                "feed.contest": "c",
                "detail.retry": "R",
                "feed.visual": "V",
                "app.tickets": "2",
            },
        ),
        (ELSEWHERE, ELSEWHERE),
    ],
    ids=["default", "remapped"],
)
async def test_buttons_hints_and_toasts_name_the_live_keys(
    tmp_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    keymap: dict[str, str],
    keys: dict[str, str],
) -> None:
    config = dataclasses.replace(demo_config("alice"), keymap=keymap)
    async with running(tmp_path / "data", clock, config=config) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        said = notices(app, monkeypatch)

        await pilot.press(keys["feed.visual"])
        await wait_for(pilot, lambda: said, "the range started")
        assert f"then {keys['feed.visual']} again" in said[-1][0]
        await pilot.press(keys["feed.visual"], "escape")

        mention = run.feed.mention(run.feed.ids[0])
        assert mention is not None
        failed = Reply(
            id="r-failed",
            mention_id=mention.id,
            platform=mention.platform,
            account=mention.account,
            text="Refunded",
            author="alice",
            created_at=clock(),
            state=ReplyState.FAILED,
            error="timed out",
        )
        app.post_message(ReplySettled(failed))
        await wait_for(pilot, lambda: "Reply failed" in said[-1][0], "the failure toast")
        assert f"press {keys['detail.retry']} to retry" in said[-1][0]

        await pilot.press("g", "t")
        await wait_for(pilot, lambda: "Ticket T-" in said[-1][0], "the ticket toast")
        assert said[-1][0].endswith(f"({keys['app.tickets']}: board)")

        await app.switch_mode("tickets")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketBoardScreen), "the board")
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditScreen), "the ticket")
        save, cancel = keys["ticket_edit.save"], keys["ticket_edit.cancel"]
        assert _buttons(app.screen) == [f"Save ({save})", f"Cancel ({cancel})"]
        await pilot.press(_key(cancel))
        await wait_for(pilot, lambda: isinstance(app.screen, TicketBoardScreen), "edit closed")

        await app.switch_mode("contests")
        await wait_for(pilot, lambda: _shown(app.screen, "#contest-info") != "", "no contests")
        assert _shown(app.screen, "#contest-info") == (
            f"No contests yet. Press {keys['contests.new']} to start one on a post, "
            f"or {keys['feed.contest']} on a comment in the feed."
        )
        await pilot.press(keys["contests.new"])
        await wait_for(pilot, lambda: isinstance(app.screen, NewContestScreen), "new contest")
        create, cancel = keys["new_contest.create"], keys["new_contest.cancel"]
        assert _buttons(app.screen) == [f"Create ({create})", f"Cancel ({cancel})"]
        await pilot.press(_key(cancel))
        await wait_for(pilot, lambda: isinstance(app.screen, ContestScreen), "dialog closed")
