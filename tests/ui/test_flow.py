"""The whole day in one test: triage, reply, ticket to Resolved, contest draw; then reopen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smm_tui.core.models import (
    Contest,
    ContestState,
    Mention,
    Reply,
    ReplyState,
    Status,
    Ticket,
    TicketColumn,
)
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.contests import ContestScreen, NewContestScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.tickets import TicketBoardScreen
from smm_tui.store.store import Store
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import Running, running, wait_for


def current_mention(run: Running) -> Mention:
    mention_id = run.app.screen.query_one(FeedList).current
    assert mention_id is not None
    return run.workspace.ctx.mention(mention_id)


def ticket_in(ws: Workspace, ticket_id: str, column: TicketColumn) -> Callable[[], bool]:
    """A wait condition: the ticket has reached ``column``."""
    return lambda: ws.tickets.get(ticket_id).column is column


async def test_a_day_of_work_by_keyboard_survives_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "data"
    async with running(data_dir, clock) as run:
        pilot, ws = run.pilot, run.workspace
        await wait_for(pilot, lambda: len(run.feed.ids) >= 140, "the whole demo backlog")
        assert isinstance(run.app.screen, FeedScreen)

        # Triage: move, open the detail with its thread, go back, done-and-next.
        await pilot.press("j", "j")
        opened = current_mention(run)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(run.app.screen, MentionScreen), "the detail view")
        await wait_for(
            pilot, lambda: ws.ctx.mention(opened.id).status is Status.SEEN, "opened mention seen"
        )
        await pilot.press("escape")
        opened_at = run.feed.index_of(opened.id)
        assert opened_at is not None
        below = run.feed.ids[opened_at + 1]
        await pilot.press("d")
        await wait_for(
            pilot, lambda: ws.ctx.mention(opened.id).status is Status.DONE, "done-and-next"
        )
        next_up = current_mention(run)
        assert next_up.id == below and next_up.status.is_open

        # Reply to the next mention through the composer.
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ComposerScreen), "the composer")
        await pilot.press(*"Thank you, we are looking into it.")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: ws.ctx.mention(next_up.id).status is Status.REPLIED,
            "the reply to be confirmed",
        )
        replies = ws.outbox.replies_to(next_up.id)
        assert [r.state for r in replies] == [ReplyState.SENT]
        assert replies[0].text == "Thank you, we are looking into it."
        assert ws.ctx.mention(next_up.id).first_response_at == clock.now

        # A complaint becomes a ticket and crosses the board to Resolved.
        complaint = current_mention(run)
        await pilot.press("t")
        await wait_for(pilot, lambda: ws.ctx.mention(complaint.id).ticket_id, "a ticket")
        ticket_id = ws.ctx.mention(complaint.id).ticket_id
        assert ticket_id is not None
        # The composer offers the customer an acknowledgement; esc keeps it as a draft.
        await wait_for(pilot, lambda: isinstance(run.app.screen, ComposerScreen), "the offer")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(run.app.screen, FeedScreen), "the feed")
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(run.app.screen, TicketBoardScreen), "the board")
        for column in (TicketColumn.IN_PROGRESS, TicketColumn.WAITING, TicketColumn.RESOLVED):
            await pilot.press("L")
            await wait_for(pilot, ticket_in(ws, ticket_id, column), f"ticket in {column}")
        # Never answered: it stays in the queue, to tell the customer.
        assert ws.ctx.mention(complaint.id).status is Status.FOLLOW_UP

        # A contest on the demo's contest post: create, collect, draw.
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ContestScreen), "contests")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(run.app.screen, NewContestScreen), "the form")
        await pilot.press(*"November giveaway", "enter", "tab", *"post-contest", "enter", "enter")
        await wait_for(pilot, lambda: ws.contests.all(), "the contest")
        contest = ws.contests.all()[0]
        assert contest.post_external_id == "post-contest" and contest.account == "bank-vk"
        await wait_for(pilot, lambda: ws.contests.entries(contest.id), "entries collected")
        before = len(ws.contests.entries(contest.id))
        clock.advance(2 * 3600)  # more comments arrive on the contest post
        await pilot.press("c")
        await wait_for(pilot, lambda: len(ws.contests.entries(contest.id)) > before, "c collects")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "confirmation")
        await pilot.press("y")
        await wait_for(
            pilot, lambda: ws.contests.get(contest.id).state is ContestState.DRAWN, "the draw"
        )
        assert ws.contests.proof(contest.id)[-1] == "Re-check now: verified"

    # Everything is in the store after the app is closed and the store reopened.
    with Store.open(data_dir) as store:
        mention_record = store.get(Collection.MENTIONS, opened.id)
        assert mention_record is not None
        assert Mention.from_record(mention_record).status is Status.DONE
        (reply_record,) = list(store.records(Collection.REPLIES))
        assert Reply.from_record(reply_record).state is ReplyState.SENT
        ticket_record = store.get(Collection.TICKETS, ticket_id)
        assert ticket_record is not None
        ticket = Ticket.from_record(ticket_record)
        assert ticket.column is TicketColumn.RESOLVED
        contest_record = store.get(Collection.CONTESTS, contest.id)
        assert contest_record is not None
        drawn = Contest.from_record(contest_record)
        assert drawn.state is ContestState.DRAWN and drawn.draw is not None
        assert store.count(Collection.AUDIT) >= 8
