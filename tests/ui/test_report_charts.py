"""The report pane's charts: plots at 80x24, sparklines when narrow, tables with ``t``; and
plotext is never paid for at start-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from smm_tui.core.models import Sentiment
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import FollowerReading
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.screens.report import ReportScreen
from smm_tui.widgets.chart import ChartPanel
from tests.conftest import T0, FakeClock, make_mention
from tests.test_import_hygiene import loaded_after
from tests.ui.harness import Running, running, wait_for

PLOTTING = ("plotext", "textual_plotext")


def test_the_app_starts_without_importing_plotext() -> None:
    after = loaded_after("import smm_tui.app", PLOTTING)
    assert after["loaded"] == []


async def seed(run: Running) -> None:
    """Three days of mentions, some answered, and follower readings."""
    ws = run.workspace
    mentions = [
        make_mention(
            n,
            created_at=T0 - timedelta(days=n % 3, minutes=n),
            sentiment=(Sentiment.NEGATIVE, Sentiment.POSITIVE, Sentiment.NEUTRAL)[n % 3],
            first_response_at=T0 - timedelta(days=n % 3) + timedelta(minutes=5 * n),
        )
        for n in range(1, 10)
    ]
    await ws.ingest.ingest(mentions)
    changes = ChangeSet()
    for day, count in ((3, 900), (2, 950), (1, 990)):
        reading = FollowerReading("bank-vk", Platform.VK, T0 - timedelta(days=day), count)
        changes.put(Collection.FOLLOWERS, reading.to_record())
    await ws.ctx.commit(changes)


async def open_report(run: Running) -> ChartPanel:
    await run.pilot.press("4")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, ReportScreen), "the report")
    panel = run.app.screen.query_one(ChartPanel)
    await wait_for(run.pilot, lambda: len(panel.children) > 0, "the charts")
    return panel


def texts(panel: ChartPanel) -> str:
    return "\n".join(str(w.render()) for w in panel.query(Static))


async def test_charts_are_plots_at_80x24_and_t_makes_them_tables(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        await seed(run)
        panel = await open_report(run)
        plots = [w for w in panel.children if type(w).__name__ == "PlotextPlot"]
        assert panel.mode == "plot" and len(plots) >= 3
        # No published post in the period: it says so in words, not as a line at zero.
        assert "No posts published in this period." in texts(panel)
        await run.pilot.press("t")
        await wait_for(run.pilot, lambda: panel.mode == "table", "the tables")
        shown = texts(panel)
        assert "when" in shown and "negative" in shown and "bank-vk" in shown
        assert not [w for w in panel.children if type(w).__name__ == "PlotextPlot"]
        await run.pilot.press("t")
        await wait_for(run.pilot, lambda: panel.mode == "plot", "the plots again")


async def test_narrow_charts_are_sparklines_with_their_lowest_and_highest(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False, size=(60, 20)) as run:
        await seed(run)
        panel = await open_report(run)
        assert panel.mode == "spark"
        shown = texts(panel)
        followers = next(line for line in shown.split("\n") if "bank-vk" in line)
        assert followers.split()[-1] == "990" and "900" in followers
        assert max(len(line) for line in shown.split("\n")) <= 60
