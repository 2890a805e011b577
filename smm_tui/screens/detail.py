"""A mention in full, with its thread, our replies and its ticket."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from smm_tui.core.context import NotFound
from smm_tui.core.models import Mention, ReplyState, Status
from smm_tui.messages import DataChanged, ReplySettled, ThreadFetched
from smm_tui.screens.base import MentionScreenBase
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.customer import open_customer
from smm_tui.screens.ticket_actions import send_to_department
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import mention_block, reply_line, why_block, with_note

#: MentionScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
back     | escape,q | app.pop_screen | Back         | Back where you were
reply    | r        | reply          | Reply        | Write a reply
ticket   | t        | ticket         | Ticket       | Open a ticket for the mention
handoff  | T        | handoff        | (To department) | Send the mention's ticket to its
    department
done     | d        | done           | Done         | Mark done and go back
retry    | R        | retry          | Retry failed | Send a failed reply again
customer | C        | customer       | (Customer)   | This author's mentions, replies, tickets
down     | j,down   | scroll_down    | (Scroll)     | Scroll the mention down
up       | k,up     | scroll_up      | (Scroll)     | Scroll the mention up
"""


class MentionScreen(MentionScreenBase):
    """The detail view: thread context above, the mention, then replies and ticket."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("detail", _KEYS)

    def __init__(self, mention_id: str) -> None:
        super().__init__(mention_id)
        self.thread: tuple[Mention, ...] = ()
        self.thread_note = "Loading the thread…"

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Mention", "bold")), classes="status-line")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail-thread", classes="thread")
            yield Static(id="detail-mention", classes="mention")
            yield Static(id="detail-why", classes="why")
            yield Static(id="detail-replies", classes="replies")
        yield PaneFooter()

    def on_mount(self) -> None:
        self._redraw()
        self.fetch_thread()

    @on(ThreadFetched)
    def _show_thread(self, event: ThreadFetched) -> None:
        self.thread = event.thread
        self.thread_note = f"Thread unavailable: {event.error}" if event.error else ""
        self._redraw()

    @on(DataChanged)
    def _rerender(self) -> None:
        self._redraw()

    @on(ReplySettled)
    def _reply_settled(self, event: ReplySettled) -> None:
        if event.reply.mention_id == self.mention_id:
            self.fetch_thread()
        self._redraw()

    def _redraw(self) -> None:
        try:
            mention = self.workspace.ctx.mention(self.mention_id)
        except NotFound:  # deleted meanwhile: the screen keeps what it showed
            return
        self.query_one("#detail-thread", Static).update(self._thread_content(mention))
        now = self.workspace.ctx.clock()
        replying = [p.user for p in self.workspace.presence.others(mention.id)]
        note = self.workspace.notes.for_mention(mention)
        block = mention_block(mention, now=now, replying=replying)
        self.query_one("#detail-mention", Static).update(
            with_note(block, note.text if note else None)
        )
        self.query_one("#detail-replies", Static).update(self._replies_content(mention))
        settings = self.workspace.settings
        warn = settings.sla.for_account(mention.account).warn_before
        self.query_one("#detail-why", Static).update(why_block(mention, now, settings.alarms, warn))

    def _thread_content(self, mention: Mention) -> Content:
        before = [m for m in self.thread if m.external_id != mention.external_id]
        ancestors = [m for m in before if m.parent_external_id != mention.external_id]
        if not ancestors:
            return Content(self.thread_note or "No earlier messages in this thread.")
        blocks = [mention_block(m, triage=False) for m in ancestors]
        return Content("\n\n").join(blocks)

    def _replies_content(self, mention: Mention) -> Content:
        replies = self.workspace.outbox.replies_to(mention.id)
        ours = {r.external_id for r in replies if r.external_id}
        lines = [reply_line(r) for r in replies]
        for item in self.thread:
            if item.parent_external_id == mention.external_id and item.external_id not in ours:
                lines.append(mention_block(item, triage=False))
        ticket = self.workspace.tickets.for_mention(mention.id)
        if ticket is not None:
            lines.append(
                Content.assemble(
                    ("Ticket ", "bold"),
                    ticket.label,
                    f" · {ticket.column.label} · {ticket.department or 'no department'}",
                )
            )
        return Content("\n").join(lines) if lines else Content("No replies yet.")

    def action_customer(self) -> None:
        """Open the customer view of this mention's author."""
        open_customer(self, self.mention_id)

    def action_reply(self) -> None:
        self.app.push_screen(ComposerScreen(self.mention_id))

    def action_ticket(self) -> None:
        self.act(
            self.workspace.tickets.open([self.mention_id]),
            done=lambda ticket: self.say(f"Ticket {ticket.label}: {ticket.title}"),
        )

    def action_handoff(self) -> None:
        """Hand the mention's ticket to its department (T-2026-0042 → Cards)."""
        ticket = self.workspace.tickets.for_mention(self.mention_id)
        if ticket is None:
            keys = self.keys_for("detail.ticket")
            self.say(f"No ticket for this mention yet: {keys} opens one", error=True)
            return
        send_to_department(self, ticket)

    def action_done(self) -> None:
        self.act(
            self.workspace.triage.set_status([self.mention_id], Status.DONE),
            done=lambda _: self.dismiss(),
        )

    def action_retry(self) -> None:
        outbox = self.workspace.outbox
        failed = [r for r in outbox.replies_to(self.mention_id) if r.state is ReplyState.FAILED]
        if not failed:
            self.say("No failed reply to send again.")
            return
        for reply in failed:
            if outbox.needs_force(reply):
                self._confirm_force(reply.id)
            else:
                self.send_reply(reply.id)

    def _confirm_force(self, reply_id: str) -> None:
        """Ask before sending a reply that may already be in a chat we cannot read."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_reply(reply_id, force=True)

        question = (
            "This reply may already be published, and this network cannot show the "
            "thread. Check the chat first. Send it again anyway?"
        )
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_scroll_down(self) -> None:
        self.query_one("#detail-body").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#detail-body").scroll_up()
