"""What triage set is shown where it is worked: tags, assignee, drafts, the view's title."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from smm_tui.config import demo_config
from smm_tui.core.models import Intent, Sentiment, Status
from smm_tui.screens.assign import AssignScreen
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.label import LabelScreen, TagScreen
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import Running, running, settle, wait_for

#: Enough of the demo backlog to scroll past a screenful.
BACKLOG = 100


def row_text(run: Running, mention_id: str) -> str:
    """The feed row of a mention as the terminal gets it (scrolled into view first)."""
    feed = run.app.screen.query_one(FeedList)
    row = run.feed.index_of(mention_id)
    assert row is not None
    feed.scroll_to_show(row)
    strip = feed.render_line(row - feed.scroll_offset.y)
    return "".join(segment.text for segment in strip)


def shown(run: Running, selector: str) -> str:
    return str(run.app.screen.query_one(selector, Static).render())


async def backlog(run: Running) -> None:
    """Wait for the demo's backlog to be listed, with the cursor on the first row."""
    feed = run.app.screen.query_one(FeedList)
    polled = lambda: all(h.last_success for h in run.app.account_health())  # noqa: E731
    await wait_for(run.pilot, polled, "every account's first poll")
    await wait_for(run.pilot, lambda: len(run.feed.ids) >= BACKLOG, "the backlog")
    await settle(run.pilot)
    await wait_for(run.pilot, lambda: len(feed.ids) == len(run.feed.ids), "the rows listed")
    await run.pilot.press("g")
    await wait_for(run.pilot, lambda: feed.current == run.feed.ids[0], "the first row")


async def open_on_top(run: Running, key: str, screen: type[Screen[Any]]) -> str:
    """Press ``key`` on the top row and wait for ``screen`` to open; the row's mention id."""
    target = run.feed.ids[0]
    await run.pilot.press(key)
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, screen), screen.__name__)
    return target


async def test_tags_show_in_the_row_preview_and_detail_and_reopen_to_edit(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        await backlog(run)
        target = await open_on_top(run, "number_sign", TagScreen)
        await pilot.press(*"vip refund", "enter")
        await wait_for(pilot, lambda: ws.ctx.mention(target).tags == ("vip", "refund"), "tags")
        await settle(pilot)
        assert "#vip+1" in row_text(run, target)
        assert "Tags #vip #refund" in shown(run, "#feed-preview")

        await pilot.press("number_sign")  # opens on the tags it has, to edit
        await wait_for(pilot, lambda: isinstance(run.app.screen, TagScreen), "the tag box")
        box = run.app.screen.query_one("#tag-input", Input)
        assert box.value == "vip refund "
        box.value = "refund urgent"  # vip deleted, urgent typed
        await pilot.press("enter")
        await wait_for(pilot, lambda: ws.ctx.mention(target).tags == ("refund", "urgent"), "edit")
        await settle(pilot)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(run.app.screen, MentionScreen), "the detail")
        await settle(pilot)
        assert "Tags #refund #urgent" in shown(run, "#detail-mention")


async def test_wide_rows_show_assignee_tone_and_tags_in_columns(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, size=(120, 30)) as run:
        pilot, ws = run.pilot, run.workspace
        await backlog(run)
        target = run.feed.ids[0]
        await ws.triage.tag([target], add=["vip"])
        await ws.triage.assign([target], "alice")
        await ws.triage.set_sentiment([target], Sentiment.NEGATIVE)
        await wait_for(pilot, lambda: "#vip" in row_text(run, target), "the row redrawn")
        row, other = row_text(run, target), row_text(run, run.feed.ids[1])
        # After mark, status, draft, time, network and handle: who, tone, tags, then the text.
        assert (row[29:39], row[39:43], row[43:59]) == (
            "@alice".ljust(10),
            "neg ",
            "#vip".ljust(16),
        )
        assert other[58] == " " and other[59] != " ", "the text starts in the same column"


async def test_a_new_query_or_view_starts_at_the_top(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot = run.pilot
        await backlog(run)
        feed = run.app.screen.query_one(FeedList)

        async def from_the_bottom(*keys: str) -> None:
            await pilot.press("G")
            assert feed.cursor > 20 and feed.scroll_offset.y > 0
            await pilot.press(*keys)
            await settle(pilot)
            await wait_for(pilot, lambda: feed.cursor == 0, f"top after {keys}")
            assert feed.scroll_offset.y == 0
            assert feed.current == run.feed.ids[0]

        await from_the_bottom("o")  # all, newest first
        await from_the_bottom("o")  # the queue again, most urgent first
        await from_the_bottom("slash", *"-platform:x", "enter")
        await from_the_bottom("escape")  # the query cleared
        await from_the_bottom("left_square_bracket")  # All
        await from_the_bottom("right_square_bracket")  # Queue


async def test_o_titles_what_is_shown(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        await backlog(run)
        assert shown(run, "#status-left").startswith("Queue")
        await run.pilot.press("o")
        await wait_for(run.pilot, lambda: shown(run, "#status-left").startswith("All"), "All")
        await run.pilot.press("o", "right_square_bracket", "o")  # Unassigned, then o
        await wait_for(
            run.pilot,
            lambda: shown(run, "#status-left").startswith("Unassigned · all"),
            "the view, with everything",
        )


async def open_composer(run: Running) -> str:
    await backlog(run)
    return await open_on_top(run, "r", ComposerScreen)


async def test_discarding_a_draft_asks_and_ctrl_l_does_not_discard(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        target = await open_composer(run)
        await pilot.press(*"half a thought")
        await pilot.press("ctrl+l")  # a terminal user clearing the screen
        await settle(pilot)
        assert isinstance(run.app.screen, ComposerScreen)
        assert run.app.screen.query_one(TextArea).text == "half a thought"

        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ComposerScreen), "back")
        assert run.app.screen.query_one(TextArea).text == "half a thought"

        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(run.app.screen, FeedScreen), "the feed")
        await settle(pilot)
        assert ws.outbox.draft(target) is None


async def test_a_row_with_a_draft_shows_a_pencil(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        target = await open_composer(run)
        await pilot.press(*"half a thought", "escape")
        await wait_for(pilot, lambda: isinstance(run.app.screen, FeedScreen), "the feed")
        await wait_for(pilot, lambda: row_text(run, target)[2] == "✎", "the draft marker")
        assert row_text(run, run.feed.ids[1])[2] == " "
        await ws.outbox.discard_draft(target)
        await wait_for(pilot, lambda: row_text(run, target)[2] == " ", "the marker gone")


async def assign(run: Running, *keys: str) -> None:
    await run.pilot.press("a")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, AssignScreen), "the picker")
    await run.pilot.press(*keys)
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, FeedScreen), "the feed")
    await settle(run.pilot)


async def test_a_assigns_to_me_a_teammate_or_nobody(tmp_path: Path, clock: FakeClock) -> None:
    config = dataclasses.replace(demo_config("alice"), users=("anna", "alice", "omar"))
    async with running(tmp_path / "data", clock, config=config) as run:
        ws = run.workspace
        await backlog(run)
        target = run.feed.ids[0]
        await assign(run, "enter")  # one key more: me
        assert ws.ctx.mention(target).assignee == "alice"
        await assign(run, "j", "enter")  # then the team in the config's order: anna
        assert ws.ctx.mention(target).assignee == "anna"
        assert "@anna" in row_text(run, target)
        assert "Assigned to anna" in shown(run, "#feed-preview")
        await assign(run, "j", "j", "enter")
        assert ws.ctx.mention(target).assignee == "omar"
        await assign(run, "u")
        assert ws.ctx.mention(target).assignee is None
        await assign(run, "m")
        assert ws.ctx.mention(target).assignee == "alice"

        marked = list(run.feed.ids[1:4])
        await run.pilot.press("j", "space", "space", "space")
        await assign(run, "k", "j", "enter")  # k stops at the top: j is anna
        assert all(ws.ctx.mention(m).assignee == "anna" for m in marked)
        assert not run.app.screen.query_one(FeedList).marked


async def test_label_sets_tone_and_intent_in_one_opening(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        await backlog(run)
        target = await open_on_top(run, "L", LabelScreen)
        await pilot.press("p", "c")
        await wait_for(pilot, lambda: isinstance(run.app.screen, FeedScreen), "closed")
        await settle(pilot)
        labelled = ws.ctx.mention(target)
        assert (labelled.sentiment, labelled.intent) == (Sentiment.POSITIVE, Intent.COMPLAINT)
        assert set(labelled.overridden) == {"sentiment", "intent"}


async def test_bulk_done_says_how_many_and_keeps_the_cursor(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        monkeypatch.setattr(run.app, "notify", lambda message, **_: said.append(message))
        await backlog(run)
        feed = run.app.screen.query_one(FeedList)
        rows = list(run.feed.ids[:6])
        await pilot.press("space", "space", "space")  # rows 0-2 marked, the cursor on row 3
        assert feed.current == rows[3]
        await pilot.press("d")
        await wait_for(pilot, lambda: ws.ctx.mention(rows[2]).status is Status.DONE, "done")
        await settle(pilot)
        assert "3 done" in said
        assert feed.current == rows[3], "the cursor stays on the unmarked mention it was on"

        await pilot.press("space", "space", "k")  # rows 3-4 marked, back on row 4 (marked)
        await pilot.press("d")
        await wait_for(pilot, lambda: ws.ctx.mention(rows[4]).status is Status.DONE, "done")
        await settle(pilot)
        assert "2 done" in said
        assert feed.current == rows[5], "on the next unmarked one"


async def test_a_ticket_for_one_mention_says_mention(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    async with running(tmp_path / "data", clock) as run:
        monkeypatch.setattr(run.app, "notify", lambda message, **_: said.append(message))
        await backlog(run)
        await run.pilot.press("t")
        await wait_for(run.pilot, lambda: any("Ticket T-" in s for s in said), "the ticket")
        assert any(" for 1 mention: " in s for s in said), said
        assert not any("(s)" in s for s in said)
