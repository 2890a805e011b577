"""SVG snapshots of a campaign's view (figures, cost figures, charts) at 80x24 and 60x20,
and of the report's charts, from fixed data and a fixed clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from smm_tui.app import SmmApp
from tests.conftest import FakeClock
from tests.ui.harness import Running, make_app
from tests.ui.test_campaigns import enter_campaign, open_campaigns, seed_campaign
from tests.ui.test_report_charts import open_report, seed

SIZES = {"80x24": (80, 24), "60x20": (60, 20)}
Snap = Callable[..., bool]


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", clock, poll=False)
    yield built
    close()


def with_run(
    step: Callable[[Running], Awaitable[object]],
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, SmmApp)
        await step(Running(app, pilot, app.workspace))
        await pilot.pause()

    return run_before


async def campaign_charts(run: Running) -> None:
    await seed_campaign(run)
    await open_campaigns(run)
    await enter_campaign(run)
    # Down past the figures to the charts.
    run.app.screen.query_one("#campaign-charts").scroll_visible(animate=False, top=True)


async def report_charts(run: Running) -> None:
    await seed(run)
    panel = await open_report(run)
    panel.scroll_visible(animate=False, top=True)


async def campaign_figures(run: Running) -> None:
    await seed_campaign(run)
    await open_campaigns(run)
    await enter_campaign(run)


@pytest.mark.parametrize("size", SIZES)
def test_campaign_figures(snap_compare: Snap, app: SmmApp, size: str) -> None:
    assert snap_compare(app, terminal_size=SIZES[size], run_before=with_run(campaign_figures))


@pytest.mark.parametrize("size", SIZES)
def test_campaign_charts(snap_compare: Snap, app: SmmApp, size: str) -> None:
    assert snap_compare(app, terminal_size=SIZES[size], run_before=with_run(campaign_charts))


@pytest.mark.parametrize("size", SIZES)
def test_report_charts(snap_compare: Snap, app: SmmApp, size: str) -> None:
    assert snap_compare(app, terminal_size=SIZES[size], run_before=with_run(report_charts))
