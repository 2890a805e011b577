"""The queue by time left, with an injected clock: order, countdown and the overdue mark."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from smm_tui.config import demo_config
from smm_tui.core.models import Platform
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import running, wait_for


def row_text(feed: FeedList, index: int) -> str:
    return feed.render_line(index).text


async def test_the_queue_runs_by_time_left_and_marks_the_overdue(
    tmp_path: Path, clock: FakeClock
) -> None:
    config = demo_config("anna")
    fast = dataclasses.replace(config.accounts[4], sla_minutes=2.0)  # bank-x answers in 2 min
    config = dataclasses.replace(config, accounts=(*config.accounts[:4], fast))
    async with running(tmp_path / "data", clock, config=config, poll=False) as run:
        ws = run.workspace
        older_vk = make_mention(1, created_at=T0 - timedelta(minutes=4))
        newer_x = dataclasses.replace(
            make_mention(2, created_at=T0 - timedelta(minutes=1)),
            platform=Platform.X,
            account="bank-x",
        )
        newest_vk = make_mention(3, created_at=T0)
        await ws.ingest.ingest([newest_vk, older_vk, newer_x])
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 3, "the mentions")
        # bank-x is due at T0+1m, the older VK one at T0+6m, the newest at T0+10m.
        assert list(run.feed.ids) == [newer_x.id, older_vk.id, newest_vk.id]
        feed = run.app.screen.query_one(FeedList)
        assert "⚠  1m" in row_text(feed, 0)
        assert "   6m" in row_text(feed, 1)

        clock.advance(7 * 60)
        feed.refresh()
        await run.pilot.pause()
        assert "‼ -6m" in row_text(feed, 0)
        assert "‼ -1m" in row_text(feed, 1)
        assert "⚠  3m" in row_text(feed, 2)


async def test_the_breaching_view_fills_as_time_passes(tmp_path: Path, clock: FakeClock) -> None:
    from smm_tui.screens.feed import FeedScreen

    async with running(tmp_path / "data", clock, poll=False) as run:
        ws = run.workspace
        mention = make_mention(1, created_at=T0)
        await ws.ingest.ingest([mention])
        await run.pilot.press("right_square_bracket", "right_square_bracket")  # Breaching
        await wait_for(run.pilot, lambda: "is:breaching" in run.feed.filter.text, "the view")
        assert len(run.feed.ids) == 0
        clock.advance(11 * 60)
        screen = run.app.screen
        assert isinstance(screen, FeedScreen)
        screen.tick()  # what the clock interval calls every few seconds
        await wait_for(run.pilot, lambda: list(run.feed.ids) == [mention.id], "now breaching")
