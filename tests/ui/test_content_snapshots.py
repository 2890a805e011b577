"""SVG snapshots of the Content pane over the planned week: the calendar and the list at 80x24,
and the calendar at 60x20 (fewer days, never narrower ones)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from smm_tui.app import SmmApp
from smm_tui.screens.content import ContentScreen
from tests.conftest import FakeClock
from tests.ui.harness import make_app, settle, wait_for
from tests.ui.test_content_kit import PublishingDemo, as_sources, plan_week, publishing_sources

Snap = Callable[..., bool]


@pytest.fixture
def sources(clock: FakeClock) -> dict[str, PublishingDemo]:
    return publishing_sources(clock)


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock, sources: dict[str, PublishingDemo]) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", clock, poll=False, sources=as_sources(sources))
    yield built
    close()


def on_the_pane(
    clock: FakeClock, sources: dict[str, PublishingDemo], *keys: str
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, SmmApp)
        await plan_week(app.workspace, clock, sources)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, ContentScreen), "the Content pane")
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_content_calendar(
    snap_compare: Snap, app: SmmApp, clock: FakeClock, sources: dict[str, PublishingDemo]
) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=on_the_pane(clock, sources))


def test_content_list(
    snap_compare: Snap, app: SmmApp, clock: FakeClock, sources: dict[str, PublishingDemo]
) -> None:
    run_before = on_the_pane(clock, sources, "v")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_content_calendar_narrow(
    snap_compare: Snap, app: SmmApp, clock: FakeClock, sources: dict[str, PublishingDemo]
) -> None:
    assert snap_compare(app, terminal_size=(60, 20), run_before=on_the_pane(clock, sources))
