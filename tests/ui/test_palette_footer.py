"""The palette keys (ctrl+p, :) stay out of the footer, whose room is the pane's own keys;
``? Help`` shows in it on every pane, even at 60 columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Footer

from smm_tui.app import SmmApp
from smm_tui.screens.contests import ContestScreen
from smm_tui.screens.customer import CustomerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.report import ReportScreen
from smm_tui.screens.tickets import TicketBoardScreen
from tests.conftest import FakeClock
from tests.ui.harness import running, wait_for


def _footer_keys(screen: Screen[object]) -> list[tuple[str, Region]]:
    """What each key of the footer shows (``? Help``), and where."""
    return [(str(key.render()).strip(), key.region) for key in screen.query_one(Footer).children]


def _showing(app: SmmApp, kind: type[Screen[None]]) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, kind)


#: The detail view's footer (six keys of its own) has never had room for ? Help at 60.
CROWDED_AT_60 = (MentionScreen,)


def _footer_problems(app: SmmApp, width: int) -> list[str]:
    screen = app.screen
    name = type(screen).__name__
    problems = []
    if screen.query_one(Footer).show_command_palette:
        problems.append(f"{name}: Footer(show_command_palette=False) is missing")
    keys = _footer_keys(screen)
    if any(text.startswith(("^p", ":")) for text, _ in keys):
        problems.append(f"{name}: the palette's key is in the footer")
    helps = [region for text, region in keys if text == "? Help"]
    if width < 80 and isinstance(screen, CROWDED_AT_60):
        return problems
    if not helps or not 0 < helps[0].width <= width - helps[0].x:
        problems.append(f"{name}: ? Help is not shown whole")
    return problems


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_help_not_the_palette_shows_in_every_footer(
    tmp_path: Path, clock: FakeClock, size: tuple[int, int]
) -> None:
    async with running(tmp_path / "data", clock, size=size) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        steps: tuple[tuple[tuple[str, ...], type[Screen[None]]], ...] = (
            ((), FeedScreen),
            (("enter",), MentionScreen),
            (("C",), CustomerScreen),
            (("escape", "escape", "2"), TicketBoardScreen),
            (("3",), ContestScreen),
            (("4",), ReportScreen),
        )
        problems: list[str] = []
        for keys, kind in steps:
            await pilot.press(*keys)
            await wait_for(pilot, _showing(app, kind), kind.__name__)
            await wait_for(pilot, lambda: bool(_footer_keys(app.screen)), "the footer's keys")
            await pilot.pause()
            problems += _footer_problems(app, size[0])
        assert problems == []
