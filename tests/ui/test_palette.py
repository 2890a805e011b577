"""ctrl+p (as well as :) opens the command palette on every pane and in the composer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from textual.app import App
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen

from smm_tui.app import SmmApp
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.contests import ContestScreen
from smm_tui.screens.customer import CustomerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.report import ReportScreen
from smm_tui.screens.tickets import TicketBoardScreen
from tests.conftest import FakeClock
from tests.ui.harness import running, wait_for


def _showing(app: SmmApp, kind: type[Screen[None]]) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, kind)


async def _palette_opens(pilot: Pilot[None], app: SmmApp, key: str, where: str) -> None:
    below = app.screen
    await pilot.press(key)
    await wait_for(
        pilot, lambda: CommandPalette.is_open(cast(App[object], app)), f"{key} palette on {where}"
    )
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is below, f"palette closed on {where}")


@pytest.mark.parametrize("key", ["ctrl+p", "colon"])
async def test_palette_key_works_on_every_pane(tmp_path: Path, clock: FakeClock, key: str) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        await _palette_opens(pilot, app, key, "the feed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MentionScreen), "the detail view")
        await _palette_opens(pilot, app, key, "the detail view")
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerScreen), "the customer")
        await _palette_opens(pilot, app, key, "the customer view")
        await pilot.press("escape", "escape")
        panes: tuple[tuple[str, type[Screen[None]]], ...] = (
            ("2", TicketBoardScreen),
            ("3", ContestScreen),
            ("4", ReportScreen),
        )
        for pane, kind in panes:
            await pilot.press(pane)
            await wait_for(pilot, _showing(app, kind), pane)
            await _palette_opens(pilot, app, key, kind.__name__)


async def test_ctrl_p_opens_the_palette_from_the_composer(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen), "the composer")
        await pilot.press(*"Hi: ok")
        await _palette_opens(pilot, app, "ctrl+p", "the composer")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        assert composer.text == "Hi: ok", "colon is text in the composer, not the palette"
