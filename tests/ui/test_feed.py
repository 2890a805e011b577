"""The feed's cursor stays on the mention the manager is reading, whatever arrives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static

from smm_tui.core.models import Status
from smm_tui.core.workspace import Workspace
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import demo_backlog, settle, wait_for


def is_done(ws: Workspace, mention_id: str) -> Callable[[], bool]:
    """A wait condition: the mention is marked done."""
    return lambda: ws.ctx.mention(mention_id).status is Status.DONE


async def test_new_arrivals_do_not_move_the_selection(tmp_path: Path, clock: FakeClock) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot = run.pilot
        await pilot.press("g", "j", "j", "j")
        feed = run.app.screen.query_one(FeedList)
        reading = feed.current
        assert reading is not None
        before = len(run.feed.ids)
        clock.advance(15 * 60)  # the demo streams new mentions in
        await wait_for(pilot, lambda: len(run.feed.ids) > before, "new mentions")
        await pilot.pause()
        assert feed.current == reading
        assert feed.cursor == run.feed.index_of(reading) == 3, "newer ones are due later"


async def test_done_and_next_lands_on_the_row_below(tmp_path: Path, clock: FakeClock) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        await pilot.press("g", "j", "j")
        feed = run.app.screen.query_one(FeedList)
        rows = list(run.feed.ids[:6])
        for expected_next in rows[3:6]:
            closing = feed.current
            assert closing is not None
            await pilot.press("d")
            await wait_for(pilot, is_done(ws, closing), "done")
            await settle(pilot)
            assert feed.current == expected_next
        assert list(run.feed.ids[:2]) == rows[:2]


async def test_done_and_next_in_all_scope_moves_down(tmp_path: Path, clock: FakeClock) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        await pilot.press("o", "g")
        feed = run.app.screen.query_one(FeedList)
        rows = list(run.feed.ids[:3])
        await pilot.press("d")
        await wait_for(pilot, lambda: ws.ctx.mention(rows[0]).status is Status.DONE, "done")
        await settle(pilot)
        assert feed.current == rows[1] and feed.cursor == 1


async def test_bulk_marks_apply_to_every_marked_mention(tmp_path: Path, clock: FakeClock) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        await pilot.press("g")
        marked = list(run.feed.ids[:3])
        await pilot.press("space", "space", "space", "t")
        await wait_for(pilot, lambda: all(ws.ctx.mention(m).ticket_id for m in marked), "ticket")
        (ticket,) = ws.tickets.all()
        assert set(ticket.mention_ids) == set(marked)
        assert all(ws.ctx.mention(m).status is Status.TICKETED for m in marked)


async def test_a_bad_query_says_where_and_a_good_one_filters(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        everything = len(run.feed.ids)
        await pilot.press("slash")
        box = run.app.screen.query_one("#feed-filter", Input)
        box.value = "platfrom:vk"  # at once: no half-typed (valid) prefix gets applied
        await pilot.press("enter")
        error = run.app.screen.query_one("#feed-filter-error", Static)
        await wait_for(pilot, lambda: error.display, "the error")
        assert "unknown field 'platfrom' at 0 (did you mean 'platform'?)" in str(error.render())
        assert len(run.feed.ids) == everything, "a bad query changes nothing"

        box.value = "platform:vk -sentiment:pos"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not error.display, "the error gone")
        assert 0 < len(run.feed.ids) < everything
        assert all(ws.ctx.mention(i).platform.value == "vk" for i in run.feed.ids)


async def test_saved_views_switch_with_brackets_and_count_live(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with demo_backlog(tmp_path, clock) as run:
        pilot, ws = run.pilot, run.workspace
        views = run.app.screen.query_one("#feed-views", Static)
        await pilot.press("g", "a", "enter")  # assign the top mention to me
        await wait_for(pilot, lambda: "Mine 1" in str(views.render()), "the live count")
        # Queue → Unassigned → Breaching → Negative → Mine
        await pilot.press(*["right_square_bracket"] * 4)
        await wait_for(pilot, lambda: len(run.feed.ids) == 1, "only mine")
        assert ws.ctx.mention(run.feed.ids[0]).assignee == ws.actor
        await pilot.press(*["left_square_bracket"] * 3)  # back to Unassigned
        await wait_for(pilot, lambda: len(run.feed.ids) > 1, "the unassigned")
        assert all(ws.ctx.mention(i).assignee is None for i in run.feed.ids)


async def test_o_holds_while_the_query_changes_and_a_view_brings_its_own_scope(
    tmp_path: Path, clock: FakeClock
) -> None:
    from smm_tui.core.feed import FeedScope

    async with demo_backlog(tmp_path, clock) as run:
        pilot = run.pilot
        await pilot.press("o")
        assert run.feed.filter.scope is FeedScope.ALL
        await pilot.press("slash")
        run.app.screen.query_one("#feed-filter", Input).value = "card"
        await pilot.press("enter")
        await wait_for(pilot, lambda: run.feed.filter.text == "card", "the query")
        assert run.feed.filter.scope is FeedScope.ALL
        await pilot.press("right_square_bracket")  # Unassigned: the open queue again
        await wait_for(pilot, lambda: run.feed.filter.scope is FeedScope.OPEN, "the view's scope")
