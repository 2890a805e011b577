"""Labelling by hand, in bulk: mark with space, L, one key."""

from __future__ import annotations

from pathlib import Path

from smm_tui.core.models import Intent, Sentiment
from smm_tui.screens.label import LabelScreen, TagScreen
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import running, settle, wait_for


async def test_marked_mentions_get_a_label_that_sticks(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        await wait_for(pilot, lambda: len(ws.feed.ids) >= 140, "the whole backlog")
        await pilot.press("g")
        first, second = ws.feed.ids[0], ws.feed.ids[1]
        await pilot.press("space", "space", "L")
        await wait_for(pilot, lambda: isinstance(run.app.screen, LabelScreen), "the picker")
        await pilot.press("n", "enter")  # the tone alone
        await wait_for(
            pilot,
            lambda: all(ws.ctx.mention(i).sentiment is Sentiment.NEGATIVE for i in (first, second)),
            "both negative",
        )
        await settle(pilot)
        assert all("sentiment" in ws.ctx.mention(i).overridden for i in (first, second))

        under_cursor = run.app.screen.query_one(FeedList).current
        assert under_cursor is not None
        await pilot.press("L", "s", "enter")  # no marks left: the mention under the cursor
        await settle(pilot)
        spam = [i for i in (first, second, under_cursor) if ws.ctx.mention(i).intent is Intent.SPAM]
        assert spam == [under_cursor]


async def test_a_visual_range_then_tags_for_all_of_it(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        await wait_for(pilot, lambda: len(ws.feed.ids) >= 140, "the whole backlog")
        await pilot.press("g")
        rows = list(ws.feed.ids[:4])
        await pilot.press("V", "j", "j", "j", "V")
        feed = run.app.screen.query_one(FeedList)
        assert feed.marked == set(rows)
        await pilot.press("number_sign")
        await wait_for(pilot, lambda: isinstance(run.app.screen, TagScreen), "the tag box")
        await pilot.press(*"refund urgent", "enter")
        await wait_for(
            pilot,
            lambda: all({"refund", "urgent"} <= set(ws.ctx.mention(i).tags) for i in rows),
            "tags on all four",
        )
        await settle(pilot)
        assert not feed.marked, "marks are used up by the action"
        assert set(ws.ctx.mention(ws.feed.ids[4]).tags).isdisjoint({"refund", "urgent"})
