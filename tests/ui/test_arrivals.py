"""Mentions that land out of sight are announced in the status line until seen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from smm_tui.widgets.feed_list import FeedList
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import Running, running, wait_for


def status_text(run: Running) -> str:
    return str(run.app.screen.query_one("#status-left", Static).content)


async def queue_of(run: Running, count: int) -> FeedList:
    """``count`` open mentions, a minute apart, and the feed showing them."""
    ws = run.workspace
    await ws.ingest.ingest(
        [make_mention(n, created_at=T0 - timedelta(minutes=count - n)) for n in range(count)]
    )
    await wait_for(run.pilot, lambda: len(run.feed.ids) == count, "the queue")
    return run.app.screen.query_one(FeedList)


async def test_an_arrival_below_the_screen_shows_until_scrolled_to(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        feed = await queue_of(run, 40)
        await run.pilot.press("j", "j", "j")
        assert "arrived" not in status_text(run)

        newest = make_mention(100, created_at=T0)  # due last: it lands at the bottom
        await run.workspace.ingest.ingest([newest])
        await wait_for(run.pilot, lambda: "↓ 1 arrived" in status_text(run), "the arrival")
        assert run.feed.index_of(newest.id) not in feed.rows_in_view()

        await run.pilot.press("G")
        await wait_for(run.pilot, lambda: "arrived" not in status_text(run), "it was seen")
        assert feed.current == newest.id


async def test_going_back_to_the_top_clears_the_arrivals(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        await queue_of(run, 40)
        await run.pilot.press("j")
        await run.workspace.ingest.ingest([make_mention(n, created_at=T0) for n in (100, 101)])
        await wait_for(run.pilot, lambda: "↓ 2 arrived" in status_text(run), "the arrivals")

        await run.pilot.press("g")
        await wait_for(run.pilot, lambda: "arrived" not in status_text(run), "cleared at the top")


async def test_nothing_is_announced_while_reading_at_the_top(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        feed = await queue_of(run, 40)
        newest = make_mention(100, created_at=T0)
        await run.workspace.ingest.ingest([newest])
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 41, "the arrival")
        await run.pilot.pause()
        assert feed.cursor == 0
        assert "arrived" not in status_text(run)
