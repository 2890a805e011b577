"""The ticket board: New → In progress → Waiting on department → Awaiting customer → Resolved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from smm_tui.core.cards import card_title
from smm_tui.core.handoffs import Handoff
from smm_tui.core.models import Ticket, TicketColumn
from smm_tui.core.ticket_status import StatusPart, Tone, ticket_status
from smm_tui.core.tickets import COLUMNS
from smm_tui.messages import DataChanged, HandoffSettled
from smm_tui.screens import ticket_actions
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.ticket_detail import TicketScreen
from smm_tui.screens.ticket_edit import TicketEditScreen as TicketEditScreen
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.render import cut, one_line
from smm_tui.widgets.status_bar import StatusBar

CARD_TITLE_LENGTH = 34  # two lines of a column at 80 columns


_MARK_STYLES = {
    Tone.PLAIN: "$text-muted",
    Tone.GOOD: "$text-success",
    Tone.ACT: "bold $text-warning",
    Tone.BAD: "bold $text-error",
}


def ticket_prompt(
    ticket: Ticket,
    own_accounts: Iterable[str] = (),
    length: int = CARD_TITLE_LENGTH,
    status: Sequence[StatusPart] = (),
) -> Content:
    """A ticket card: a short title (without our own @handle), then its number, department
    and assignee, then the marks of its handoff, follow-up and review."""
    meta = " · ".join(x for x in (ticket.department, ticket.assignee or "") if x) or "unrouted"
    title = cut(one_line(card_title(ticket.title, own_accounts)), length)
    number = ticket.ref.rpartition("-")[2] if ticket.ref else ticket.label
    card = Content.assemble((title, "bold"), "\n", (f"{number} {meta}", "$text-muted"))
    marks = [Content.styled(part.mark, _MARK_STYLES[part.tone]) for part in status if part.mark]
    if marks:
        card = Content.assemble(card, "\n", Content(" ").join(marks))
    return card


#: Column titles for a narrow board (60 columns).
NARROW_TITLES = {
    TicketColumn.NEW: "New",
    TicketColumn.IN_PROGRESS: "Doing",
    TicketColumn.WAITING: "At dept",
    TicketColumn.AWAITING: "Confirm",
    TicketColumn.RESOLVED: "Done",
}


def column_title(column: TicketColumn, count: int, width: int) -> str:
    """``Waiting on department 2``, or ``Waiting 2`` when the column is narrow."""
    full = f"{column.label} {count}"
    return full if len(full) <= width else f"{NARROW_TITLES[column]} {count}"


#: TicketBoardScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_BOARD_KEYS = """
left         | h,left   | focus_column(-1) | (Column ←) | The column to the left
right        | l,right  | focus_column(1)  | (Column →) | The column to the right
down         | j        | cursor(1)        | (Down)     | Next ticket
up           | k        | cursor(-1)       | (Up)       | Previous ticket
move_right   | L,greater_than_sign,shift+right | move(1) | Move → | Move the ticket one column right
move_left    | H,less_than_sign,shift+left | move(-1) | Move ← | Move the ticket one column left
open         | enter    | open             | Open       | The ticket: state, mentions, history
resolve      | x        | resolve          | Resolve    | Follow up in public, or close
send         | T        | send             | To dept    | Send the ticket to its department
resend       | R        | resend           | (Resend)   | Send a failed handoff again
note         | N        | note             | (Note)     | Record the department's answer
edit         | e        | edit             | Edit       | Department, assignee, note
open_mention | o        | open_mention     | (Mention)  | Open the ticket's mention
"""


class TicketBoardScreen(WorkspaceScreen):
    """Five columns of tickets; keys move the selected ticket between them."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("tickets", _BOARD_KEYS)

    DEFAULT_CSS = """
    TicketBoardScreen .column-title { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield StatusBar("Tickets", self.pane_keys())
        with Horizontal(id="board"):
            for column in COLUMNS:
                with Vertical(classes="board-column"):
                    yield Label(column.label, classes="column-title", id=f"title-{column.value}")
                    yield OptionList(id=f"col-{column.value}", classes="column-list")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        self.fill()
        self._list(TicketColumn.NEW).focus()

    def on_screen_resume(self) -> None:
        self.fill()

    def on_resize(self) -> None:
        """Titles and cards are cut to the columns' width (known once laid out again)."""
        self.call_after_refresh(self.fill)

    @on(DataChanged)
    @on(HandoffSettled)
    def _changed(self) -> None:
        self.fill()

    def _list(self, column: TicketColumn) -> OptionList:
        return self.query_one(f"#col-{column.value}", OptionList)

    def fill(self, select: str | None = None) -> None:
        tickets = self.workspace.tickets.all()[::-1]  # newest first
        own = list(self.workspace.sources)
        status = self._status_of(tickets)
        for column in COLUMNS:
            widget = self._list(column)
            # Two lines of the column (less the scrollbar); 80 columns before the first layout.
            width = widget.size.width or 20
            length = max(12, 2 * (width - 2))
            keep = select or highlighted_id(widget)
            cards = [t for t in tickets if t.column is column]
            widget.clear_options()
            widget.add_options(
                Option(ticket_prompt(t, own, length, status[t.id]), id=t.id) for t in cards
            )
            if keep is not None and keep in {t.id for t in cards}:
                widget.highlighted = widget.get_option_index(keep)
            elif widget.option_count:
                widget.highlighted = 0
            title = self.query_one(f"#title-{column.value}", Label)
            title.update(column_title(column, len(cards), width - 2))
        resolved = sum(t.column is TicketColumn.RESOLVED for t in tickets)
        summary = f"{len(tickets) - resolved} open · {resolved} resolved"
        self.query_one(StatusBar).show(Content(summary))

    def _status_of(self, tickets: Sequence[Ticket]) -> dict[str, list[StatusPart]]:
        """Each ticket's marks, with its last handoff (read once for the board)."""
        last: dict[str, Handoff] = {}
        for handoff in self.workspace.handoffs.all():
            last[handoff.ticket_id] = handoff
        now = self.workspace.ctx.clock()
        return {t.id: ticket_status(t, last.get(t.id), now) for t in tickets}

    def _focused_column(self) -> TicketColumn:
        focused = self.focused
        for column in COLUMNS:
            if focused is self._list(column):
                return column
        return TicketColumn.NEW

    def selected(self) -> str | None:
        """The id of the highlighted ticket in the focused column."""
        return highlighted_id(self._list(self._focused_column()))

    def action_focus_column(self, delta: int) -> None:
        index = (COLUMNS.index(self._focused_column()) + delta) % len(COLUMNS)
        self._list(COLUMNS[index]).focus()

    def action_cursor(self, delta: int) -> None:
        step_highlight(self._list(self._focused_column()), delta)

    def action_move(self, delta: int) -> None:
        ticket_id = self.selected()
        if ticket_id is not None:
            self.act(self.workspace.tickets.step(ticket_id, delta), done=self._follow)

    def _selected_ticket(self) -> Ticket | None:
        ticket_id = self.selected()
        return None if ticket_id is None else self.workspace.tickets.get(ticket_id)

    def action_resolve(self) -> None:
        if (ticket := self._selected_ticket()) is not None:
            ticket_actions.resolve(self, ticket)

    def action_send(self) -> None:
        if (ticket := self._selected_ticket()) is not None:
            ticket_actions.send_to_department(self, ticket)

    def action_resend(self) -> None:
        if (ticket := self._selected_ticket()) is not None:
            ticket_actions.resend_handoff(self, ticket)

    def action_note(self) -> None:
        if (ticket := self._selected_ticket()) is not None:
            ticket_actions.add_note(self, ticket)

    def _follow(self, ticket: Ticket) -> None:
        """Keep the moved ticket selected, in its new column."""
        self.fill(select=ticket.id)
        self._list(ticket.column).focus()

    @on(OptionList.OptionSelected)
    def action_open(self) -> None:
        ticket_id = self.selected()
        if ticket_id is not None:
            self.app.push_screen(TicketScreen(ticket_id))

    def action_edit(self) -> None:
        if (ticket := self._selected_ticket()) is not None:
            self.app.push_screen(TicketEditScreen(ticket))

    def action_open_mention(self) -> None:
        ticket_id = self.selected()
        if ticket_id is None:
            return
        self.app.push_screen(MentionScreen(self.workspace.tickets.get(ticket_id).mention_id))

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Move ticket right", "Next column", lambda: self.action_move(1)),
            SystemCommand("Move ticket left", "Previous column", lambda: self.action_move(-1)),
            SystemCommand("Resolve ticket", "Follow up in public, or close", self.action_resolve),
            SystemCommand("Send ticket to department", "Hand it over", self.action_send),
            SystemCommand("Note on ticket", "Record the department's answer", self.action_note),
            SystemCommand("Open ticket", "State, mentions, history", self.action_open),
            SystemCommand("Edit ticket", "Department, assignee, note", self.action_edit),
        ]
