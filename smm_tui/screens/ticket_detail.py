"""One ticket in full: where it stands, its customer's mentions, and its history."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from smm_tui.core.context import NotFound
from smm_tui.core.handoffs import Handoff
from smm_tui.core.models import Mention, Ticket
from smm_tui.core.repository import Changed, Collection
from smm_tui.core.ticket_history import HistoryLine, ticket_history
from smm_tui.core.ticket_status import StatusPart, Tone, ticket_status
from smm_tui.messages import DataChanged, HandoffSettled
from smm_tui.screens import ticket_actions
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.ticket_edit import TicketEditScreen
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import author_label, local, mention_body, one_line, revision_lines

#: TicketScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
back    | escape,q | app.pop_screen | Back         | Back to the board
send    | T        | send           | To department | Send the ticket to its department
resend  | R        | resend         | Resend       | Send a failed handoff again
note    | N        | note           | Note         | Record the department's answer
resolve | x        | resolve        | Resolve      | Follow up in public, or close
edit    | e        | edit           | (Edit)       | Department, assignee, note
mention | o        | mention        | (Mention)    | Open the complaint
down    | j,down   | scroll_down    | (Scroll)     | Scroll down
up      | k,up     | scroll_up      | (Scroll)     | Scroll up
"""

_TONE_STYLES = {
    Tone.PLAIN: "",
    Tone.GOOD: "$text-success",
    Tone.ACT: "bold $text-warning",
    Tone.BAD: "$text-error",
}


def status_content(parts: list[StatusPart]) -> Content:
    """The ticket's state, a fact a line."""
    if not parts:
        return Content("")
    return Content("\n").join(Content.styled(part.words, _TONE_STYLES[part.tone]) for part in parts)


def history_content(lines: list[HistoryLine] | None) -> Content:
    """The history, a step a line: ``12-07 14:02  alice  handed to Cards``."""
    if lines is None:
        return Content.styled("Reading the history…", "$text-muted")
    if not lines:
        return Content.styled("Nothing recorded yet.", "$text-muted")
    return Content("\n").join(
        Content.assemble(
            (local(line.at).strftime("%m-%d %H:%M"), "$text-muted"),
            "  ",
            (one_line(line.who), "$text-secondary"),
            "  ",
            one_line(line.what),
        )
        for line in lines
    )


def mention_content(mention: Mention) -> Content:
    """One of the ticket's mentions: who and when, its text, and what became of it."""
    header = Content.assemble(
        (author_label(mention), "bold"),
        ("  " + local(mention.created_at).strftime("%m-%d %H:%M"), "$text-muted"),
        ("  " + mention.sentiment.value, "$text-muted"),
    )
    parts = [header, mention_body(mention)]
    if mention.history:
        parts.append(revision_lines(mention))
    return Content("\n").join(parts)


class TicketScreen(WorkspaceScreen):
    """A ticket: its state, handoff, follow-up and review, its mentions and its history."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("ticket", _KEYS)

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.history: list[HistoryLine] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="ticket-title", classes="status-line")
        with VerticalScroll(id="ticket-body"):
            yield Static(id="ticket-facts")
            yield Static(id="ticket-status", classes="why")
            yield Static(Content.styled("Mentions", "bold"), classes="section")
            yield Static(id="ticket-mentions", classes="mention")
            yield Static(Content.styled("History", "bold"), classes="section")
            yield Static(id="ticket-history")
        yield PaneFooter()

    @property
    def ticket(self) -> Ticket:
        """The ticket as stored now."""
        return self.workspace.tickets.get(self.ticket_id)

    def on_mount(self) -> None:
        self._redraw()
        self._read_history()

    @on(DataChanged)
    def _data_changed(self, event: DataChanged) -> None:
        if self._concerns_us(event.changed):
            self._redraw()
            self._read_history()

    @on(HandoffSettled)
    def _handoff_settled(self, event: HandoffSettled) -> None:
        if event.handoff.ticket_id == self.ticket_id:
            self._redraw()
            self._read_history()

    def _concerns_us(self, changed: Changed) -> bool:
        """Whether a change touched this ticket, its mentions or its handoffs (the history
        is read from the whole audit trail: not for every change in the store)."""
        try:
            ticket = self.ticket
        except NotFound:
            return False
        handoffs = changed.of(Collection.HANDOFFS)
        return (
            ticket.id in changed.of(Collection.TICKETS)
            or not changed.of(Collection.MENTIONS).isdisjoint(ticket.mention_ids)
            or any(handoff.startswith(ticket.id) for handoff in handoffs)
        )

    def _read_history(self) -> None:
        """The audit trail is read in a thread: it may be long."""
        try:
            ticket = self.ticket
        except NotFound:
            return
        work = partial(ticket_history, self.workspace.ctx, ticket)
        in_background(self, work, done=self._show_history, group="ticket-history", exclusive=True)

    def _show_history(self, lines: list[HistoryLine]) -> None:
        self.history = lines
        self.query_one("#ticket-history", Static).update(history_content(lines))

    def _last_handoff(self, ticket: Ticket) -> Handoff | None:
        handoffs = self.workspace.handoffs.for_ticket(ticket.id)
        return handoffs[-1] if handoffs else None

    def _redraw(self) -> None:
        try:
            ticket = self.ticket
        except NotFound:
            return
        self.query_one("#ticket-title", Static).update(
            Content.assemble(
                ("Ticket ", "bold"),
                (ticket.label, "bold"),
                ("  ·  ", "$text-muted"),
                ticket.column.label,
            )
        )
        facts = Content.assemble(
            (one_line(ticket.title), "bold"),
            "\n",
            ("Department ", "$text-muted"),
            ticket.department or "none",
            ("   Assignee ", "$text-muted"),
            ticket.assignee or "nobody",
            ("   Opened ", "$text-muted"),
            local(ticket.created_at).strftime("%Y-%m-%d %H:%M"),
        )
        if ticket.note:
            facts = Content.assemble(facts, "\n", ("Note ", "$text-muted"), one_line(ticket.note))
        self.query_one("#ticket-facts", Static).update(facts)
        now = self.workspace.ctx.clock()
        parts = ticket_status(ticket, self._last_handoff(ticket), now)
        self.query_one("#ticket-status", Static).update(status_content(parts))
        mentions = []
        for mention_id in ticket.mention_ids:
            try:
                mentions.append(mention_content(self.workspace.ctx.mention(mention_id)))
            except NotFound:
                continue
        self.query_one("#ticket-mentions", Static).update(Content("\n\n").join(mentions))
        self.query_one("#ticket-history", Static).update(history_content(self.history))

    def action_send(self) -> None:
        ticket_actions.send_to_department(self, self.ticket)

    def action_resend(self) -> None:
        ticket_actions.resend_handoff(self, self.ticket)

    def action_note(self) -> None:
        ticket_actions.add_note(self, self.ticket)

    def action_resolve(self) -> None:
        ticket_actions.resolve(self, self.ticket)

    def action_edit(self) -> None:
        self.app.push_screen(TicketEditScreen(self.ticket))

    def action_mention(self) -> None:
        self.app.push_screen(MentionScreen(self.ticket.mention_id))

    def action_scroll_down(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_up()
