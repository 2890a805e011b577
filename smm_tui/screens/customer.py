"""The customer view: one author's mentions, our replies and their tickets, across networks.

A list to work from: move with j/k (g/G), open a mention with enter, answer it
with r, and keep a note on the customer with N.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smm_tui.core.context import NotFound
from smm_tui.core.customers import CustomerHistory
from smm_tui.core.models import Mention, Reply, ReplyState, Ticket
from smm_tui.core.notes import CustomerNote, NoteChanged
from smm_tui.core.repository import Collection
from smm_tui.core.wording import plural
from smm_tui.messages import DataChanged
from smm_tui.screens.base import USER_ERRORS, WorkspaceMixin, WorkspaceScreen, in_background
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.note import NoteScreen
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.render import (
    PLATFORM_NAMES,
    REPLY_STATE_LABELS,
    STATUS_GLYPHS,
    author_label,
    local,
    mention_body,
    note_line,
    one_line,
)

#: Option ids of ticket rows start with this; the rest of the list is mention ids.
TICKET_ROW = "ticket:"


def open_customer(screen: WorkspaceMixin, mention_id: str) -> None:
    """Find the author's history off the event loop (it reads every mention), then show it."""

    in_background(
        screen,
        partial(screen.workspace.customers.history, mention_id),
        done=lambda history: screen.app.push_screen(CustomerScreen(history)),
        group="customer",
        exclusive=True,
        expected=(NotFound,),
        failed=lambda exc: screen.say(str(exc), error=True),
    )


def full_time(moment: datetime) -> str:
    """``2026-11-24 09:14`` in local time: a customer's history spans days and years."""
    return local(moment).strftime("%Y-%m-%d %H:%M")


def mention_entry(mention: Mention, replies: Sequence[Reply], *, possible: bool) -> Content:
    """A mention in the customer view: date, network, status, its whole text, our replies."""
    lines = [
        Content.assemble(
            ("≈ " if possible else "", "bold $warning"),
            (f"{STATUS_GLYPHS[mention.status]} ", "$text-muted"),
            (full_time(mention.created_at), "bold"),
            ("  ", ""),
            (PLATFORM_NAMES[mention.platform], "$text-secondary"),
            (f" · {mention.account} · {mention.status.value}", "$text-muted"),
        ),
        mention_body(mention),
    ]
    lines += [reply_entry(reply) for reply in replies]
    return Content("\n").join(lines)


def reply_entry(reply: Reply) -> Content:
    """``↪ sent 2026-11-24 09:20 by anna: text`` under the mention it answers."""
    style = "bold $error" if reply.state is ReplyState.FAILED else "$success"
    parts: list[str | tuple[str, str]] = [
        ("↪ ", style),
        (REPLY_STATE_LABELS[reply.state], style),
        (f" {full_time(reply.created_at)} by ", "$text-muted"),
        (one_line(reply.author), "$text-muted"),
        ": ",
        one_line(reply.text),
    ]
    if reply.error:
        parts.append((" — " + one_line(reply.error), "$error"))
    return Content.assemble(*parts)


def ticket_entry(ticket: Ticket) -> Content:
    """A ticket of the customer's: its column, department and title."""
    return Content.assemble(
        ("⚑ Ticket ", "bold"),
        (f"{ticket.label} · {ticket.column.label} · ", "$text-muted"),
        (one_line(ticket.department) or "no department", "$text-muted"),
        (f" · {full_time(ticket.created_at)}", "$text-muted"),
        "\n",
        one_line(ticket.title),
    )


def summary_content(history: CustomerHistory) -> Content:
    """``3 mentions on VK, Telegram · 1 reply · 0 tickets`` and how sure the match is."""
    networks = ", ".join(PLATFORM_NAMES[p] for p in history.networks)
    maybe = sum(1 for m in history.mentions if history.possible(m))
    note = f" · ≈ {maybe} matched by handle and name only: maybe them" if maybe else ""
    counts = f"{plural(len(history.replies), 'reply')} · {plural(len(history.tickets), 'ticket')}"
    return Content(f"{plural(len(history.mentions), 'mention')} on {networks} · {counts}{note}")


def history_options(history: CustomerHistory) -> list[Option | None]:
    """The list's rows: each mention with our replies under it, then the tickets."""
    replies: dict[str, list[Reply]] = {}
    for reply in sorted(history.replies, key=lambda r: r.created_at):
        replies.setdefault(reply.mention_id, []).append(reply)
    options: list[Option | None] = []
    for mention in history.mentions:
        if options:
            options.append(None)
        prompt = mention_entry(
            mention, replies.get(mention.id, []), possible=history.possible(mention)
        )
        options.append(Option(prompt, id=mention.id))
    for ticket in history.tickets:
        options += [None, Option(ticket_entry(ticket), id=TICKET_ROW + ticket.id)]
    return options


#: CustomerScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
open   | enter,o  | open           | Open     | Open the mention
reply  | r        | reply          | Reply    | Reply to the mention
note   | N        | note           | Note     | Write the team's note on them
back   | escape,q | app.pop_screen | Back     | Back where you were
down   | j,down   | cursor(1)      | (Down)   | Next row
up     | k,up     | cursor(-1)     | (Up)     | Previous row
top    | g,home   | edge(0)        | (Top)    | The newest mention
bottom | G,end    | edge(-1)       | (Bottom) | The last row
"""


class CustomerScreen(WorkspaceScreen):
    """Everything one author wrote to the brand, newest first, as a list to work from."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("customer", _KEYS)

    DEFAULT_CSS = """
    CustomerScreen #customer-summary { padding: 0 1; color: $text-muted; }
    CustomerScreen #customer-note { padding: 0 1; }
    CustomerScreen #customer-list { height: 1fr; border: none; padding: 0; }
    CustomerScreen #customer-list > .option-list--option { padding: 0 1; }
    """

    def __init__(self, history: CustomerHistory) -> None:
        super().__init__()
        self.history = history
        #: A note typed here that could not be saved (a teammate's came first): N shows it.
        self.unsaved_note: str | None = None

    @property
    def anchor_mention(self) -> Mention | None:
        """The mention the view was opened from (its author is the customer)."""
        history = self.history
        return next(
            (m for m in history.mentions if not history.possible(m)),
            history.mentions[0] if history.mentions else None,
        )

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="status-line")
        yield Static(id="customer-summary")
        yield Static(id="customer-note")
        yield OptionList(id="customer-list")
        yield PaneFooter()

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _title(self) -> Content:
        anchor = self.anchor_mention
        who = author_label(anchor) if anchor else ""
        return Content.assemble(("Customer  ", "bold"), (who, "bold $text-primary"))

    def _fill(self) -> None:
        """Show the history (keeping the highlighted row) and the note."""
        self.query_one("#customer-summary", Static).update(summary_content(self.history))
        widget = self.query_one(OptionList)
        keep = self.selected_row()
        widget.clear_options()
        widget.add_options(history_options(self.history))
        if keep is not None and keep in {o.id for o in widget.options}:
            widget.highlighted = widget.get_option_index(keep)
        elif widget.option_count:
            widget.highlighted = 0
        self._show_note()

    def _show_note(self) -> None:
        note = self.workspace.notes.get(self.history.platform, self.history.author.id)
        widget = self.query_one("#customer-note", Static)
        widget.display = note is not None
        widget.update(note_line(note.text) if note else Content(""))

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        changed = event.changed
        ours = {m.id for m in self.history.mentions}
        if (
            changed.of(Collection.MENTIONS) & ours
            or changed.of(Collection.REPLIES)
            or changed.of(Collection.TICKETS)
        ):
            self.history = self.workspace.customers.refreshed(self.history)
            self._fill()
        elif changed.of(Collection.NOTES):
            self._show_note()

    def selected_row(self) -> str | None:
        """The id of the highlighted row (a mention id, or ``ticket:`` and a ticket id)."""
        return highlighted_id(self.query_one(OptionList))

    def selected_mention(self) -> str | None:
        """The mention of the highlighted row (a ticket row stands for its mention)."""
        row = self.selected_row()
        if row is None or not row.startswith(TICKET_ROW):
            return row
        ticket_id = row.removeprefix(TICKET_ROW)
        ticket = next((t for t in self.history.tickets if t.id == ticket_id), None)
        return ticket.mention_id if ticket else None

    def action_cursor(self, delta: int) -> None:
        step_highlight(self.query_one(OptionList), delta)

    def action_edge(self, where: int) -> None:
        widget = self.query_one(OptionList)
        if where == 0:
            widget.action_first()
        else:
            widget.action_last()

    @on(OptionList.OptionSelected)
    def action_open(self) -> None:
        # The detail view opens this one (C): importing it at the top would be a cycle.
        from smm_tui.screens.detail import MentionScreen

        mention_id = self.selected_mention()
        if mention_id is not None:
            self.app.push_screen(MentionScreen(mention_id))

    def action_reply(self) -> None:
        mention_id = self.selected_mention()
        if mention_id is not None:
            self.app.push_screen(ComposerScreen(mention_id))

    def action_note(self) -> None:
        history, anchor = self.history, self.anchor_mention
        base = self.workspace.notes.get(history.platform, history.author.id)
        shown = self.unsaved_note if self.unsaved_note is not None else (base.text if base else "")

        def written(text: str | None) -> None:
            self.unsaved_note = None  # cancelled, or being saved
            if text is not None:
                in_background(self, self._save_note(text, base), group="note")

        who = author_label(anchor) if anchor else one_line(history.author.handle)
        self.app.push_screen(NoteScreen(who, shown), written)

    async def _save_note(self, text: str, base: CustomerNote | None) -> None:
        """Save the note written over ``base``; if it cannot be, say so and keep the text."""
        history = self.history
        try:
            await self.workspace.notes.set(history.platform, history.author, text, base=base)
        except NoteChanged as exc:
            self.unsaved_note = text
            key = self.keys_for("customer.note")
            self.say(f"{exc}; your text is kept: press {key} to save it again", error=True)
        except USER_ERRORS as exc:
            self.unsaved_note = text
            self.say(f"Note not saved: {exc}", error=True)
        self._show_note()
