"""Labelling by hand, in bulk: mark with space, L, one key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets import Input

from smm_tui.config import RuleConfig, demo_config
from smm_tui.core.models import Intent, Sentiment
from smm_tui.screens.label import LabelScreen, TagScreen
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock, make_mention
from tests.ui.harness import demo_backlog, running, settle, wait_for


async def test_marked_mentions_get_a_label_that_sticks(tmp_path: Path, clock: FakeClock) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        await pilot.press("g")
        first, second = run.feed.ids[0], run.feed.ids[1]
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
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        await pilot.press("g")
        rows = list(run.feed.ids[:4])
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
        assert set(ws.ctx.mention(run.feed.ids[4]).tags).isdisjoint({"refund", "urgent"})


async def test_a_rule_tag_with_a_space_stays_whole_when_tags_are_edited(
    tmp_path: Path, clock: FakeClock
) -> None:
    rule = RuleConfig("newcomers", '"first time"', ("new customer",), None, None, False, 0)
    config = dataclasses.replace(demo_config("anna"), rules=(rule,))
    async with running(tmp_path / "data", clock, config=config, poll=False) as run:
        pilot, ws = run.pilot, run.workspace
        mention = make_mention(
            1, text="first time here, how do I order a card?", created_at=clock()
        )
        await ws.ingest.ingest([mention])
        assert ws.ctx.mention(mention.id).tags == ("new customer",)
        await wait_for(pilot, lambda: run.feed.index_of(mention.id) is not None, "in the feed")
        await pilot.press("g", *["j"] * (run.feed.index_of(mention.id) or 0), "number_sign")
        await wait_for(pilot, lambda: isinstance(run.app.screen, TagScreen), "the tag box")
        box = run.app.screen.query_one("#tag-input", Input)
        assert box.value == '"new customer" '
        await pilot.press("end", *"vip", "enter")
        await wait_for(pilot, lambda: "vip" in ws.ctx.mention(mention.id).tags, "vip added")
        await settle(pilot)
        assert ws.ctx.mention(mention.id).tags == ("new customer", "vip")
