"""What the board, the ticket view and the mention view do to a ticket, said once.

Each action routes to a service through :meth:`WorkspaceMixin.act` (or the
app's workers for deliveries); none does I/O itself.
"""

from __future__ import annotations

from textual.content import Content

from smm_tui.core.handoffs import HandoffState
from smm_tui.core.models import Ticket, TicketColumn
from smm_tui.screens.base import WorkspaceMixin
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.line import LineScreen
from smm_tui.screens.ticket_dialogs import FollowUpScreen, Resolution
from smm_tui.widgets.render import one_line


def send_to_department(screen: WorkspaceMixin, ticket: Ticket) -> None:
    """Hand the ticket to its department: a failed handoff is sent again, one on its way is
    left alone, and a ticket handed over already is sent anew only once confirmed."""
    handoffs = screen.workspace.handoffs.for_ticket(ticket.id)
    last = handoffs[-1] if handoffs else None
    if last is None:
        _hand_over(screen, ticket)
    elif last.state is HandoffState.FAILED:
        screen.say(f"{ticket.label}: sending the handoff to {last.department} again…")
        screen.send_handoff(last.id)
    elif last.state is not HandoffState.SENT:
        screen.say(f"{ticket.label}: the handoff to {last.department} is on its way")
    else:

        def again(yes: bool | None) -> None:
            if yes:
                _hand_over(screen, ticket)

        question = f"{ticket.label} was handed to {last.department} already. Hand it over again?"
        screen.app.push_screen(ConfirmScreen(question), again)


def resend_handoff(screen: WorkspaceMixin, ticket: Ticket) -> None:
    """``R``: as ``T`` (a failed handoff again, a delivered one anew once confirmed)."""
    send_to_department(screen, ticket)


def _hand_over(screen: WorkspaceMixin, ticket: Ticket) -> None:
    """Record a new handoff of the ticket, then deliver it in the background."""

    def deliver(handoff_id: str) -> None:
        screen.say(f"{ticket.label}: handing over to {ticket.department}…")
        screen.send_handoff(handoff_id)

    screen.act(screen.workspace.handoffs.hand_over(ticket.id), done=lambda h: deliver(h.id))


def add_note(screen: WorkspaceMixin, ticket: Ticket) -> None:
    """Ask for a line (the department's answer, a call made) and put it on the history."""

    def keep(text: str | None) -> None:
        if text and text.strip():
            screen.act(
                screen.workspace.tickets.add_note(ticket.id, text),
                done=lambda _: screen.say(f"{ticket.label}: note kept"),
            )

    title = Content.assemble(("Note on ", "bold"), ticket.label)
    hint = "What the department answered, or what was done. It goes on the ticket's history."
    screen.app.push_screen(
        LineScreen(title, placeholder="e.g. Cards: refund sent", hint=hint), keep
    )


def resolve(screen: WorkspaceMixin, ticket: Ticket) -> None:
    """Resolve: close a ticket awaiting its customer, else ask whether to follow up in public."""
    tickets = screen.workspace.tickets
    if ticket.column is TicketColumn.RESOLVED:
        screen.say(f"{ticket.label} is resolved already")
        return
    if ticket.column is TicketColumn.AWAITING:
        screen.act(tickets.close(ticket.id), done=lambda t: screen.say(_closed(t)))
        return

    def chosen(resolution: Resolution | None) -> None:
        if resolution is Resolution.FOLLOW_UP:
            screen.app.push_screen(ComposerScreen(ticket.mention_id, follow_up=ticket.id))
        elif resolution is Resolution.CLOSE:
            _ask_reason(screen, ticket)

    screen.app.push_screen(FollowUpScreen(ticket), chosen)


def _ask_reason(screen: WorkspaceMixin, ticket: Ticket) -> None:
    def close(reason: str | None) -> None:
        if reason is None:
            return
        why = reason.strip() or "closed without a public follow-up"
        work = screen.workspace.tickets.close(ticket.id, reason=why)
        screen.act(work, done=lambda t: screen.say(_closed(t)))

    title = Content.assemble(("Close ", "bold"), ticket.label, " without a public answer")
    hint = "Why no follow-up? It is kept on the ticket (enter with nothing: no reason given)."
    screen.app.push_screen(
        LineScreen(title, placeholder="e.g. the customer asked us not to", hint=hint), close
    )


def _closed(ticket: Ticket) -> str:
    confirmed = " (confirmed by the customer)" if ticket.confirmed_at else ""
    return f"{ticket.label} closed{confirmed}: {one_line(ticket.title)}"
