"""Closing the loop in the app: a ticket handed to its department, resolved with a public
follow-up or closed with a reason, a note on its history, and its review watched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from smm_tui.app import SmmApp
from smm_tui.core.handoffs import HandoffState
from smm_tui.core.models import ReplyState, RevisionKind, TicketColumn
from smm_tui.core.network import HandoffChannel, HandoffMessage, MentionChange
from smm_tui.core.saved_replies import SavedReply
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.line import LineScreen
from smm_tui.screens.ticket_detail import TicketScreen
from smm_tui.screens.ticket_dialogs import FollowUpScreen
from smm_tui.screens.tickets import TicketBoardScreen
from tests.conftest import FakeClock
from tests.ui.harness import Running, feed_of, make_app, notices, running, settle, wait_for

FOLLOW_UP = SavedReply(
    "fixed", "{first_name}, we fixed it ({ticket}). Is the money back?", "en", ("follow-up",)
)


class Cards:
    """The Cards department's channel: it keeps what it was sent."""

    kind = "webhook"
    target = "hooks.example"

    def __init__(self) -> None:
        self.delivered: list[HandoffMessage] = []

    async def deliver(self, message: HandoffMessage) -> str:
        self.delivered.append(message)
        return "HTTP 200"


def with_cards(workspace: Any, cards: Cards) -> None:
    def lookup(department: str) -> HandoffChannel | str:
        return cards if department == "Cards" else f"{department} has no handoff"

    workspace.handoffs.channels = lookup
    workspace.saved_replies.replace([FOLLOW_UP])


async def a_ticket(run: Running, index: int = 0) -> str:
    """A ticket in Cards for the ``index``-th mention of the queue, the board in view."""
    await wait_for(run.pilot, lambda: len(run.feed.ids) > index, "the demo queue")
    mention_id = run.feed.ids[index]
    ticket = await run.workspace.tickets.open([mention_id], department="Cards")
    await run.pilot.press("2")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, TicketBoardScreen), "board")
    await settle(run.pilot)
    return ticket.id


async def test_enter_opens_the_ticket_and_t_hands_it_to_the_department(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = Cards()
    async with running(tmp_path / "data", clock) as run:
        with_cards(run.workspace, cards)
        said = notices(run.app, monkeypatch)
        ticket_id = await a_ticket(run)
        await run.pilot.press("enter")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, TicketScreen), "the ticket")
        await run.pilot.press("T")
        await wait_for(run.pilot, lambda: cards.delivered, "the handoff")
        (handoff,) = run.workspace.handoffs.for_ticket(ticket_id)
        await wait_for(run.pilot, lambda: any("handed to Cards" in s for s, _ in said), "toast")
        assert run.workspace.handoffs.get(handoff.id).state is HandoffState.SENT
        assert cards.delivered[0].ref == run.workspace.tickets.get(ticket_id).ref
        await run.pilot.press("T")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "again?")
        await run.pilot.press("n")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, TicketScreen), "back")
        assert len(run.workspace.handoffs.for_ticket(ticket_id)) == 1, "not handed over twice"
        await run.pilot.press("N")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, LineScreen), "note")
        await run.pilot.press(*"Cards: refund sent", "enter")
        history = run.app.screen.query_one("#ticket-history", Static)
        await wait_for(run.pilot, lambda: "refund sent" in str(history.render()), "history")
        text = str(history.render())
        assert "handed to Cards" in text and "note: Cards: refund sent" in text


async def test_resolving_follows_up_in_public_then_awaits_the_customer(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        with_cards(run.workspace, Cards())
        ticket_id = await a_ticket(run)
        ticket = run.workspace.tickets.get(ticket_id)
        mention = run.workspace.ctx.mention(ticket.mention_id)
        await run.pilot.press("x")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, FollowUpScreen), "ask")
        await run.pilot.press("y")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ComposerScreen), "composer")
        area = run.app.screen.query_one(TextArea)
        first_name = mention.author.display_name.split()[0]
        assert area.text == f"{first_name}, we fixed it ({ticket.ref}). Is the money back?"
        await run.pilot.press("ctrl+s")
        await wait_for(
            run.pilot,
            lambda: run.workspace.tickets.get(ticket_id).column is TicketColumn.AWAITING,
            "the ticket awaiting the customer",
        )
        (reply,) = [
            r for r in run.workspace.outbox.replies_to(mention.id) if r.ticket_id == ticket_id
        ]
        assert reply.state is ReplyState.SENT


async def test_closing_without_a_follow_up_keeps_the_reason(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        ticket_id = await a_ticket(run)
        await run.pilot.press("x")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, FollowUpScreen), "ask")
        await run.pilot.press("n")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, LineScreen), "reason")
        await run.pilot.press(*"asked us not to", "enter")
        await wait_for(
            run.pilot,
            lambda: run.workspace.tickets.get(ticket_id).column is TicketColumn.RESOLVED,
            "closed",
        )
        assert run.workspace.tickets.get(ticket_id).closed_reason == "asked us not to"
        assert not isinstance(run.app.screen, LineScreen)


# -- snapshots ----------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", clock)
    yield built
    close()


async def _loop_board(pilot: Pilot[Any]) -> None:
    """A ticket awaiting its customer whose review was edited, and one handed to Cards."""
    app = pilot.app
    assert isinstance(app, SmmApp)
    workspace = app.workspace
    with_cards(workspace, Cards())
    await wait_for(pilot, lambda: len(feed_of(app).ids) >= 10, "the demo queue")
    first, second = feed_of(app).ids[0], feed_of(app).ids[3]
    awaiting = await workspace.tickets.open([first], department="Cards", note="VIP")
    handed = await workspace.tickets.open([second], department="Cards")
    handoff = await workspace.handoffs.hand_over(handed.id)
    await workspace.handoffs.send(handoff.id)
    await workspace.handoffs.send((await workspace.handoffs.hand_over(awaiting.id)).id)
    mention = workspace.ctx.mention(first)
    reply = await workspace.outbox.queue(first, "Fixed: is it back?", ticket_id=awaiting.id)
    source = workspace.source_for(mention.account)
    assert source is not None
    await workspace.outbox.send(reply.id, source)
    await workspace.tickets.add_note(awaiting.id, "Cards: refund sent, ref 991")
    thanks = "Update: the money is back, thank you for the quick help!"
    edit = MentionChange(mention.external_id, RevisionKind.EDITED, thanks, by="author")
    await workspace.revisions.apply(mention.platform.value, mention.account, [edit])
    assert workspace.tickets.get(awaiting.id).review_sentiment.value == "positive"
    await pilot.press("2")
    await settle(pilot)


def test_board_with_a_ticket_awaiting_its_customer(snap_compare: Any, app: SmmApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_loop_board)


def test_ticket_with_its_history(snap_compare: Any, app: SmmApp) -> None:
    async def open_it(pilot: Pilot[Any]) -> None:
        await _loop_board(pilot)
        await pilot.press("l", "l", "l", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TicketScreen), "the ticket")
        history = pilot.app.screen.query_one("#ticket-history", Static)
        await wait_for(pilot, lambda: "note:" in str(history.render()), "its history")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_it)
